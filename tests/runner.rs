//! The integration suite, one binary: every module runs the real
//! `git-beads` binary (or the library) against real repositories built in
//! temporary directories. One binary links once and shares its threads.

#![allow(clippy::cloned_ref_to_slice_refs, clippy::result_large_err)]

mod common;

mod cache;
mod check;
mod ci_examples;
mod cli;
mod compat;
mod concurrency;
mod errors;
mod examples;
mod hooks;
mod interop;
mod namespaces;
mod properties;
mod reliability;
mod snapshots;
mod subcommand;
mod sync;
mod sync_property;
