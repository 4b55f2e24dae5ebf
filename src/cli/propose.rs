//! Proposing issues upstream and answering proposals: propose, withdraw,
//! proposals, accept, reject; and promote between namespaces.

use super::list::ns_label;
use super::ui::clean;
use super::{Ctx, UsageError, exit};
use git_beads::proposals::{self, State};
use git_beads::store::{Kind, Namespace};
use git_beads::{ops, sync};
use serde_json::json;

#[derive(clap::Args, Debug)]
pub struct ProposeArgs {
    /// Issues to offer (any unique prefix).
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// The remote to offer them on (default: upstream if there is one, else origin).
    #[arg(long, value_name = "REMOTE")]
    pub to: Option<String>,
    /// The proposal's name (default: <you>/<first id>).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct WithdrawArgs {
    /// A proposal name, or an issue it holds.
    pub which: String,
}

#[derive(clap::Args, Debug)]
pub struct ProposalsArgs {}

#[derive(clap::Args, Debug)]
pub struct AcceptArgs {
    /// Proposal names, or issues to accept from the proposals holding them.
    #[arg(required = true, num_args = 1..)]
    pub which: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct RejectArgs {
    /// A proposal name, or an issue it holds.
    pub which: String,
    /// Why (the proposer sees it on their next sync).
    #[arg(short = 'r', long, value_name = "TEXT", required = true)]
    pub reason: String,
}

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

fn default_remote(ctx: &Ctx) -> anyhow::Result<String> {
    let remotes = git_beads::git::Git::new(ctx.store.repo().git_dir()).remotes()?;
    for r in ["upstream", "origin"] {
        if remotes.iter().any(|x| x == r) {
            return Ok(r.to_string());
        }
    }
    Err(git_beads::store::Error::NoSuchRemote { name: "upstream".into(), known: remotes }.into())
}

pub fn propose(ctx: &mut Ctx, a: ProposeArgs) -> anyhow::Result<u8> {
    let t = ctx.targets(&a.ids)?;
    let items: Vec<(Namespace, String)> = t.groups.iter().flat_map(|(ns, ids)| ids.iter().map(move |i| (ns.clone(), i.clone()))).collect();
    let remote = match a.to {
        Some(r) => r,
        None => default_remote(ctx)?,
    };
    let actor = ctx.actor();
    let name = a.name.unwrap_or_else(|| proposals::default_name(&actor, &items[0].1));
    let p = proposals::propose(&ctx.store, &actor, &items, &remote, &name)?;
    if ctx.ui.json {
        ctx.ui.json_value(&p)?;
    } else {
        ctx.ui.line(&format!("proposed {} on {remote} as {}", p.ids.join(", "), p.name))?;
    }
    Ok(exit::OK)
}

pub fn withdraw(ctx: &mut Ctx, a: WithdrawArgs) -> anyhow::Result<u8> {
    let gone = proposals::withdraw(&ctx.store, &ctx.actor(), &a.which)?;
    if ctx.ui.json {
        ctx.ui.json_value(&gone)?;
    } else {
        for p in &gone {
            ctx.ui.line(&format!("withdrew {} ({})", p.name, p.ids.join(", ")))?;
        }
    }
    Ok(exit::OK)
}

pub fn list(ctx: &mut Ctx, _a: ProposalsArgs) -> anyhow::Result<u8> {
    let (all, skipped) = proposals::list(&ctx.store)?;
    for (refname, why) in &skipped {
        ctx.ui.warn(&format!("skipped {refname}: {why}"));
    }
    if ctx.ui.json {
        ctx.ui.json_value(&all)?;
        return Ok(exit::OK);
    }
    for p in &all {
        let whose = if p.ours { "ours" } else { "fetched" };
        let where_ = p.remote.as_deref().map(|r| format!(" on {r}")).unwrap_or_default();
        let state = match &p.state {
            State::Offered => "offered".to_string(),
            State::Rejected { reason } => format!("rejected: {}", clean(reason, true)),
        };
        ctx.ui.line(&format!("{}  {state}{where_} ({whose}, by {})", p.name, clean(&p.proposer, true)))?;
        for (i, t) in p.ids.iter().zip(&p.titles) {
            ctx.ui.line(&format!("  {i}  {}", clean(t, true)))?;
        }
    }
    if all.is_empty() {
        ctx.ui.status("no proposals (fetch a remote's with `git beads fetch`)");
    }
    Ok(exit::OK)
}

pub fn accept(ctx: &mut Ctx, a: AcceptArgs) -> anyhow::Result<u8> {
    if !ctx.store.is_initialized() {
        return Err(git_beads::store::Error::NotInitialized.into());
    }
    let canonical = ctx.store.canonical()?;
    let actor = ctx.actor();
    let out = proposals::accept(&ctx.store, &actor, &a.which, &canonical)?;
    if ctx.ui.json {
        ctx.ui.json_value(&out)?;
    } else {
        ctx.ui.line(&format!("accepted {} into {canonical}", out.accepted.join(", ")))?;
        for m in &out.merged {
            ctx.ui.line(&format!("  {m} was already there with other content: merged by the sync rules"))?;
        }
        for r in &out.resolved {
            ctx.ui.line(&format!("  auto-resolved {}", clean(&r.to_string(), true)))?;
        }
        for r in &out.removed {
            ctx.ui.status(&format!("proposal {r} is done and was removed"));
        }
        for r in &out.left {
            ctx.ui.status(&format!("proposal {r} is done; its remote refused its removal, so the proposer's next sync removes it"));
        }
    }
    Ok(exit::OK)
}

pub fn reject(ctx: &mut Ctx, a: RejectArgs) -> anyhow::Result<u8> {
    let actor = ctx.actor();
    let p = proposals::reject(&ctx.store, &actor, &a.which, &a.reason)?;
    if ctx.ui.json {
        ctx.ui.json_value(&p)?;
    } else {
        ctx.ui.line(&format!("rejected {} ({})", p.name, p.ids.join(", ")))?;
    }
    Ok(exit::OK)
}

pub fn promote(ctx: &mut Ctx, a: PromoteArgs) -> anyhow::Result<u8> {
    let to = match &a.to {
        Some(b) => Namespace::branch(b)?,
        None => ctx.store.canonical()?,
    };
    let items: Vec<(Namespace, String)> = match &a.all_from {
        Some(branch) => {
            let from = Namespace::branch(branch)?;
            if ctx.store.tip(&from)?.is_none() {
                return Err(UsageError(format!("there is no namespace for branch {branch:?} ({from})")).into());
            }
            ctx.store.snapshot(&from)?.index.ids().map(|i| (from.clone(), i.to_string())).collect()
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
    let out = ops::promote(&ctx.store, &actor, &items, &to)?;
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
            let canonical = ctx.store.canonical()?;
            // A proposal's remote is the one it was offered on.
            let offered: std::collections::HashMap<String, String> =
                proposals::list(&ctx.store)?.0.into_iter().filter_map(|p| Some((p.refname, p.remote?))).collect();
            let mut rows = Vec::new();
            for ns in ctx.store.namespaces()? {
                if matches!(ns.kind(), Kind::Tracking { .. }) {
                    continue;
                }
                let snap = ctx.store.snapshot(&ns)?;
                let open = snap.index.rows().filter(|r| !git_beads::store::index::status_code::is_done(r.index.status_code(r.row))).count();
                let visibility = match ns.kind() {
                    _ if ns == canonical => "canonical",
                    Kind::Proposal(_) => "proposed",
                    Kind::Rejected(_) => "rejected",
                    _ => "local",
                };
                let branch_exists = match ns.kind() {
                    Kind::Branch(b) => Some(ctx.store.branch_exists(b)),
                    _ => None,
                };
                rows.push(json!({
                    "namespace": ns.refname(),
                    "remote": git_beads::remote::remote_for(&ctx.store, &ns).or_else(|| offered.get(ns.refname()).cloned()),
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
            let stale = sync::prune(&ctx.store, apply, force)?;
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
