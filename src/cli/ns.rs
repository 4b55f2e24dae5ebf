//! `ns list` and `ns prune`: the namespaces, and those of deleted branches.

use super::{Ctx, exit};
use crate::proposals::{self};
use crate::store::Kind;
use crate::sync;
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum NsCommand {
    /// Every namespace with its remote, issue counts and visibility.
    List,
    /// Namespaces of branches that no longer exist (deletes them with --apply).
    Prune {
        /// Delete them (locally and on their remote); without it, only list.
        #[arg(long)]
        apply: bool,
        /// Delete even namespaces that still hold open issues.
        #[arg(long, requires = "apply")]
        force: bool,
    },
}

pub fn ns(ctx: &mut Ctx, c: NsCommand) -> anyhow::Result<u8> {
    match c {
        NsCommand::List => {
            let canonical = ctx.store().canonical()?;
            // A proposal's remote is the one it was offered on.
            let offered: std::collections::HashMap<String, String> =
                proposals::list(&ctx.store())?.0.into_iter().filter_map(|p| Some((p.refname, p.remote?))).collect();
            let mut rows = Vec::new();
            for ns in ctx.store().namespaces()? {
                if matches!(ns.kind(), Kind::Tracking { .. }) {
                    continue;
                }
                let snap = ctx.store().snapshot(&ns)?;
                let open = snap.index.rows().filter(|r| !crate::store::index::status_code::is_done(r.index.status_code(r.row))).count();
                let visibility = match ns.kind() {
                    _ if ns == canonical => "canonical",
                    Kind::Proposal(_) => "proposed",
                    Kind::Rejected(_) => "rejected",
                    _ => "local",
                };
                let branch_exists = match ns.kind() {
                    Kind::Branch(b) => Some(ctx.store().branch_exists(b)),
                    _ => None,
                };
                rows.push(json!({
                    "namespace": ns.refname(),
                    "remote": crate::remote::remote_for(&ctx.store(), &ns).or_else(|| offered.get(ns.refname()).cloned()),
                    "issues": snap.index.len(),
                    "open_issues": open,
                    "visibility": visibility,
                    "branch_exists": branch_exists,
                }));
            }
            if ctx.ui.json {
                ctx.ui.json_value(&rows)?;
            } else {
                let w = rows.iter().map(|r| r["namespace"].as_str().unwrap_or("").len()).max().unwrap_or(0);
                for r in &rows {
                    let gone = if r["branch_exists"] == json!(false) { "  (branch deleted)" } else { "" };
                    ctx.ui.line(&format!(
                        "{:<w$}  {:<10} {:>6} issues {:>6} open  {}{gone}",
                        r["namespace"].as_str().unwrap_or(""),
                        r["remote"].as_str().unwrap_or("-"),
                        r["issues"],
                        r["open_issues"],
                        r["visibility"].as_str().unwrap_or("")
                    ))?;
                }
            }
        }
        NsCommand::Prune { apply, force } => {
            let stale = sync::prune(&ctx.store(), apply, force)?;
            if ctx.ui.json {
                ctx.ui.json_value(&stale)?;
            } else {
                for s in &stale {
                    let what = if s.pruned {
                        format!("deleted{}", s.remote.as_deref().map(|r| format!(" (and on {r})")).unwrap_or_default())
                    } else if apply {
                        format!("kept: {} open issues (promote them, or --force)", s.open_issues)
                    } else {
                        format!("branch deleted; {} issues, {} open (delete with --apply)", s.issues, s.open_issues)
                    };
                    ctx.ui.line(&format!("{}  {what}", s.namespace))?;
                }
                if stale.is_empty() {
                    ctx.ui.status("no namespaces of deleted branches");
                }
            }
        }
    }
    Ok(exit::OK)
}
