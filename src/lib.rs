//! git-beads: a dependency-aware issue tracker that keeps issues as git
//! objects on `refs/beads/*`.
//!
//! The library is the product; the `git-beads` binary is a thin command-line
//! layer over it. Start with [`store::Store::discover`], read a namespace with
//! [`store::Store::snapshot`], compute the ready frontier with [`graph`], and
//! change issues with [`store::Store::mutate`], which retries its operation on a
//! lost compare-and-swap.

mod beads;
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod git;
pub mod graph;
pub mod interrupt;
pub mod merge;
pub mod model;
pub mod ops;
pub mod proposals;
pub mod query;
pub mod remote;
pub mod store;
pub mod sync;
pub mod view;

pub use beads::{
    Beads, Error, ErrorKind, InitOptions, InitReport, IssueDetail, Link, ListQuery, PLANNING_REMOTE, ReadyQuery, Result, Row, Rows, Scope,
    SyncOutcome, Targets, Updated, is_local_path,
};
pub use store::Options;
