//! Namespaces of branches that are gone: listing them, and deleting them
//! here and on their remote.

use super::local_namespaces;
use crate::remote::{self, Result, remote_for, tracking_ref, transport};
use crate::store::{Kind, Namespace, Store};

/// A branch namespace whose branch is gone.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Stale {
    pub namespace: String,
    pub open_issues: usize,
    pub issues: usize,
    /// Whether it was deleted (here, and on its remote if it had one there).
    pub pruned: bool,
    pub remote: Option<String>,
}

/// Branch namespaces whose branch no longer exists here. With `apply`, the
/// ones without open issues (all of them with `force`) are deleted locally
/// and on their remote.
pub fn prune(store: &Store, apply: bool, force: bool) -> Result<Vec<Stale>> {
    let canonical = store.canonical()?;
    let mut out = Vec::new();
    for ns in local_namespaces(store)? {
        let Kind::Branch(branch) = ns.kind() else { continue };
        if ns == canonical || store.branch_exists(branch) {
            continue;
        }
        let snap = store.snapshot(&ns)?;
        let open = snap.index.rows().filter(|r| !crate::store::index::status_code::is_done(r.index.status_code(r.row))).count();
        let remote = remote_for(store, &ns);
        let mut stale = Stale { namespace: ns.to_string(), open_issues: open, issues: snap.index.len(), pruned: false, remote: None };
        if apply && (open == 0 || force) {
            if let Some(r) = &remote {
                let tracking = Namespace::from_ref(&tracking_ref(&ns, r))?;
                if let Some(t) = store.tip(&tracking)? {
                    let change = transport::Change { refname: ns.refname().to_string(), new: None, expected: Some(t.commit) };
                    remote::push(store, r, &[change])?;
                    // git itself drops the tracking ref when a configured fetch refspec maps it.
                    if store.tip(&tracking)?.is_some() {
                        store.delete_ref(&tracking, None)?;
                    }
                    stale.remote = Some(r.clone());
                }
            }
            if let Some(tip) = snap.tip {
                store.delete_ref(&ns, Some(tip.commit))?;
            }
            stale.pruned = true;
        }
        out.push(stale);
    }
    Ok(out)
}
