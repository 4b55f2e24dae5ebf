//! `label`: add, remove, list, list-all.

use super::ui::clean;
use super::{Ctx, UsageError, exit};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(clap::Subcommand, Debug)]
pub enum LabelCommand {
    /// Add a label to issues: `label add ID... LABEL` (or `-l LABEL`).
    Add(LabelChange),
    /// Remove a label from issues: `label remove ID... LABEL` (or `-l LABEL`).
    #[command(alias = "rm")]
    Remove(LabelChange),
    /// The labels of one issue, or every label in use.
    List { issue: Option<String> },
    /// Every label in use, with how many issues carry it.
    ListAll,
}

#[derive(clap::Args, Debug)]
pub struct LabelChange {
    /// Issue IDs, then the label (unless -l is given).
    #[arg(required = true, num_args = 1..)]
    pub args: Vec<String>,
    /// The label.
    #[arg(short = 'l', long)]
    pub label: Option<String>,
}

impl LabelChange {
    fn split(self) -> anyhow::Result<(Vec<String>, String)> {
        let mut args = self.args;
        let label = match self.label {
            Some(l) => l,
            None if args.len() >= 2 => args.pop().expect("at least two"),
            None => return Err(UsageError("give the issue IDs and then the label (or -l LABEL)".into()).into()),
        };
        Ok((args, label.trim().to_string()))
    }
}

pub fn run(ctx: &mut Ctx, c: LabelCommand) -> anyhow::Result<u8> {
    match c {
        LabelCommand::Add(change) => change_labels(ctx, change, true)?,
        LabelCommand::Remove(change) => change_labels(ctx, change, false)?,
        LabelCommand::List { issue: Some(issue) } => {
            let view = ctx.view_for(&[&issue])?;
            let u = view.universe();
            let n = view.resolve(&ctx.store(), &u, &issue)?;
            let (_, idx, r) = u.locate(n);
            let labels: Vec<&str> = idx.labels(r).collect();
            if ctx.ui.json {
                ctx.ui.json_value(&labels)?;
            } else {
                for l in labels {
                    ctx.ui.line(&clean(l, true))?;
                }
            }
        }
        LabelCommand::List { issue: None } | LabelCommand::ListAll => {
            let view = ctx.view()?;
            let u = view.universe();
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for n in u.nodes() {
                let (_, idx, r) = u.locate(n);
                for l in idx.labels(r) {
                    *counts.entry(l).or_default() += 1;
                }
            }
            if ctx.ui.json {
                let v: Vec<_> = counts.iter().map(|(l, c)| json!({ "label": l, "count": c })).collect();
                ctx.ui.json_value(&v)?;
            } else {
                let w = counts.keys().map(|l| l.chars().count()).max().unwrap_or(0);
                for (l, c) in &counts {
                    ctx.ui.line(&format!("{:<w$}  {c}", clean(l, true)))?;
                }
            }
        }
    }
    Ok(exit::OK)
}

fn change_labels(ctx: &mut Ctx, change: LabelChange, add: bool) -> anyhow::Result<()> {
    let (ids, label) = change.split()?;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let all = ctx.beads.label(&refs, &label, add)?;
    if ctx.ui.json {
        ctx.ui.json_value(&all)?;
    } else {
        for o in &all {
            let msg = match o.status {
                "added" => format!("added {} to {}", clean(&o.label, true), o.issue_id),
                "exists" => format!("{} already has {}", o.issue_id, clean(&o.label, true)),
                "removed" => format!("removed {} from {}", clean(&o.label, true), o.issue_id),
                _ => format!("{} did not have {}", o.issue_id, clean(&o.label, true)),
            };
            ctx.ui.status(&msg);
        }
    }
    Ok(())
}
