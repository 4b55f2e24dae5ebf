//! Labels and comments.

use super::new_comment;
use super::{Error, Result};
use crate::model::{self, Comment};
use crate::store::{Actor, Committed, Namespace, Store};

/// The outcome of a label change on one issue.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LabelOutcome {
    pub status: &'static str,
    pub issue_id: String,
    pub label: String,
}

/// Adds (`add == true`) or removes `label` on each of `ids`.
pub fn label(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], label: &str, add: bool) -> Result<Committed<Vec<LabelOutcome>>> {
    if add {
        model::issue::validate_label(label)?;
    }
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op(if add { "label-add" } else { "label-remove" });
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            let changed = if add { issue.labels.insert(label.to_string()) } else { issue.labels.remove(label) };
            let status = match (add, changed) {
                (true, true) => "added",
                (true, false) => "exists",
                (false, true) => "removed",
                (false, false) => "not_found",
            };
            if changed {
                issue.updated_at = txn.now();
                txn.put(issue)?;
            }
            out.push(LabelOutcome { status, issue_id: id, label: label.to_string() });
        }
        Ok(out)
    })
}

/// Adds a comment to `issue`; returns it.
pub fn comment(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    issue: &str,
    text: &str,
    author: Option<&str>,
) -> Result<Committed<(String, Comment)>> {
    if text.trim().is_empty() {
        return Err(Error::EmptyComment);
    }
    model::issue::validate_text("comment", text)?;
    store.mutate(ns, actor, |txn| -> Result<_> {
        let mut idgen = txn.idgen();
        txn.set_op("comment");
        let id = txn.resolve(issue)?;
        let mut i = txn.require(&id)?;
        let mut c = new_comment(&mut idgen, txn, text.to_string());
        if let Some(a) = author.filter(|a| !a.trim().is_empty()) {
            c.author = a.to_string();
        }
        i.comments.push(c.clone());
        i.updated_at = txn.now();
        txn.put(i)?;
        Ok((id, c))
    })
}
