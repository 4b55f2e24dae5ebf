//! `sync`, `fetch`, `push`, `status`: moving namespaces between clones with git.

use super::ui::clean;
use super::{Ctx, exit};
use crate::proposals::{self, RemoteSync};
use crate::sync::{self, Action, NsReport};

#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// Only the namespaces that sync with REMOTE (default: every namespace
    /// with its own remote; the canonical one with origin).
    pub remote: Option<String>,
    /// Fetch and merge, but do not push.
    #[arg(long)]
    pub no_push: bool,
    /// Only report each namespace against its remote (ahead, behind,
    /// issues); fetch nothing, change nothing.
    #[arg(long, conflicts_with = "no_push")]
    pub status: bool,
}

#[derive(clap::Args, Debug)]
pub struct RemoteArg {
    /// The remote (default: every remote the namespaces sync with).
    pub remote: Option<String>,
}

fn remotes(ctx: &Ctx, given: &Option<String>) -> anyhow::Result<Vec<String>> {
    match given {
        Some(r) => Ok(vec![r.clone()]),
        None => {
            let r = proposals::remotes_to_sync(&ctx.store())?;
            if r.is_empty() {
                return Err(crate::remote::Error::NoSuchRemote {
                    name: "origin".into(),
                    known: crate::git::Git::new(ctx.store().repo().git_dir()).remotes()?,
                }
                .into());
            }
            Ok(r)
        }
    }
}

fn describe(n: &NsReport) -> String {
    let short = n.namespace.trim_start_matches("refs/beads/");
    let what = match n.action {
        Action::UpToDate => "up to date".to_string(),
        Action::FastForward => "fast-forwarded".to_string(),
        Action::Merged if n.resolved.is_empty() => "merged".to_string(),
        Action::Merged => format!("merged ({} auto-resolved)", n.resolved.len()),
        Action::Pushed => "pushed".to_string(),
        Action::Created => "created from the remote".to_string(),
        Action::HeldBack if n.warning.is_some() => "held back (see the warning)".to_string(),
        Action::HeldBack => "merged what could be read; NOT pushed (unreadable blobs)".to_string(),
        Action::ReadOnly => "has local commits, NOT pushed: read-only in this clone".to_string(),
        Action::Deleted => "deleted: the remote removed it and it had not changed here".to_string(),
    };
    let pushed = n.action == Action::Merged && n.remote_after != n.remote_before;
    format!("{}: {short} {what}{}", n.remote, if pushed { ", pushed" } else { "" })
}

fn print_reports(ctx: &mut Ctx, reports: &[RemoteSync]) -> anyhow::Result<u8> {
    if ctx.ui.json {
        ctx.ui.json_value(reports)?;
    } else {
        for rs in reports {
            let r = &rs.report;
            if r.namespaces.is_empty() {
                ctx.ui.line(&format!("{}: no beads namespaces on either side", r.remote))?;
            }
            for n in &r.namespaces {
                ctx.ui.line(&describe(n))?;
                if let Some(w) = &n.warning {
                    ctx.ui.warn(&format!("{}: {w}", n.namespace));
                }
                for res in &n.resolved {
                    ctx.ui.line(&format!("  auto-resolved {}", clean(&res.to_string(), true)))?;
                }
                for (old, new) in &n.renamed {
                    ctx.ui.line(&format!("  renamed {old} -> {new}"))?;
                }
                for f in &n.refused {
                    let side = if f.side == crate::merge::Side::Local { "local" } else { "remote" };
                    ctx.ui.warn(&format!("{}: not merged: {side} {} ({})", n.namespace, f.path, f.reason));
                }
            }
            for ans in &rs.proposals {
                let msg = match &ans.outcome {
                    crate::proposals::Outcome::Accepted { marked } => {
                        format!(
                            "{}: proposal {} was accepted ({}); copies here marked accepted: {}",
                            r.remote,
                            ans.name,
                            ans.ids.join(", "),
                            if marked.is_empty() { "none".to_string() } else { marked.join(", ") }
                        )
                    }
                    crate::proposals::Outcome::Rejected { reason } => {
                        format!("{}: proposal {} was rejected: {}", r.remote, ans.name, clean(reason, true))
                    }
                    crate::proposals::Outcome::Withdrawn => {
                        format!("{}: proposal {} was taken down without being accepted", r.remote, ans.name)
                    }
                };
                ctx.ui.line(&msg)?;
            }
            if r.rounds > 1 {
                ctx.ui.status(&format!("{}: the remote moved during sync; took {} rounds", r.remote, r.rounds));
            }
        }
    }
    let complete = reports.iter().all(|r| r.report.complete());
    if !complete {
        ctx.ui.warn("some namespaces were held back (the others synced): fix what the warnings above name, then sync again");
    }
    Ok(if complete { exit::OK } else { exit::SYNC })
}

