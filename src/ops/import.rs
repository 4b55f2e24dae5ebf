//! Reading beads JSONL and importing it as one commit.

use super::Result;
use crate::model::{self, Issue, Status, id};
use crate::store::{Actor, Committed, Namespace, Store};

/// What an import did (or would do).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub total: usize,
    pub dry_run: bool,
}

/// Imports `issues` into `ns` as one commit: new IDs are created, existing
/// ones replaced (or left alone with `skip_existing`).
pub fn import(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    issues: &[Issue],
    skip_existing: bool,
    dry_run: bool,
    source: &str,
) -> Result<Committed<ImportReport>> {
    store.mutate(ns, actor, |txn| -> Result<_> {
        txn.set_op("import");
        let index = txn.index()?;
        let unreadable: std::collections::HashMap<String, crate::store::index::InvalidEntry> =
            index.invalid().into_iter().filter_map(|e| Some((id::id_from_path(&e.path)?.to_string(), e))).collect();
        if let Some((bad, e)) = issues.iter().find_map(|i| unreadable.get(&i.id).map(|e| (&i.id, e))) {
            return Err(crate::store::Error::Unreadable {
                id: bad.clone(),
                namespace: txn.namespace().to_string(),
                path: e.path.clone(),
                blob: e.blob.clone(),
                reason: format!("{}; importing over it would lose it, so nothing was imported", e.error),
            }
            .into());
        }
        let mut report = ImportReport { total: issues.len(), dry_run, ..Default::default() };
        let mut staged = Vec::new();
        for issue in issues {
            match index.find(&issue.id) {
                None => {
                    report.created += 1;
                    staged.push(issue);
                }
                Some(_) if skip_existing => report.skipped += 1,
                Some(row) => {
                    let existing = txn.store().read_issue(txn.namespace(), &id::blob_path(&issue.id), row.index.blob(row.row))?;
                    if existing == *issue {
                        report.unchanged += 1;
                    } else {
                        report.updated += 1;
                        staged.push(issue);
                    }
                }
            }
        }
        if !dry_run {
            for issue in staged {
                txn.put(issue.clone())?;
            }
            txn.set_summary(format!("import {} issues from {source} ({} new, {} updated)", issues.len(), report.created, report.updated));
            txn.add_trailer("Beads-Import-Source", source);
        }
        Ok(report)
    })
}

/// Parses beads JSONL: one issue per non-blank line. Every bad line is
/// reported (with its number), and nothing is returned unless all are good.
pub fn parse_jsonl(text: &str) -> std::result::Result<Vec<Issue>, Vec<(usize, String)>> {
    let mut issues = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line == "=======" {
            errors.push((lineno, "a merge conflict marker: resolve the conflict in the file first".to_string()));
            continue;
        }
        match model::codec::from_slice(line.as_bytes()) {
            Ok(mut issue) => {
                // beads keeps closed_at with closed issues only.
                if issue.status.is_closed() && issue.closed_at.is_none() {
                    issue.closed_at = Some(issue.updated_at);
                }
                if !issue.status.is_closed() && issue.status != Status::Tombstone {
                    issue.closed_at = None;
                }
                if let Some(prev) = seen.insert(issue.id.clone(), lineno) {
                    errors.push((lineno, format!("issue {} appears again (first on line {prev})", issue.id)));
                    continue;
                }
                issues.push(issue);
            }
            Err(e) => errors.push((lineno, crate::store::cache::error_chain(&e))),
        }
    }
    if errors.is_empty() { Ok(issues) } else { Err(errors) }
}
