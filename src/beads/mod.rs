//! The front door: one type, [`Beads`], from which a program does what the
//! command line does (the command line is a presenter over it).
//!
//! ```no_run
//! use git_beads::{Beads, Options, ReadyQuery};
//!
//! # fn main() -> Result<(), git_beads::Error> {
//! let beads = Beads::open(".", Options::default().actor("worker-1"))?;
//! while let Some(next) = beads.ready(&ReadyQuery::default())?.rows.first() {
//!     let id = next.id().to_string();
//!     match beads.claim(&id) {
//!         Ok(issue) => {
//!             println!("working on {}: {}", issue.id, issue.title);
//!             beads.close(&[id.as_str()], Some("done"))?;
//!         }
//!         // Another worker took it first: take the next one.
//!         Err(e) if e.is_taken() => continue,
//!         Err(e) => return Err(e),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod error;
mod init;
mod net;
mod read;
mod write;

pub use error::{Error, ErrorKind, Result};
pub use init::{InitOptions, InitReport, PLANNING_REMOTE, is_local_path};
pub use net::SyncOutcome;
pub use read::{IssueDetail, Link, ListQuery, ReadyQuery, Row, Rows};
pub use write::{Targets, Updated};

use crate::store::{self, Actor, Namespace, Options, Store};
use crate::view::View;
use std::path::Path;

/// Which namespaces reads look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// The current context: the current branch's namespace, the canonical
    /// one, and planning when configured (the default).
    #[default]
    Context,
    /// One namespace only (`--ns`); writes go there too.
    Only(Namespace),
    /// Every local namespace (branches and planning; `--all-ns`).
    All,
}

/// An open repository's issues: the entry point of the library.
pub struct Beads {
    store: Store,
    scope: Scope,
}

impl Beads {
    /// Opens the repository containing `path` (found as git finds it) with `opts`.
    pub fn open(path: impl AsRef<Path>, opts: Options) -> Result<Beads> {
        Ok(Beads { store: Store::open(path.as_ref(), opts)?, scope: Scope::Context })
    }

    /// Wraps an open store.
    pub fn from_store(store: Store) -> Beads {
        Beads { store, scope: Scope::Context }
    }

    /// The store underneath, for what the front door does not cover.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store underneath, mutably (settings reloads, timeouts).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Which namespaces reads look at.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Reads (and, for [`Scope::Only`], writes) these namespaces from now on.
    pub fn set_scope(&mut self, scope: Scope) {
        self.scope = scope;
    }

    /// The same, consuming `self`.
    pub fn with_scope(mut self, scope: Scope) -> Beads {
        self.scope = scope;
        self
    }

    /// Who acts (the options' actor, else the git identity).
    pub fn actor(&self) -> Actor {
        self.store.actor(None)
    }

    /// Fails unless `init` has run here.
    pub fn require_init(&self) -> Result<()> {
        if self.store.is_initialized() { Ok(()) } else { Err(store::Error::NotInitialized.into()) }
    }

    /// Fails when a read could only answer "no work" because nothing is
    /// here yet. When this clone holds no beads namespace at all (none of
    /// its own, no tracking ref), a remote that has some gives
    /// [`ErrorKind::NotFetched`] (asked with `git ls-remote`, under the
    /// network timeout; an unreachable remote does not decide), and a
    /// repository that was never initialized gives
    /// [`ErrorKind::NotInitialized`]. A read of an explicitly named
    /// namespace is never refused, and once any namespace exists this costs
    /// nothing.
    pub fn require_something_to_read(&self) -> Result<()> {
        if matches!(self.scope, Scope::Only(_)) || !self.store.namespaces()?.is_empty() {
            return Ok(());
        }
        let remotes = crate::git::Git::new(self.store.repo().git_dir()).remotes()?;
        for r in &remotes {
            if let Ok(n) = crate::remote::count_remote_refs(&self.store, r)
                && n > 0
            {
                return Err(crate::remote::Error::NotFetched { remote: r.clone(), namespaces: n }.into());
            }
        }
        self.require_init()
    }

    /// The namespaces reads look at, current context first.
    pub fn view_namespaces(&self) -> Result<Vec<Namespace>> {
        Ok(match &self.scope {
            Scope::Only(ns) => vec![ns.clone()],
            Scope::Context => self.store.view_namespaces()?,
            Scope::All => {
                let mut out = self.store.view_namespaces()?;
                for ns in self.store.issue_namespaces()? {
                    if !out.contains(&ns) {
                        out.push(ns);
                    }
                }
                out
            }
        })
    }

    /// The view reads see. Its `invalid()` and `skipped()` say what could
    /// not be read.
    pub fn view(&self) -> Result<View> {
        Ok(View::open(&self.store, &self.view_namespaces()?)?)
    }

    /// The view for a call that names `inputs`, widened to the namespaces
    /// those IDs point at (qualified IDs, `branch-hash` forms, and full IDs
    /// found only outside the view), unless the scope is one namespace.
    pub fn view_for(&self, inputs: &[&str]) -> Result<View> {
        let mut view = self.view()?;
        if !matches!(self.scope, Scope::Only(_)) {
            view.widen_for(&self.store, inputs)?;
        }
        Ok(view)
    }

    /// The namespace new issues go to: the scope's one, else routing.
    pub fn write_namespace(&self) -> Result<Namespace> {
        self.require_init()?;
        self.refuse_unwritable_scope()?;
        match &self.scope {
            Scope::Only(ns) => Ok(ns.clone()),
            _ => Ok(self.store.write_target()?),
        }
    }

    /// A write scoped to a namespace no command writes fails before anything
    /// is resolved in it.
    fn refuse_unwritable_scope(&self) -> Result<()> {
        if let Scope::Only(ns) = &self.scope
            && let Some(e) = self.store.write_refusal(ns)
        {
            return Err(e.into());
        }
        Ok(())
    }
}