pub fn sync_cmd(ctx: &mut Ctx, a: SyncArgs) -> anyhow::Result<u8> {
    if a.status {
        return status(ctx);
    }
    // One remote failing (an upstream that refuses a contributor's pushes,
    // say) does not keep the others from syncing.
    let out = ctx.beads.sync(a.remote.as_deref(), !a.no_push)?;
    if out.failed.is_empty() {
        return print_reports(ctx, &out.synced);
    }
    if !out.synced.is_empty() {
        print_reports(ctx, &out.synced)?;
    }
    let mut failed = out.failed.into_iter();
    let (first_remote, first) = failed.next().expect("one failure");
    for (remote, e) in failed {
        ctx.ui.warn(&format!("sync with {remote} failed too: {}", clean(&e.to_string(), true)));
    }
    if out.synced.is_empty() {
        return Err(first.into());
    }
    let synced: Vec<&str> = out.synced.iter().map(|r| r.report.remote.as_str()).collect();
    Err(anyhow::Error::new(first).context(format!("sync with {first_remote} failed ({} synced)", synced.join(", "))))
}

pub fn fetch(ctx: &mut Ctx, a: RemoteArg) -> anyhow::Result<u8> {
    let mut fetched = Vec::new();
    for remote in remotes(ctx, &a.remote)? {
        crate::remote::fetch(&ctx.store(), &remote)?;
        fetched.push(remote);
    }
    let st = sync::status(&ctx.store())?;
    if ctx.ui.json {
        ctx.ui.json_value(&serde_json::json!({ "fetched": fetched, "status": st }))?;
    } else {
        for s in st.iter().filter(|s| s.remote.as_ref().is_some_and(|r| fetched.contains(r))) {
            if s.behind > 0 {
                ctx.ui.line(&format!(
                    "{}: {} behind {} by {} commits ({} issues); run `git beads sync`",
                    s.remote.as_deref().unwrap_or(""),
                    s.namespace.trim_start_matches("refs/beads/"),
                    s.remote.as_deref().unwrap_or(""),
                    s.behind,
                    s.issues_behind
                ))?;
            }
        }
        ctx.ui.status(&format!("fetched {}", fetched.join(", ")));
    }
    Ok(exit::OK)
}

pub fn push(ctx: &mut Ctx, a: RemoteArg) -> anyhow::Result<u8> {
    let mut reports = Vec::new();
    for remote in remotes(ctx, &a.remote)? {
        reports.push(RemoteSync { report: sync::push(&ctx.store(), &remote)?, proposals: Vec::new() });
    }
    print_reports(ctx, &reports)
}

pub fn status(ctx: &mut Ctx) -> anyhow::Result<u8> {
    let st = sync::status(&ctx.store())?;
    if ctx.ui.json {
        ctx.ui.json_value(&st)?;
        return Ok(exit::OK);
    }
    let w = st.iter().map(|s| s.namespace.len()).max().unwrap_or(0);
    for s in &st {
        let remote = s.remote.clone().unwrap_or_else(|| "-".into());
        let detail = match s.state {
            "up_to_date" => "up to date".to_string(),
            "ahead" => format!("ahead {} ({} issues)", s.ahead, s.issues_ahead),
            "behind" => format!("behind {} ({} issues)", s.behind, s.issues_behind),
            "diverged" => format!("ahead {} ({} issues), behind {} ({} issues)", s.ahead, s.issues_ahead, s.behind, s.issues_behind),
            "local_only" => "not on the remote yet".to_string(),
            "remote_only" => format!("only on the remote ({} commits)", s.behind),
            _ => "no remote".to_string(),
        };
        ctx.ui.line(&format!("{:<w$}  {:<10} {:>6} issues  {detail}", s.namespace, remote, s.issues))?;
    }
    if st.is_empty() {
        ctx.ui.status("no beads namespaces yet");
    }
    Ok(exit::OK)
}
