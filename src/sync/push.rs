//! `push`: namespaces that are ahead of what was last fetched, without a merge.

use super::{Action, NsReport, SyncReport, merge_base, namespaces_for, unreadable_changes};
use crate::remote::{self, Error, Result, ref_tip, tracking_ref, transport};
use crate::store::{Namespace, Store};

/// Pushes local namespaces that are ahead of what was last fetched; refuses
/// (without pushing anything) when a namespace is behind or diverged.
pub fn push(store: &Store, remote: &str) -> Result<SyncReport> {
    remote::check_remote(store, remote)?;
    let mut updates = Vec::new();
    let mut reports = Vec::new();
    for ns in namespaces_for(store, remote)? {
        let Some(local) = store.tip(&ns)? else { continue };
        if store.is_readonly(&ns) {
            continue;
        }
        let remote_tip = ref_tip(store, &tracking_ref(&ns, remote))?;
        let mut report = NsReport::new(&ns, remote, Action::UpToDate, Some(local), remote_tip);
        match remote_tip {
            Some(r) if r.commit == local.commit => {}
            Some(r) if merge_base(store, local.commit, r.commit)? != Some(r.commit) => {
                return Err(Error::NotPushable {
                    namespace: ns.to_string(),
                    message: format!("{remote} has changes this clone does not; run `git beads sync {remote}` to merge them first"),
                });
            }
            _ => {
                let bad = unreadable_changes(store, remote_tip.map(|r| r.tree), local.tree)?;
                if let Some((path, why)) = bad.first() {
                    return Err(Error::NotPushable {
                        namespace: ns.to_string(),
                        message: format!("{path} cannot be read ({why}); fix it before pushing"),
                    });
                }
                report.action = Action::Pushed;
                report.remote_after = Some(local.commit.to_string());
                updates.push(transport::Update {
                    refname: ns.refname().to_string(),
                    new: local.commit,
                    expected: remote_tip.map(|r| r.commit),
                });
            }
        }
        reports.push((ns, report));
    }
    let changes: Vec<transport::Change> =
        updates.iter().map(|u| transport::Change { refname: u.refname.clone(), new: Some(u.new), expected: u.expected }).collect();
    remote::push(store, remote, &changes)?;
    for u in &updates {
        let ns = Namespace::from_ref(&u.refname)?;
        store.set_ref(&Namespace::from_ref(&tracking_ref(&ns, remote))?, u.new, &format!("git-beads: pushed to {remote}"))?;
    }
    Ok(SyncReport { remote: remote.to_string(), namespaces: reports.into_iter().map(|(_, r)| r).collect(), rounds: 1 })
}
