//! Mutations: each is an operation that [`Store::mutate`] runs against the
//! current tip and re-runs if another writer wins the compare-and-swap, so
//! everything an operation decides (IDs, cycle checks, claims) is decided
//! again on the state it finally commits against.

mod annotate;
pub(crate) mod create;
mod delete;
mod dep;
mod error;
mod import;
mod lifecycle;
mod promote;
mod update;

pub use annotate::{LabelOutcome, comment, label};
pub use create::{NewIssue, create};
pub use delete::{DeletePlan, DependentEdge, delete};
pub use dep::{DepOutcome, dep_add, dep_remove};
pub use error::{Error, Result};
pub use import::{ImportReport, import, parse_jsonl};
pub use lifecycle::{CloseOutcome, close, defer, reopen, undefer};
pub use promote::{Promoted, merge_in, promote};
pub use update::{Changes, update};

use crate::graph::{Node, Universe};
use crate::model::{Comment, CommentId, DepType, Dependency, id};
use crate::store::{Store, TreeIndex, Txn};

/// Other namespaces an operation may look into, as of when the command
/// started: to accept a dependency on an issue that lives in another
/// namespace, and to check cycles and blockers across namespaces.
#[derive(Clone, Default)]
pub struct Scope {
    pub others: Vec<TreeIndex>,
    /// Trees of other namespaces in which a new ID must not exist either,
    /// looked up by path (no index needed): what a plain `create` uses
    /// instead of `others`.
    pub trees: Vec<gix::ObjectId>,
}

impl Scope {
    /// Whether another namespace of the scope has `id`.
    fn has(&self, store: &Store, id: &str) -> crate::store::Result<bool> {
        if self.others.iter().any(|o| o.find(id).is_some()) {
            return Ok(true);
        }
        let path = id::blob_path(id);
        for t in &self.trees {
            if crate::store::tree::lookup(store.repo(), t, &path)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The graph over the transaction's namespace and the scope.
fn universe<'a>(index: &'a TreeIndex, scope: &'a Scope) -> Universe<'a> {
    let mut trees = vec![index];
    trees.extend(scope.others.iter());
    Universe::of(&trees)
}

/// Resolves a dependency target: an issue of this namespace by (prefix of)
/// ID, an issue of another namespace of the scope by its exact ID, or a
/// qualified reference (`project:id`) that is kept as written.
fn resolve_target(txn: &Txn<'_>, scope: &Scope, target: &str) -> Result<String> {
    if target.contains(':') {
        id::validate_reference(target)?;
        return Ok(target.to_string());
    }
    match txn.resolve(target) {
        Err(crate::store::Error::NotFound { .. }) if scope.others.iter().any(|o| o.find(target).is_some()) => Ok(target.to_string()),
        other => Ok(other?),
    }
}

fn stamped(target: &str, ty: DepType, txn: &Txn<'_>) -> Dependency {
    let mut d = Dependency::new(target, ty);
    d.created_at = Some(txn.now());
    d.created_by = Some(txn.actor().name.clone());
    d
}

/// What blocks `id` in the base of `txn` (IDs): the graph around that one
/// issue, not an analysis of the whole namespace.
fn blockers_of(txn: &Txn<'_>, scope: &Scope, id: &str) -> Result<Vec<String>> {
    let index = txn.index()?;
    let u = universe(index, scope);
    let Some(n) = u.find(id) else {
        return Ok(Vec::new());
    };
    Ok(u.blockers_of(n).iter().map(|b| b.id().to_string()).collect())
}

fn new_comment(idgen: &mut id::IdGen, txn: &Txn<'_>, text: String) -> Comment {
    Comment {
        id: CommentId::Int(idgen.comment_id()),
        author: txn.actor().name.clone(),
        created_at: txn.now(),
        text,
        extra: Default::default(),
    }
}

/// Fails with the cycle that a blocking edge `from -> to` would close.
fn refuse_cycle(txn: &Txn<'_>, scope: &Scope, from: &str, to: &str) -> Result<()> {
    if from == to {
        return Err(Error::SelfDependency { id: from.to_string() });
    }
    let index = txn.index()?;
    let u = universe(index, scope);
    if let (Some(a), Some(b)) = (u.find(from), u.find(to))
        && let Some(cycle) = u.would_cycle(a, b)
    {
        return Err(Error::Cycle { cycle });
    }
    Ok(())
}

/// Dependencies of `n` in the view, as (target ID, type, resolved node).
pub fn dependencies_of(u: &Universe<'_>, n: Node) -> Vec<(String, String, Option<Node>)> {
    u.deps(n).map(|(t, d)| (d.target().to_string(), d.dep_type().to_string(), t)).collect()
}

/// Issues that depend on `n`, as (dependent node, type).
pub fn dependents_of(u: &Universe<'_>, n: Node) -> Vec<(Node, String)> {
    let mut out: Vec<(Node, String)> =
        u.nodes().flat_map(|m| u.deps(m).filter(move |(t, _)| *t == Some(n)).map(move |(_, d)| (m, d.dep_type().to_string()))).collect();
    out.sort_by(|a, b| u.id(a.0).cmp(u.id(b.0)));
    out
}
