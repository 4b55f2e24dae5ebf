//! Deleting issues, and the dependencies other issues have on them.

use super::Result;
use crate::store::{Actor, Committed, Namespace, Store};
use std::collections::BTreeSet;

/// What `delete` removes (or would remove).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DeletePlan {
    pub deleted: Vec<String>,
    /// Issues outside the deleted set that depend on a deleted one, with the
    /// dependencies that deleting removes from them.
    pub dependents: Vec<DependentEdge>,
    pub dependencies_removed: usize,
}

/// A dependency on an issue being deleted.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct DependentEdge {
    pub issue_id: String,
    pub depends_on_id: String,
    #[serde(rename = "type")]
    pub dep_type: String,
}

/// Deletes `ids` and the dependencies other issues have on them; with
/// `apply == false` only computes the plan (the preview).
pub fn delete(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], apply: bool) -> Result<Committed<DeletePlan>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("delete");
        let mut plan = DeletePlan::default();
        let mut doomed = BTreeSet::new();
        for typed in ids {
            doomed.insert(txn.resolve(typed)?);
        }
        let index = txn.index()?;
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for (owner, d) in index.rows().flat_map(|r| r.index.deps(r.row).map(move |d| (r.index.id(r.row), d))) {
            if doomed.contains(d.target()) && !doomed.contains(owner) {
                plan.dependents.push(DependentEdge {
                    issue_id: owner.to_string(),
                    depends_on_id: d.target().to_string(),
                    dep_type: d.dep_type().to_string(),
                });
                touched.insert(owner.to_string());
            }
        }
        plan.dependents.sort_by(|a, b| (&a.issue_id, &a.depends_on_id).cmp(&(&b.issue_id, &b.depends_on_id)));
        plan.dependencies_removed = plan.dependents.len();
        plan.deleted = doomed.iter().cloned().collect();
        if apply {
            for owner in &touched {
                let mut issue = txn.require(owner)?;
                issue.dependencies.retain(|d| !doomed.contains(&d.id));
                issue.updated_at = txn.now();
                txn.put(issue)?;
            }
            for id in &doomed {
                txn.delete(id);
            }
            let n = plan.deleted.len();
            txn.set_summary(match plan.deleted.as_slice() {
                [one] => format!("delete {one}"),
                _ => format!("delete {n} issues"),
            });
        }
        Ok(plan)
    })
}
