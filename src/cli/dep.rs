//! `dep`: add, remove, list, tree, cycles.

use super::ui::clean;
use super::{Ctx, UsageError, exit};
use crate::graph::{Node, Universe};
use crate::model::DepType;
use crate::ops;
use serde_json::json;
use std::collections::HashSet;

/// `dep SUBCOMMAND`, or bd's short form `dep BLOCKER --blocks BLOCKED`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_required = false)]
pub struct DepArgs {
    #[command(subcommand)]
    pub command: Option<DepCommand>,
    /// With --blocks: the issue that blocks.
    #[arg(value_name = "BLOCKER", requires = "blocks")]
    pub blocker: Option<String>,
    /// BLOCKER blocks this issue (it gets a `blocks` dependency on BLOCKER):
    /// the same as `dep add BLOCKED BLOCKER`.
    #[arg(long, value_name = "BLOCKED", requires = "blocker")]
    pub blocks: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum DepCommand {
    /// ISSUE depends on DEPENDS_ON (refuses a cycle, and names it).
    Add {
        issue: String,
        depends_on: String,
        /// blocks (default), parent-child, conditional-blocks, waits-for,
        /// related, discovered-from, duplicates, supersedes, ...
        #[arg(short = 't', long = "type", default_value = "blocks")]
        dep_type: String,
    },
    /// Remove the dependency of ISSUE on DEPENDS_ON.
    #[command(alias = "rm")]
    Remove { issue: String, depends_on: String },
    /// List what ISSUE depends on (down), what depends on it (up), or both.
    List {
        issue: String,
        #[arg(long, default_value = "down", value_parser = ["down", "up", "both"])]
        direction: String,
        /// Only this dependency type.
        #[arg(short = 't', long = "type")]
        dep_type: Option<String>,
    },
    /// The tree of what ISSUE depends on (or, with --direction up, what depends on it).
    Tree {
        issue: String,
        #[arg(long, default_value_t = 10)]
        max_depth: usize,
        #[arg(long, default_value = "down", value_parser = ["down", "up"])]
        direction: String,
    },
    /// Every dependency cycle.
    Cycles,
}

pub fn run_args(ctx: &mut Ctx, a: DepArgs) -> anyhow::Result<u8> {
    match (a.command, a.blocker, a.blocks) {
        (Some(c), _, _) => run(ctx, c),
        (None, Some(blocker), Some(blocked)) => {
            run(ctx, DepCommand::Add { issue: blocked, depends_on: blocker, dep_type: "blocks".into() })
        }
        _ => Err(UsageError("give a subcommand (add, remove, list, tree, cycles) or `dep BLOCKER --blocks BLOCKED`".into()).into()),
    }
}

pub fn run(ctx: &mut Ctx, c: DepCommand) -> anyhow::Result<u8> {
    match c {
        DepCommand::Add { issue, depends_on, dep_type } => {
            let ty = DepType::parse_cli(&dep_type)?;
            if let DepType::Custom(t) = &ty {
                return Err(UsageError(format!("unknown dependency type {t:?}: expected one of {}", DepType::BUILTIN.join(", "))).into());
            }
            let done = ctx.beads.dep_add(&issue, &depends_on, ty)?;
            let o = &done;
            if ctx.ui.json {
                ctx.ui.json_value(o)?;
            } else if o.status == "added" {
                ctx.ui.status(&format!("{} now depends on {} ({})", o.issue_id, o.depends_on_id, o.dep_type));
            } else if o.status == "retyped" {
                ctx.ui.status(&format!("{} depends on {} as {} now (one dependency per pair)", o.issue_id, o.depends_on_id, o.dep_type));
            } else {
                ctx.ui.status(&format!("{} already depends on {} ({})", o.issue_id, o.depends_on_id, o.dep_type));
            }
        }
        DepCommand::Remove { issue, depends_on } => {
            let done = ctx.beads.dep_remove(&issue, &depends_on)?;
            let o = &done;
            if ctx.ui.json {
                ctx.ui.json_value(o)?;
            } else if o.status == "removed" {
                ctx.ui.status(&format!("{} no longer depends on {}", o.issue_id, o.depends_on_id));
            } else {
                ctx.ui.status(&format!("{} did not depend on {}", o.issue_id, o.depends_on_id));
            }
        }
        DepCommand::List { issue, direction, dep_type } => {
            let view = ctx.view_for(&[&issue])?;
            let u = view.universe();
            let n = view.resolve(&ctx.store(), &u, &issue)?;
            let only = dep_type.as_deref().map(DepType::parse_cli).transpose()?.map(|t| t.to_string());
            let keep = |ty: &str| only.as_deref().is_none_or(|o| o == ty);
            let mut rows = Vec::new();
            if direction != "up" {
                for (id, ty, target) in ops::dependencies_of(&u, n) {
                    if keep(&ty) {
                        rows.push((u.id(n).to_string(), id, ty, target, "down"));
                    }
                }
            }
            if direction != "down" {
                for (m, ty) in ops::dependents_of(&u, n) {
                    if keep(&ty) {
                        rows.push((u.id(m).to_string(), u.id(n).to_string(), ty, Some(m), "up"));
                    }
                }
            }
            if ctx.ui.json {
                let v: Vec<_> = rows
                    .iter()
                    .map(|(from, to, ty, other, dir)| {
                        let (title, status, prio) = headline(&u, *other);
                        json!({ "issue_id": from, "depends_on_id": to, "type": ty, "direction": dir, "title": title, "status": status, "priority": prio })
                    })
                    .collect();
                ctx.ui.json_value(&v)?;
            } else {
                for (from, to, ty, other, dir) in &rows {
                    let (title, status, _) = headline(&u, *other);
                    let (arrow, id) = if *dir == "down" { ("->", to) } else { ("<-", from) };
                    ctx.ui.line(&format!(
                        "{arrow} {id}  [{}]  {}  {}",
                        clean(ty, true),
                        status.unwrap_or("missing"),
                        clean(title.unwrap_or(""), true)
                    ))?;
                }
                if rows.is_empty() {
                    ctx.ui.status("no dependencies");
                }
            }
        }
        DepCommand::Tree { issue, max_depth, direction } => {
            let view = ctx.view_for(&[&issue])?;
            let u = view.universe();
            let root = view.resolve(&ctx.store(), &u, &issue)?;
            let mut lines = Vec::new();
            let mut on_path = HashSet::new();
            walk(&u, root, None, 0, max_depth, direction == "up", &mut on_path, &mut lines);
            if ctx.ui.json {
                let v: Vec<_> = lines
                    .iter()
                    .map(|l| json!({ "id": l.id, "title": l.title, "status": l.status, "priority": l.priority, "depth": l.depth, "parent_id": l.parent, "dependency_type": l.dep_type, "truncated": l.truncated, "cycle": l.cycle }))
                    .collect();
                ctx.ui.json_value(&v)?;
            } else {
                for l in &lines {
                    let indent = "  ".repeat(l.depth);
                    let ty = l.dep_type.as_deref().map(|t| format!("[{t}] ")).unwrap_or_default();
                    let mark = if l.cycle {
                        "  (cycle)"
                    } else if l.truncated {
                        "  ..."
                    } else {
                        ""
                    };
                    ctx.ui.line(&format!(
                        "{indent}{ty}{}  {}  P{}  {}{mark}",
                        l.id,
                        l.status,
                        l.priority.unwrap_or(0),
                        clean(&l.title, true)
                    ))?;
                }
            }
        }
        DepCommand::Cycles => {
            let view = ctx.view()?;
            let u = view.universe();
            let cycles = u.cycles();
            if ctx.ui.json {
                ctx.ui.json_value(&json!({ "cycles": cycles, "count": cycles.len() }))?;
            } else if cycles.is_empty() {
                ctx.ui.status("no dependency cycles");
            } else {
                for c in &cycles {
                    ctx.ui.line(&c.join(" -> "))?;
                }
            }
        }
    }
    Ok(exit::OK)
}

fn headline<'u>(u: &'u Universe<'_>, n: Option<Node>) -> (Option<&'u str>, Option<&'u str>, Option<u8>) {
    match n {
        Some(n) => {
            let (_, idx, r) = u.locate(n);
            (Some(idx.title(r)), Some(idx.status(r)), Some(idx.priority(r)))
        }
        None => (None, None, None),
    }
}

