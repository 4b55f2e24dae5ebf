//! Adding and removing dependencies, refusing cycles.

use super::{Error, Result};
use super::{Scope, refuse_cycle, resolve_target, stamped};
use crate::model::DepType;
use crate::store::{Actor, Committed, Namespace, Store};

/// The outcome of `dep add`/`dep remove`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DepOutcome {
    pub status: &'static str,
    pub issue_id: String,
    pub depends_on_id: String,
    #[serde(rename = "type")]
    pub dep_type: String,
}

/// Makes `issue` depend on `on` with type `ty`, refusing cycles.
pub fn dep_add(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    issue: &str,
    on: &str,
    ty: DepType,
    scope: &Scope,
) -> Result<Committed<DepOutcome>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("dep-add");
        let from = txn.resolve(issue)?;
        let to = resolve_target(txn, scope, on)?;
        if from == to {
            return Err(Error::SelfDependency { id: from });
        }
        let mut i = txn.require(&from)?;
        if ty.is_blocking() || ty == DepType::ParentChild {
            refuse_cycle(txn, scope, &from, &to)?;
        }
        if ty == DepType::ParentChild {
            i.dependencies.retain(|d| d.dep_type != DepType::ParentChild || d.id == to);
        }
        let previous = i.dependency(&to).map(|d| d.dep_type.to_string());
        let status = match (i.add_dependency(stamped(&to, ty.clone(), txn)), previous) {
            (false, _) => "exists",
            (true, Some(_)) => "retyped",
            (true, None) => "added",
        };
        if status != "exists" {
            i.updated_at = txn.now();
            txn.set_summary(format!("dep add {from} -> {to} ({ty})"));
            txn.put(i)?;
        }
        Ok(DepOutcome { status, issue_id: from, depends_on_id: to, dep_type: ty.to_string() })
    })
}

/// Removes the dependency of `issue` on `on`.
pub fn dep_remove(store: &Store, ns: &Namespace, actor: &Actor, issue: &str, on: &str) -> Result<Committed<DepOutcome>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("dep-remove");
        let from = txn.resolve(issue)?;
        let mut i = txn.require(&from)?;
        // The target may no longer exist: match the stored ID, else resolve.
        let to = if i.dependency(on).is_some() {
            on.to_string()
        } else {
            resolve_target(txn, &Scope::default(), on).unwrap_or_else(|_| on.to_string())
        };
        let ty = i.dependency(&to).map(|d| d.dep_type.to_string()).unwrap_or_else(|| "unknown".into());
        let status = if i.remove_dependency(&to) { "removed" } else { "not_found" };
        if status == "removed" {
            i.updated_at = txn.now();
            txn.set_summary(format!("dep remove {from} -> {to}"));
            txn.put(i)?;
        }
        Ok(DepOutcome { status, issue_id: from, depends_on_id: to, dep_type: ty })
    })
}
