//! Changing fields of issues, and claiming one atomically.

use super::{Error, Result};
use super::{Scope, blockers_of, refuse_cycle, resolve_target, stamped};
use crate::model::{self, DepType, Issue, IssueType, Priority, Status, Timestamp};
use crate::store::{Actor, Committed, Namespace, Store, Txn};

/// Field changes for `update`. `Some("")` clears an optional text field.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub title: Option<String>,
    pub description: Option<String>,
    pub design: Option<String>,
    pub acceptance_criteria: Option<String>,
    pub notes: Option<String>,
    /// Text added at the end of the notes, on a line of its own (bd's
    /// `--append-notes`); applied after `notes`.
    pub append_notes: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub issue_type: Option<IssueType>,
    pub assignee: Option<String>,
    pub owner: Option<String>,
    pub external_ref: Option<String>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub set_labels: Option<Vec<String>>,
    /// `Some(None)` clears.
    pub due_at: Option<Option<Timestamp>>,
    /// `Some(None)` clears.
    pub defer_until: Option<Option<Timestamp>>,
    pub estimated_minutes: Option<Option<i64>>,
    /// Typed parent ID; `Some("")` removes the parent.
    pub parent: Option<String>,
    /// Assign to the actor and start, failing if someone else holds it.
    pub claim: bool,
    /// Claim even when the issue is blocked.
    pub force: bool,
}

impl Changes {
    /// Whether no change at all was asked for.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.design.is_none()
            && self.acceptance_criteria.is_none()
            && self.notes.is_none()
            && self.append_notes.is_none()
            && self.status.is_none()
            && self.priority.is_none()
            && self.issue_type.is_none()
            && self.assignee.is_none()
            && self.owner.is_none()
            && self.external_ref.is_none()
            && self.add_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.set_labels.is_none()
            && self.due_at.is_none()
            && self.defer_until.is_none()
            && self.estimated_minutes.is_none()
            && self.parent.is_none()
            && !self.claim
    }
}

fn opt(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.is_empty())
}

/// Applies `c` to `issue`; returns whether anything changed. `blocked` says
/// why the issue is blocked (used by `claim`).
fn apply_changes(issue: &mut Issue, c: &Changes, txn: &Txn<'_>, parent: Option<Option<String>>, blocked: &[String]) -> Result<bool> {
    let before = issue.clone();
    let now = txn.now();
    if let Some(t) = &c.title {
        model::issue::validate_title(t)?;
        issue.title = t.clone();
    }
    for (field, value, slot) in [
        ("description", &c.description, &mut issue.description),
        ("design", &c.design, &mut issue.design),
        ("acceptance_criteria", &c.acceptance_criteria, &mut issue.acceptance_criteria),
        ("notes", &c.notes, &mut issue.notes),
    ] {
        if let Some(v) = value {
            model::issue::validate_text(field, v)?;
            *slot = v.clone();
        }
    }
    if let Some(more) = c.append_notes.as_deref().filter(|m| !m.is_empty()) {
        let joined = if issue.notes.is_empty() { more.to_string() } else { format!("{}\n{more}", issue.notes.trim_end_matches('\n')) };
        model::issue::validate_text("notes", &joined)?;
        issue.notes = joined;
    }
    if let Some(p) = c.priority {
        issue.priority = p;
    }
    if let Some(t) = &c.issue_type {
        issue.issue_type = t.clone();
    }
    if let Some(a) = &c.assignee {
        issue.assignee = opt(a);
    }
    if let Some(o) = &c.owner {
        issue.owner = opt(o);
    }
    if let Some(e) = &c.external_ref {
        issue.external_ref = opt(e);
    }
    if let Some(labels) = &c.set_labels {
        issue.labels = labels.iter().cloned().collect();
    }
    for l in &c.add_labels {
        model::issue::validate_label(l)?;
        issue.labels.insert(l.clone());
    }
    for l in &c.remove_labels {
        issue.labels.remove(l);
    }
    if let Some(d) = c.due_at {
        issue.due_at = d;
    }
    if let Some(d) = c.defer_until {
        issue.defer_until = d;
    }
    if let Some(e) = c.estimated_minutes {
        issue.estimated_minutes = e;
    }
    if let Some(p) = parent {
        issue.dependencies.retain(|d| d.dep_type != DepType::ParentChild);
        if let Some(p) = p {
            if p == issue.id {
                return Err(Error::SelfDependency { id: p });
            }
            issue.add_dependency(stamped(&p, DepType::ParentChild, txn));
        }
    }
    if let Some(s) = &c.status {
        issue.set_status(s.clone(), now);
    }
    if c.claim {
        if issue.status.is_done() {
            return Err(Error::WrongStatus { action: "claim", id: issue.id.clone(), status: issue.status.to_string() });
        }
        match &issue.assignee {
            Some(holder) if *holder != txn.actor().name => {
                return Err(Error::Claimed { id: issue.id.clone(), holder: holder.clone() });
            }
            _ => {}
        }
        if !blocked.is_empty() && !c.force {
            return Err(Error::Blocked { id: issue.id.clone(), blockers: blocked.to_vec() });
        }
        issue.assignee = Some(txn.actor().name.clone());
        issue.set_status(Status::InProgress, now);
    }
    let changed = *issue != before;
    if changed {
        issue.updated_at = now;
    }
    Ok(changed)
}

/// Updates each of `ids` (typed) with `c`; returns the issues as written
/// (unchanged ones included).
pub fn update(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], c: &Changes, scope: &Scope) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op(if c.claim { "claim" } else { "update" });
        let parent = match c.parent.as_deref() {
            None => None,
            Some("") => Some(None),
            Some(p) => Some(Some(resolve_target(txn, scope, p)?)),
        };
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if let Some(Some(p)) = &parent {
                refuse_cycle(txn, scope, &id, p)?;
            }
            let blocked = if c.claim { blockers_of(txn, scope, &id)? } else { Vec::new() };
            if apply_changes(&mut issue, c, txn, parent.clone(), &blocked)? {
                txn.put(issue.clone())?;
            }
            out.push(issue);
        }
        Ok(out)
    })
}