struct TreeLine {
    id: String,
    title: String,
    status: String,
    priority: Option<u8>,
    depth: usize,
    parent: Option<String>,
    dep_type: Option<String>,
    truncated: bool,
    cycle: bool,
}

#[allow(clippy::too_many_arguments)]
fn walk(
    u: &Universe<'_>,
    n: Node,
    via: Option<(&str, &str)>,
    depth: usize,
    max: usize,
    up: bool,
    on_path: &mut HashSet<Node>,
    out: &mut Vec<TreeLine>,
) {
    let (title, status, prio) = headline(u, Some(n));
    let cycle = on_path.contains(&n);
    let next: Vec<(Option<Node>, String, String)> = if up {
        ops::dependents_of(u, n).into_iter().map(|(m, ty)| (Some(m), u.id(m).to_string(), ty)).collect()
    } else {
        ops::dependencies_of(u, n).into_iter().map(|(id, ty, t)| (t, id, ty)).collect()
    };
    let truncated = depth >= max && !next.is_empty();
    out.push(TreeLine {
        id: u.id(n).to_string(),
        title: title.unwrap_or("").to_string(),
        status: status.unwrap_or("").to_string(),
        priority: prio,
        depth,
        parent: via.map(|v| v.0.to_string()),
        dep_type: via.map(|v| v.1.to_string()),
        truncated,
        cycle,
    });
    if cycle || truncated {
        return;
    }
    on_path.insert(n);
    let me = u.id(n).to_string();
    for (target, id, ty) in next {
        match target {
            Some(t) => walk(u, t, Some((&me, &ty)), depth + 1, max, up, on_path, out),
            None => out.push(TreeLine {
                id,
                title: String::new(),
                status: "missing".into(),
                priority: None,
                depth: depth + 1,
                parent: Some(me.clone()),
                dep_type: Some(ty),
                truncated: false,
                cycle: false,
            }),
        }
    }
    on_path.remove(&n);
}
