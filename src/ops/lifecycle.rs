//! Moving issues through their statuses: close (refusing blocked work),
//! reopen, defer, undefer.

use super::{Error, Result};
use super::{Scope, blockers_of, new_comment};
use crate::model::{Issue, Status, Timestamp};
use crate::store::{Actor, Committed, Namespace, Store};

/// The result of closing: what was closed and what was already closed.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CloseOutcome {
    pub closed: Vec<Issue>,
    pub already_closed: Vec<String>,
}

/// Closes `ids`; refuses (unless `force`) any that is still blocked.
pub fn close(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    ids: &[String],
    reason: Option<&str>,
    force: bool,
    scope: &Scope,
) -> Result<Committed<CloseOutcome>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("close");
        let mut out = CloseOutcome::default();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status.is_closed() {
                out.already_closed.push(id);
                continue;
            }
            if !force {
                let blockers = blockers_of(txn, scope, &id)?;
                // Blockers closed in this same command no longer block.
                let still: Vec<String> = blockers.into_iter().filter(|b| !out.closed.iter().any(|c| &c.id == b)).collect();
                if !still.is_empty() {
                    return Err(Error::Blocked { id, blockers: still });
                }
            }
            let now = txn.now();
            issue.set_status(Status::Closed, now);
            issue.close_reason = reason.map(str::to_string).filter(|r| !r.is_empty());
            issue.updated_at = now;
            txn.put(issue.clone())?;
            out.closed.push(issue);
        }
        if let Some(r) = reason {
            txn.add_trailer("Beads-Reason", r);
        }
        Ok(out)
    })
}

/// Reopens `ids`; a reason is kept as a comment.
pub fn reopen(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], reason: Option<&str>) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        let mut idgen = txn.idgen();
        txn.set_op("reopen");
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status == Status::Open {
                out.push(issue);
                continue;
            }
            let now = txn.now();
            issue.set_status(Status::Open, now);
            issue.updated_at = now;
            if let Some(r) = reason.filter(|r| !r.trim().is_empty()) {
                issue.comments.push(new_comment(&mut idgen, txn, format!("Reopened: {r}")));
            }
            txn.put(issue.clone())?;
            out.push(issue);
        }
        Ok(out)
    })
}

/// Defers `ids` until `until` (indefinitely when `None`).
pub fn defer(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], until: Option<Timestamp>) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("defer");
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status.is_done() {
                return Err(Error::WrongStatus { action: "defer", id, status: issue.status.to_string() });
            }
            let now = txn.now();
            issue.set_status(Status::Deferred, now);
            issue.defer_until = until;
            issue.updated_at = now;
            txn.put(issue.clone())?;
            out.push(issue);
        }
        Ok(out)
    })
}

/// Makes deferred `ids` open again.
pub fn undefer(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String]) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("undefer");
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status != Status::Deferred && issue.defer_until.is_none() {
                out.push(issue);
                continue;
            }
            let now = txn.now();
            if issue.status == Status::Deferred {
                issue.set_status(Status::Open, now);
            }
            issue.defer_until = None;
            issue.updated_at = now;
            txn.put(issue.clone())?;
            out.push(issue);
        }
        Ok(out)
    })
}
