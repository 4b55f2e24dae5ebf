//! Remotes: which remote a namespace syncs with, the refspecs and tracking
//! refs of a remote, and talking to it through the system `git`
//! (`transport`). Push refusals are sorted into errors here, once.

mod error;
pub(crate) mod transport;

pub use error::{Error, Result};

use crate::git::Git;
use crate::store::{Kind, Namespace, REF_ROOT, Store, Tip};

/// The remote a namespace syncs with: `beads.<namespace>.remote` (e.g.
/// `beads.heads/main.remote`), else for branch namespaces `beads.remote`,
/// else `origin`. Tracking refs sync with nothing.
pub fn remote_for(store: &Store, ns: &Namespace) -> Option<String> {
    let cfg = store.repo().config_snapshot();
    let configured = |ns: &Namespace| cfg.string(format!("beads.{}.remote", ns.short()).as_str()).map(|r| r.to_string());
    if let Some(r) = configured(ns) {
        return (!r.is_empty()).then_some(r);
    }
    match ns.kind() {
        Kind::Branch(_) => {
            Some(cfg.string("beads.remote").map(|s| s.to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| "origin".into()))
        }
        // This project's planning namespaces (`planning/<project>` and
        // `planning/<project>-<phase>`) go to the planning remote; other
        // projects' planning in a shared planning repository is not ours.
        Kind::Planning(name) => {
            let main = store.planning_namespace()?;
            let project = match main.kind() {
                Kind::Planning(p) => p.to_string(),
                _ => return None,
            };
            let phase = name.strip_prefix(project.as_str()).is_some_and(|rest| rest.starts_with('-'));
            // `planning/<project>-<phase>` may also be another project's
            // (`git` and `git-beads` in one planning repository): its commits
            // say whose it is.
            if name == project || (phase && written_for(store, ns, &main).is_none_or(|p| p == project)) {
                configured(&main).filter(|r| !r.is_empty())
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The project a planning namespace's latest commits were written for
/// (their `Beads-Project` trailer), looking at the local ref, else at the
/// tracking ref of `main`'s remote; `None` when no commit says.
fn written_for(store: &Store, ns: &Namespace, main: &Namespace) -> Option<String> {
    let cfg = store.repo().config_snapshot();
    let remote = cfg.string(format!("beads.{}.remote", main.short()).as_str()).map(|r| r.to_string());
    let tip = store.tip(ns).ok().flatten().or_else(|| {
        let r = remote?;
        ref_tip(store, &tracking_ref(ns, &r)).ok().flatten()
    })?;
    let mut commit = tip.commit;
    // Merge commits carry no trailer: walk first parents a little way.
    for _ in 0..16 {
        let c = store.repo().find_commit(commit).ok()?;
        let message = c.message_raw_sloppy().to_string();
        if let Some(p) = message.lines().find_map(|l| l.strip_prefix("Beads-Project: ")) {
            return Some(p.trim().to_string());
        }
        commit = c.parent_ids().next()?.detach();
    }
    None
}

/// The tracking ref of `ns` for `remote`: `refs/beads/remotes/<remote>/<short>`.
pub fn tracking_ref(ns: &Namespace, remote: &str) -> String {
    format!("{REF_ROOT}remotes/{remote}/{}", ns.short())
}

/// What `git fetch` needs to keep the tracking refs of `remote` current.
pub fn fetch_refspecs(remote: &str) -> Vec<String> {
    ["heads", "planning", "proposals", "rejected"]
        .iter()
        .map(|kind| format!("+refs/beads/{kind}/*:refs/beads/remotes/{remote}/{kind}/*"))
        .collect()
}

/// git for this repository, with the network timeout on its fetches and pushes.
pub(crate) fn git(store: &Store) -> Result<Git> {
    Ok(store.network_git()?)
}

/// Fails unless `remote` is a configured remote.
pub fn check_remote(store: &Store, remote: &str) -> Result<()> {
    let known = git(store)?.remotes()?;
    if known.iter().any(|r| r == remote) { Ok(()) } else { Err(Error::NoSuchRemote { name: remote.to_string(), known }) }
}

/// How many beads refs `remote` has (`git ls-remote`, under the network
/// timeout): for a clone that has none of its own yet.
pub fn count_remote_refs(store: &Store, remote: &str) -> Result<usize> {
    let out = git(store)?.output(["ls-remote", "--refs", "--end-of-options", remote, "refs/beads/*"])?;
    if !out.status.success() {
        return Err(Error::Remote { remote: remote.to_string(), message: transport::first_lines(&String::from_utf8_lossy(&out.stderr)) });
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains("\trefs/beads/") && !l.contains("\trefs/beads/remotes/")).count())
}

/// Fetches the beads namespaces of `remote` into its tracking refs.
pub fn fetch(store: &Store, remote: &str) -> Result<()> {
    check_remote(store, remote)?;
    transport::fetch(&git(store)?, remote, &fetch_refspecs(remote))
}

pub(crate) fn ref_tip(store: &Store, name: &str) -> Result<Option<Tip>> {
    Ok(store.tip(&Namespace::from_ref(name)?)?)
}

/// The namespaces (as local ref names) `remote` has, from its tracking refs.
pub(crate) fn remote_names(store: &Store, remote: &str) -> Result<Vec<String>> {
    let prefix = format!("remotes/{remote}/");
    Ok(store.namespaces()?.iter().filter_map(|t| t.short().strip_prefix(&prefix).map(|rest| format!("{REF_ROOT}{rest}"))).collect())
}

/// Pushes `changes` to `remote` in one atomic push with leases, for callers
/// that do not fetch and merge on a lost race: a refusal by the remote is
/// `PushRefused`, a remote that moved since the last fetch `NotPushable`.
pub fn push(store: &Store, remote: &str, changes: &[transport::Change]) -> Result<()> {
    match transport::push_changes(&git(store)?, remote, changes)? {
        Ok(()) => Ok(()),
        Err(transport::Refusal::Refused { reason, details, .. }) => Err(Error::PushRefused { remote: remote.to_string(), reason, details }),
        Err(transport::Refusal::Stale(what)) => Err(Error::NotPushable {
            namespace: changes.first().map(|c| c.refname.clone()).unwrap_or_default(),
            message: format!("{remote} changed it since the last fetch ({what}); run `git beads sync {remote}` and try again"),
        }),
    }
}
