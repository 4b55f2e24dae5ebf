//! `status`: each namespace against its tracking ref.

use super::{commit_tip, local_namespaces, merge_base};
use crate::model::id;
use crate::remote::{Error, Result, ref_tip, remote_for, tracking_ref};
use crate::store::{Kind, Namespace, REF_ROOT, Store, tree};
use gix::ObjectId;

/// Where one namespace stands against its remote.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NsStatus {
    pub namespace: String,
    pub remote: Option<String>,
    pub tracking: Option<String>,
    pub state: &'static str,
    /// Commits the local namespace has that the remote does not.
    pub ahead: usize,
    /// Commits the remote has that the local namespace does not.
    pub behind: usize,
    /// Issues changed locally since the common base.
    pub issues_ahead: usize,
    /// Issues changed on the remote since the common base.
    pub issues_behind: usize,
    pub issues: usize,
}

fn count_commits(store: &Store, from: ObjectId, hide: Option<ObjectId>) -> Result<usize> {
    let walk = store.repo().rev_walk([from]);
    let walk = match hide {
        Some(h) => walk.with_hidden([h]),
        None => walk,
    };
    let iter = walk.all().map_err(|e| Error::git("could not walk history", e))?;
    let mut n = 0;
    for c in iter {
        c.map_err(|e| Error::git("could not walk history", e))?;
        n += 1;
    }
    Ok(n)
}

fn changed_issues(store: &Store, from: Option<ObjectId>, to: Option<ObjectId>) -> Result<usize> {
    let empty = ObjectId::empty_tree(store.repo().object_hash());
    let (a, b) = (from.unwrap_or(empty), to.unwrap_or(empty));
    Ok(tree::diff(store.repo(), &a, &b)?.iter().filter(|c| id::id_from_path(&c.path).is_some()).count())
}

/// Every local namespace (and every remote one not yet local) against its
/// tracking ref, as of the last fetch.
pub fn status(store: &Store) -> Result<Vec<NsStatus>> {
    let mut seen: Vec<(Namespace, Option<String>)> = local_namespaces(store)?
        .into_iter()
        .map(|n| {
            let r = remote_for(store, &n);
            (n, r)
        })
        .collect();
    for t in store.namespaces()? {
        if let Some(rest) = t.short().strip_prefix("remotes/")
            && let Some((remote, short)) = rest.split_once('/')
        {
            let local = Namespace::from_ref(&format!("{REF_ROOT}{short}"))?;
            let syncs = matches!(local.kind(), Kind::Branch(_) | Kind::Planning(_));
            if syncs && !seen.iter().any(|(n, _)| *n == local) && remote_for(store, &local).as_deref() == Some(remote) {
                seen.push((local, Some(remote.to_string())));
            }
        }
    }
    seen.sort();
    let mut out = Vec::new();
    for (ns, remote) in seen {
        let local = store.tip(&ns)?;
        let tracking = remote.as_deref().map(|r| tracking_ref(&ns, r));
        let theirs = match &tracking {
            Some(t) => ref_tip(store, t)?,
            None => None,
        };
        let issues = match local {
            Some(_) => store.snapshot(&ns)?.index.len(),
            None => 0,
        };
        let (state, ahead, behind, ia, ib) = match (local, theirs) {
            (Some(l), Some(t)) if l.commit == t.commit => ("up_to_date", 0, 0, 0, 0),
            (Some(l), Some(t)) => {
                let base = merge_base(store, l.commit, t.commit)?;
                let base_tree = match base {
                    Some(b) => Some(commit_tip(store, b)?.tree),
                    None => None,
                };
                let ahead = count_commits(store, l.commit, Some(t.commit))?;
                let behind = count_commits(store, t.commit, Some(l.commit))?;
                let state = match (ahead, behind) {
                    (_, 0) => "ahead",
                    (0, _) => "behind",
                    _ => "diverged",
                };
                (state, ahead, behind, changed_issues(store, base_tree, Some(l.tree))?, changed_issues(store, base_tree, Some(t.tree))?)
            }
            (Some(l), None) => (
                if remote.is_some() { "local_only" } else { "no_remote" },
                count_commits(store, l.commit, None)?,
                0,
                changed_issues(store, None, Some(l.tree))?,
                0,
            ),
            (None, Some(t)) => ("remote_only", 0, count_commits(store, t.commit, None)?, 0, changed_issues(store, None, Some(t.tree))?),
            (None, None) => continue,
        };
        out.push(NsStatus {
            namespace: ns.refname().to_string(),
            remote,
            tracking: tracking.filter(|_| theirs.is_some()),
            state,
            ahead,
            behind,
            issues_ahead: ia,
            issues_behind: ib,
            issues,
        });
    }
    Ok(out)
}
