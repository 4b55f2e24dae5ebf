//! Moving issues between namespaces, merging with what the target has.

use super::Result;
use crate::model::Issue;
use crate::store::{Actor, Namespace, Store, Txn};

/// Puts `issues` into the transaction's namespace: those it lacks as they
/// are, those it has with other content merged by the sync rules. Returns
/// the IDs merged and what was auto-resolved.
pub fn merge_in(txn: &mut Txn<'_>, issues: &[Issue]) -> Result<(Vec<String>, Vec<crate::merge::Resolution>)> {
    let mut merged = Vec::new();
    let mut resolved = Vec::new();
    for incoming in issues {
        match txn.get(&incoming.id)? {
            None => txn.put(incoming.clone())?,
            Some(existing) if existing == *incoming => {}
            Some(existing) => {
                let (m, notes) = crate::merge::merge_issues(None, &existing, incoming);
                resolved.extend(notes);
                merged.push(incoming.id.clone());
                txn.put(m)?;
            }
        }
    }
    Ok((merged, resolved))
}

/// What `promote` did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Promoted {
    pub to: String,
    pub moved: Vec<String>,
    /// Issues the target already had with other content: merged by the sync rules.
    pub merged: Vec<String>,
    pub resolved: Vec<crate::merge::Resolution>,
    /// Issues that changed in their namespace while being promoted: copied,
    /// but left in place (promote them again).
    pub kept: Vec<String>,
}

/// Moves issues (each with the namespace it lives in) to `to`, keeping their
/// IDs: first written to `to` (merged field by field if `to` has the ID with
/// other content), then removed from where they were, unless they changed
/// there meanwhile.
pub fn promote(store: &Store, actor: &Actor, items: &[(Namespace, String)], to: &Namespace) -> Result<Promoted> {
    let mut out = Promoted { to: to.to_string(), ..Default::default() };
    let mut groups: Vec<(Namespace, Vec<String>)> = Vec::new();
    for (ns, id) in items {
        if ns == to {
            continue;
        }
        match groups.iter_mut().find(|(g, _)| g == ns) {
            Some((_, ids)) => ids.push(id.clone()),
            None => groups.push((ns.clone(), vec![id.clone()])),
        }
    }
    for (from, ids) in groups {
        let tip = store.tip(&from)?.ok_or_else(|| crate::store::Error::NotFound { id: ids[0].clone(), namespace: from.to_string() })?;
        let mut issues = Vec::new();
        for id in &ids {
            issues.push(
                store
                    .issue_at(&from, &tip, id)?
                    .ok_or_else(|| crate::store::Error::NotFound { id: id.clone(), namespace: from.to_string() })?,
            );
        }
        let done = store.mutate(to, actor, |txn| -> Result<_> {
            txn.set_op("promote");
            let out = merge_in(txn, &issues)?;
            txn.add_trailer("Beads-Promoted-From", from.to_string());
            Ok(out)
        })?;
        out.merged.extend(done.value.0);
        out.resolved.extend(done.value.1);
        let removed = store.mutate(&from, actor, |txn| -> Result<_> {
            txn.set_op("promote");
            let mut moved = Vec::new();
            let mut kept = Vec::new();
            for promoted in &issues {
                match txn.get(&promoted.id)? {
                    Some(now) if now == *promoted => {
                        txn.delete(&promoted.id);
                        moved.push(promoted.id.clone());
                    }
                    Some(_) => kept.push(promoted.id.clone()),
                    None => moved.push(promoted.id.clone()),
                }
            }
            txn.set_summary(format!("promote {} issues to {}", moved.len(), to.short()));
            txn.add_trailer("Beads-Promoted-To", to.to_string());
            Ok((moved, kept))
        })?;
        out.moved.extend(removed.value.0);
        out.kept.extend(removed.value.1);
    }
    Ok(out)
}
