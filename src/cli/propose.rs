//! Proposing issues upstream and answering proposals: propose, withdraw,
//! proposals, accept, reject.

use super::ui::clean;
use super::{Ctx, exit};
use crate::proposals::{self, State};
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

pub fn propose(ctx: &mut Ctx, a: ProposeArgs) -> anyhow::Result<u8> {
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let p = ctx.beads.propose(&ids, a.to.as_deref(), a.name.as_deref())?;
    if ctx.ui.json {
        ctx.ui.json_value(&p)?;
    } else {
        ctx.ui.line(&format!("proposed {} on {} as {}", p.ids.join(", "), p.remote.as_deref().unwrap_or(""), p.name))?;
    }
    Ok(exit::OK)
}

pub fn withdraw(ctx: &mut Ctx, a: WithdrawArgs) -> anyhow::Result<u8> {
    let gone = proposals::withdraw(&ctx.store(), &ctx.actor(), &a.which)?;
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
    let (all, skipped) = proposals::list(&ctx.store())?;
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
    let which: Vec<&str> = a.which.iter().map(String::as_str).collect();
    let out = ctx.beads.accept(&which)?;
    let canonical = ctx.store().canonical()?;
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
    let p = proposals::reject(&ctx.store(), &actor, &a.which, &a.reason)?;
    if ctx.ui.json {
        ctx.ui.json_value(&p)?;
    } else {
        ctx.ui.line(&format!("rejected {} ({})", p.name, p.ids.join(", ")))?;
    }
    Ok(exit::OK)
}
