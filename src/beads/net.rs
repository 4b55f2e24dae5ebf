//! Between clones and repositories: sync (with the answers to our proposals
//! it brings), propose and accept, and the verdict for a pull request.

use super::{Beads, Error, Result};
use crate::check;
use crate::proposals::{self, Accepted, Proposal, RemoteSync};
use crate::remote;
use crate::store::Namespace;
use crate::sync;

/// What a sync with several remotes did: those that synced, and those that
/// failed (one failing does not keep the others from syncing).
#[derive(Debug, Default)]
pub struct SyncOutcome {
    /// The remotes that synced, each with its report.
    pub synced: Vec<RemoteSync>,
    /// The remotes that failed, by name, each with its error.
    pub failed: Vec<(String, Error)>,
}

impl SyncOutcome {
    /// Whether every remote synced every namespace.
    pub fn complete(&self) -> bool {
        self.failed.is_empty() && self.synced.iter().all(|r| r.report.complete())
    }
}

impl Beads {
    /// The remotes a sync without one named goes to: those the local
    /// namespaces sync with (canonical's first), then those holding
    /// proposals of ours.
    pub fn sync_remotes(&self) -> Result<Vec<String>> {
        Ok(proposals::remotes_to_sync(&self.store)?)
    }

    /// Fetches, merges and (with `push`) pushes every namespace that syncs
    /// with `remote`, then settles our proposals it answered.
    pub fn sync_with(&self, remote: &str, push: bool) -> Result<RemoteSync> {
        let actor = self.actor();
        let report = sync::sync(&self.store, &actor, remote, sync::Options { push })?;
        let proposals = proposals::reconcile(&self.store, &actor, remote)?;
        Ok(RemoteSync { report, proposals })
    }

    /// Syncs with `remote`, or with every remote in use.
    pub fn sync(&self, remote: Option<&str>, push: bool) -> Result<SyncOutcome> {
        let remotes = match remote {
            Some(r) => vec![r.to_string()],
            None => self.sync_remotes()?,
        };
        if remotes.is_empty() {
            let known = crate::git::Git::new(self.store.repo().git_dir()).remotes()?;
            return Err(remote::Error::NoSuchRemote { name: "origin".into(), known }.into());
        }
        let mut out = SyncOutcome::default();
        for r in remotes {
            match self.sync_with(&r, push) {
                Ok(s) => out.synced.push(s),
                Err(e) => out.failed.push((r, e)),
            }
        }
        Ok(out)
    }

    /// The remote proposals go to by default: `upstream` if there is one, else `origin`.
    pub fn default_proposal_remote(&self) -> Result<String> {
        let remotes = crate::git::Git::new(self.store.repo().git_dir()).remotes()?;
        for r in ["upstream", "origin"] {
            if remotes.iter().any(|x| x == r) {
                return Ok(r.to_string());
            }
        }
        Err(remote::Error::NoSuchRemote { name: "upstream".into(), known: remotes }.into())
    }

    /// Offers `ids` (the very same blobs) on `to` (default: upstream, else
    /// origin) as proposal `name` (default: `<actor>/<first id>`).
    pub fn propose(&self, ids: &[&str], to: Option<&str>, name: Option<&str>) -> Result<Proposal> {
        let t = self.targets(ids)?;
        let items: Vec<(Namespace, String)> =
            t.groups.iter().flat_map(|(ns, ids)| ids.iter().map(move |i| (ns.clone(), i.clone()))).collect();
        let remote = match to {
            Some(r) => r.to_string(),
            None => self.default_proposal_remote()?,
        };
        let actor = self.actor();
        let name = name.map(str::to_string).unwrap_or_else(|| proposals::default_name(&actor, &items[0].1));
        Ok(proposals::propose(&self.store, &actor, &items, &remote, &name)?)
    }

    /// Accepts proposals (by name) or the issues given by ID from the
    /// proposals holding them into the canonical namespace, publishes it, and
    /// removes proposals that are wholly in.
    pub fn accept(&self, which: &[&str]) -> Result<Accepted> {
        self.require_init()?;
        let which: Vec<String> = which.iter().map(|w| w.to_string()).collect();
        Ok(proposals::accept(&self.store, &self.actor(), &which, &self.store.canonical()?)?)
    }

    /// The verdict for a pull request (docs/ci.md).
    pub fn check(&self, opts: &check::Options) -> Result<check::Report> {
        if let Some(remote) = &opts.remote {
            remote::fetch(&self.store, remote)?;
        }
        Ok(check::check(&self.store, opts)?)
    }
}
