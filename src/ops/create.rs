//! Creating issues: a generated, explicit or child ID, checked against the
//! namespace and the others of the scope; parent and dependencies resolved.

use super::{Error, Result};
use super::{Scope, resolve_target, stamped};
use crate::model::{self, DepType, Issue, IssueType, Priority, Status, Timestamp, id};
use crate::store::{Actor, Committed, Namespace, Store, Txn};

/// What `create` needs to know.
#[derive(Clone, Debug, Default)]
pub struct NewIssue {
    pub title: String,
    pub issue_type: Option<IssueType>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub description: String,
    pub design: String,
    pub acceptance_criteria: String,
    pub notes: String,
    pub assignee: Option<String>,
    pub owner: Option<String>,
    pub labels: Vec<String>,
    /// Typed ID of the parent; the new issue becomes `<parent>.N`.
    pub parent: Option<String>,
    /// (type, typed ID) pairs.
    pub deps: Vec<(DepType, String)>,
    pub external_ref: Option<String>,
    pub due_at: Option<Timestamp>,
    pub defer_until: Option<Timestamp>,
    pub estimated_minutes: Option<i64>,
    /// Use exactly this ID (import-like creation); must not exist.
    pub id: Option<String>,
}

/// Creates an issue in `ns`; returns it as written.
pub fn create(store: &Store, ns: &Namespace, actor: &Actor, new: &NewIssue, scope: &Scope) -> Result<Committed<Issue>> {
    validate(new)?;
    store.mutate(ns, actor, |txn| stage(store, txn, ns, actor, new, scope))
}

/// What [`create`] would write, checked the same way, without writing.
pub fn preview(store: &Store, ns: &Namespace, actor: &Actor, new: &NewIssue, scope: &Scope) -> Result<Issue> {
    validate(new)?;
    store.preview(ns, actor, |txn| stage(store, txn, ns, actor, new, scope))
}

fn validate(new: &NewIssue) -> Result<()> {
    model::issue::validate_title(&new.title)?;
    for (field, text) in [
        ("description", &new.description),
        ("design", &new.design),
        ("acceptance_criteria", &new.acceptance_criteria),
        ("notes", &new.notes),
    ] {
        model::issue::validate_text(field, text)?;
    }
    for l in &new.labels {
        model::issue::validate_label(l)?;
    }
    Ok(())
}

fn stage(store: &Store, txn: &mut Txn<'_>, ns: &Namespace, actor: &Actor, new: &NewIssue, scope: &Scope) -> Result<Issue> {
    let prefix = store.prefix();
    {
        let mut idgen = txn.idgen();
        txn.set_op("create");
        let now = txn.now();
        let parent = new.parent.as_deref().map(|p| resolve_target(txn, scope, p)).transpose()?;
        let mut deps = Vec::new();
        for (ty, target) in &new.deps {
            deps.push((ty.clone(), resolve_target(txn, scope, target)?));
        }
        let issue_id = match (&new.id, &parent) {
            (Some(explicit), _) => {
                id::validate_id(explicit)?;
                if txn.exists(explicit)? {
                    return Err(Error::Exists { id: explicit.clone(), namespace: ns.to_string() });
                }
                explicit.clone()
            }
            (None, Some(p)) => {
                let prefix_dot = format!("{p}.");
                let index = txn.index()?;
                let exhausted = || Error::NoFreeId { parent: Some(p.clone()) };
                let mut candidate = id::next_child(p, index.ids().filter(|i| i.starts_with(&prefix_dot))).ok_or_else(exhausted)?;
                while txn.exists(&candidate)? {
                    candidate = id::next_child(p, [candidate.as_str()]).ok_or_else(exhausted)?;
                }
                candidate
            }
            (None, None) => {
                let n = txn.approx_len()?;
                let mut taken_err = None;
                // Unique in this namespace and in the others the command sees.
                let found = idgen.new_id(&prefix, n, |cand| match txn.exists(cand).and_then(|b| Ok(b || scope.has(store, cand)?)) {
                    Ok(b) => b,
                    Err(e) => {
                        taken_err = Some(e);
                        true
                    }
                });
                if let Some(e) = taken_err {
                    return Err(e.into());
                }
                found.ok_or(Error::NoFreeId { parent: None })?
            }
        };
        let mut issue = Issue::new(issue_id.clone(), new.title.clone(), now);
        issue.issue_type = new.issue_type.clone().unwrap_or(IssueType::Task);
        issue.priority = new.priority.unwrap_or(Priority::DEFAULT);
        issue.description = new.description.clone();
        issue.design = new.design.clone();
        issue.acceptance_criteria = new.acceptance_criteria.clone();
        issue.notes = new.notes.clone();
        issue.assignee = new.assignee.clone().filter(|s| !s.is_empty());
        issue.owner = new.owner.clone().filter(|s| !s.is_empty());
        issue.labels = new.labels.iter().cloned().collect();
        issue.external_ref = new.external_ref.clone();
        issue.due_at = new.due_at;
        issue.defer_until = new.defer_until;
        issue.estimated_minutes = new.estimated_minutes;
        issue.created_by = Some(actor.name.clone());
        if let Some(s) = &new.status {
            issue.set_status(s.clone(), now);
        }
        if let Some(p) = &parent {
            issue.add_dependency(stamped(p, DepType::ParentChild, txn));
        }
        for (ty, target) in &deps {
            if *target == issue_id {
                return Err(Error::SelfDependency { id: issue_id.clone() });
            }
            issue.add_dependency(stamped(target, ty.clone(), txn));
        }
        txn.put(issue.clone())?;
        Ok(issue)
    }
}
