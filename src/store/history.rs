//! One issue's history, read from the namespace's commits.
//!
//! A commit belongs to an issue's history when the issue's blob in it differs
//! from the blob in every parent (git's "TREESAME" rule, so a merge shows only
//! when the merge itself changed the issue). This is exact for every kind of
//! commit: single mutations, imports of thousands of issues, and merges.

use super::{Namespace, Result, Store, tree};
use crate::model::{self, Form, id};
use gix::ObjectId;
use std::collections::HashMap;

/// What a commit did to the issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Modified,
    Deleted,
}

/// One entry of an issue's history.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LogEntry {
    pub commit: String,
    pub kind: ChangeKind,
    pub author: String,
    pub email: String,
    /// RFC 3339 author time.
    pub time: String,
    pub summary: String,
    /// Top-level fields whose values changed (beads field names).
    pub fields: Vec<String>,
}

/// An issue's history as far as this clone has it.
#[derive(Clone, Debug, Default)]
pub struct IssueLog {
    /// Newest first.
    pub entries: Vec<LogEntry>,
    /// Set when the walk reached the boundary of a shallow clone before the
    /// issue's beginning: older history is not in this clone.
    pub shallow: bool,
}

/// The history of `issue_id` in `ns`, newest first, at most `limit` entries
/// (0: all). In a shallow clone the walk stops at the shallow boundary, and
/// says so.
pub fn issue_log(store: &Store, ns: &Namespace, issue_id: &str, limit: usize) -> Result<IssueLog> {
    let Some(tip) = store.tip(ns)? else {
        return Ok(IssueLog::default());
    };
    let shallow: std::collections::HashSet<ObjectId> =
        store.repo().shallow_commits().ok().flatten().map(|c| c.iter().copied().collect()).unwrap_or_default();
    let mut cut_short = false;
    let repo = store.repo();
    let path = id::blob_path(issue_id);
    let mut memo: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
    let mut blob_in = |commit: ObjectId| -> Result<Option<ObjectId>> {
        if let Some(b) = memo.get(&commit) {
            return Ok(*b);
        }
        let c = repo.find_commit(commit).map_err(|e| super::Error::git(format!("could not read commit {commit}"), e))?;
        let t = c.tree_id().map_err(|e| super::Error::git(format!("could not read commit {commit}"), e))?.detach();
        let b = tree::lookup(repo, &t, &path)?;
        memo.insert(commit, b);
        Ok(b)
    };
    let walk = repo
        .rev_walk([tip.commit])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(|e| super::Error::git(format!("could not walk {ns}"), e))?;
    let mut out = Vec::new();
    for info in walk {
        let info = info.map_err(|e| super::Error::git(format!("could not walk {ns}"), e))?;
        let here = blob_in(info.id)?;
        // A commit at the shallow boundary has parents this clone lacks: what
        // it changed cannot be told, nor anything older.
        if shallow.contains(&info.id) {
            cut_short = here.is_some();
            break;
        }
        let parents: Vec<ObjectId> = info.parent_ids.iter().copied().collect();
        let mut before = Vec::with_capacity(parents.len());
        for p in &parents {
            before.push(blob_in(*p)?);
        }
        let same_as_a_parent = if parents.is_empty() { here.is_none() } else { before.contains(&here) };
        if same_as_a_parent {
            continue;
        }
        let prev = before.first().copied().flatten();
        let kind = match (prev, here) {
            (None, Some(_)) => ChangeKind::Created,
            (Some(_), None) => ChangeKind::Deleted,
            _ => ChangeKind::Modified,
        };
        let fields = changed_fields(store, ns, &path, prev, here);
        let commit = repo.find_commit(info.id).map_err(|e| super::Error::git(format!("could not read commit {}", info.id), e))?;
        let author = commit.author().map_err(|e| super::Error::git("could not read a commit author", e))?;
        let time = author
            .time()
            .ok()
            .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
            .map(|t| model::Timestamp::from_datetime(t).to_canonical())
            .unwrap_or_default();
        let summary = commit.message_raw_sloppy().to_string().lines().next().unwrap_or("").to_string();
        out.push(LogEntry {
            commit: info.id.to_string(),
            kind,
            author: author.name.to_string(),
            email: author.email.to_string(),
            time,
            summary,
            fields,
        });
        if limit != 0 && out.len() >= limit {
            break;
        }
    }
    Ok(IssueLog { entries: out, shallow: cut_short })
}

fn changed_fields(store: &Store, ns: &Namespace, path: &str, old: Option<ObjectId>, new: Option<ObjectId>) -> Vec<String> {
    let as_map = |blob: Option<ObjectId>| -> serde_json::Map<String, serde_json::Value> {
        blob.and_then(|b| store.read_issue(ns, path, b).ok())
            .and_then(|i| serde_json::from_str(&model::codec::to_beads_json(&i, Form::Beads)).ok())
            .unwrap_or_default()
    };
    let (a, b) = (as_map(old), as_map(new));
    let mut keys: Vec<String> = a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).cloned().collect();
    keys.sort();
    keys.dedup();
    keys
}
