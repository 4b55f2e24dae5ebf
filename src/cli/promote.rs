//! `promote`: moving issues from a branch namespace to another (canonical by default).

use super::list::ns_label;
use super::{Ctx, UsageError, exit};
use crate::ops;
use crate::store::{Kind, Namespace};

#[derive(clap::Args, Debug)]
pub struct PromoteArgs {
    /// Issues to move (any unique prefix).
    #[arg(num_args = 0.., required_unless_present = "all_from")]
    pub ids: Vec<String>,
    /// The branch to move them to (default: the canonical branch).
    #[arg(long, value_name = "BRANCH")]
    pub to: Option<String>,
    /// Move every issue of this branch's namespace (after merging the branch).
    #[arg(long, value_name = "BRANCH", conflicts_with = "ids")]
    pub all_from: Option<String>,
}

pub fn promote(ctx: &mut Ctx, a: PromoteArgs) -> anyhow::Result<u8> {
    let to = match &a.to {
        Some(b) => Namespace::branch(b)?,
        None => ctx.store().canonical()?,
    };
    let items: Vec<(Namespace, String)> = match &a.all_from {
        Some(branch) => {
            let from = Namespace::branch(branch)?;
            if ctx.store().tip(&from)?.is_none() {
                return Err(UsageError(format!("there is no namespace for branch {branch:?} ({from})")).into());
            }
            ctx.store().snapshot(&from)?.index.ids().map(|i| (from.clone(), i.to_string())).collect()
        }
        None => {
            let t = ctx.targets(&a.ids)?;
            t.groups.iter().flat_map(|(ns, ids)| ids.iter().map(move |i| (ns.clone(), i.clone()))).collect()
        }
    };
    if items.iter().any(|(ns, _)| !matches!(ns.kind(), Kind::Branch(_) | Kind::Planning(_))) {
        return Err(UsageError("only issues of branch or planning namespaces can be promoted".into()).into());
    }
    let actor = ctx.actor();
    let out = ops::promote(&ctx.store(), &actor, &items, &to)?;
    if ctx.ui.json {
        ctx.ui.json_value(&out)?;
    } else {
        if !out.moved.is_empty() {
            ctx.ui.line(&format!("promoted {} to {}", out.moved.join(", "), ns_label(&to)))?;
        }
        for m in &out.merged {
            ctx.ui.line(&format!("  {m} was already in {} with other content: merged by the sync rules", ns_label(&to)))?;
        }
        for k in &out.kept {
            ctx.ui.warn(&format!("{k} changed while being promoted: copied, but left where it was; promote it again"));
        }
    }
    Ok(exit::OK)
}
