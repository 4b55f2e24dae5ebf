//! `log ID`: one issue's history, from the commits of its namespace.

use super::ui::clean;
use super::{Ctx, exit};
use crate::store::history;

#[derive(clap::Args, Debug)]
pub struct LogArgs {
    /// The issue (any unique prefix).
    pub issue: String,
    /// At most N entries (0: all).
    #[arg(short = 'n', long, default_value_t = 0)]
    pub limit: usize,
}

pub fn run(ctx: &mut Ctx, a: LogArgs) -> anyhow::Result<u8> {
    let view = ctx.view_for(&[&a.issue])?;
    let u = view.universe();
    // A deleted issue is no longer in the view but still has a history.
    let (ns, id) = match view.resolve(&ctx.store(), &u, &a.issue) {
        Ok(n) => (view.locate(&u, n).snapshot.namespace.clone(), u.id(n).to_string()),
        Err(e) => match view.snapshots.first() {
            Some(s) if crate::model::id::validate_id(&a.issue).is_ok() => {
                let log = history::issue_log(&ctx.store(), &s.namespace, &a.issue, a.limit)?;
                if log.entries.is_empty() && !log.shallow {
                    return Err(e.into());
                }
                (s.namespace.clone(), a.issue.clone())
            }
            _ => return Err(e.into()),
        },
    };
    let log = history::issue_log(&ctx.store(), &ns, &id, a.limit)?;
    if log.shallow {
        ctx.ui.warn(&format!(
            "this clone is shallow: the history of {id} is cut at its shallow boundary (`git fetch --unshallow` brings the rest)"
        ));
    }
    let entries = log.entries;
    if ctx.ui.json {
        ctx.ui.json_value(&entries)?;
        return Ok(exit::OK);
    }
    for e in &entries {
        let kind = match e.kind {
            history::ChangeKind::Created => "created",
            history::ChangeKind::Modified => "modified",
            history::ChangeKind::Deleted => "deleted",
        };
        ctx.ui.line(&format!("{} {}  {kind:<8} {}  {}", &e.commit[..12], e.time, clean(&e.author, true), clean(&e.summary, true)))?;
        if !e.fields.is_empty() && e.kind == history::ChangeKind::Modified {
            ctx.ui.line(&format!("    fields: {}", e.fields.join(", ")))?;
        }
    }
    Ok(exit::OK)
}
