//! git-beads: a dependency-aware issue tracker that keeps issues as git
//! objects on `refs/beads/*`.
//!
//! The library is the product; the `git-beads` binary is a presenter over
//! it. A program opens [`Beads`] on a repository with explicit [`Options`]
//! (the library reads no environment) and does what the command line does:
//! [`Beads::init`], [`Beads::create`], [`Beads::ready`], [`Beads::claim`],
//! [`Beads::close`], [`Beads::sync`], [`Beads::propose`], [`Beads::check`].
//! Every call fails with one [`Error`]; [`Error::kind`] names the case a
//! program branches on.
//!
//! ```
//! use git_beads::model::DepType;
//! use git_beads::{Beads, InitOptions, NewIssue, Options, ReadyQuery};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! std::process::Command::new("git").arg("init").arg("-q").arg(dir.path()).status()?;
//! let mut beads = Beads::open(dir.path(), Options::default().actor("doc"))?;
//! beads.init(&InitOptions { prefix: Some("demo".into()), branch: Some("main".into()), ..Default::default() })?;
//!
//! let schema = beads.create(NewIssue { title: "Design the schema".into(), ..Default::default() })?;
//! let api = beads.create(NewIssue {
//!     title: "Build the API".into(),
//!     deps: vec![(DepType::Blocks, schema.id.clone())],
//!     ..Default::default()
//! })?;
//!
//! // Only the schema can start: the API waits on it.
//! let ready: Vec<String> = beads.ready(&ReadyQuery::default())?.rows.iter().map(|r| r.id().to_string()).collect();
//! assert_eq!(ready, [schema.id.clone()]);
//!
//! beads.claim(&schema.id)?;
//! beads.close(&[schema.id.as_str()], Some("done"))?;
//! let ready: Vec<String> = beads.ready(&ReadyQuery::default())?.rows.iter().map(|r| r.id().to_string()).collect();
//! assert_eq!(ready, [api.id]);
//! # Ok(())
//! # }
//! ```
//!
//! Below the front door the layers point one way: [`model`] (issues and
//! their encoding), [`store`] (namespaces on refs, compare-and-swap, the
//! index cache), [`graph`] (the ready frontier), [`view`] and [`query`]
//! (reading several namespaces, filters), [`merge`] (three-way merge of
//! issues and trees), [`remote`] (remotes and transport), [`ops`] (one
//! write each), [`sync`], [`proposals`] and [`check`].

#![deny(unsafe_code)]

// The front door and the filters it takes are documented item by item.
#[warn(missing_docs)]
mod beads;
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub(crate) mod git;
pub mod graph;
pub(crate) mod interrupt;
pub mod merge;
pub mod model;
pub mod ops;
pub mod proposals;
#[warn(missing_docs)]
pub mod query;
pub mod remote;
pub mod store;
pub mod sync;
pub mod view;

pub use beads::{
    Beads, Error, ErrorKind, InitOptions, InitReport, IssueDetail, Link, ListQuery, PLANNING_REMOTE, ReadyQuery, Result, Row, Rows, Scope,
    SyncOutcome, Targets, Updated, is_local_path,
};
pub use ops::{Changes, NewIssue};
pub use query::Filter;
pub use store::Options;

// Tests of the layers together, against real repositories (fixtures in
// tests/mod.rs); they sit above every layer so no layer imports them.
#[cfg(test)]
mod tests;
