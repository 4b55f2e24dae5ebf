//! Changing issues: update (and claim), close, reopen, delete, defer, undefer.

use super::args;
use super::ui::clean;
use super::{Ctx, UsageError, exit};
use crate::model::{Form, Issue, codec};
use crate::ops::Changes;
use serde_json::json;

#[derive(clap::Args, Debug)]
pub struct UpdateArgs {
    /// Issue IDs (any unique prefix).
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// New description (`-` reads standard input).
    #[arg(short = 'd', long, visible_alias = "body", value_name = "TEXT")]
    pub description: Option<String>,
    /// Read the new description from FILE (`-` for stdin).
    #[arg(long = "body-file", visible_alias = "description-file", value_name = "FILE", conflicts_with = "description")]
    pub body_file: Option<std::path::PathBuf>,
    /// New design notes (`-` reads standard input).
    #[arg(long, value_name = "TEXT")]
    pub design: Option<String>,
    /// New acceptance criteria (`-` reads standard input).
    #[arg(long, visible_alias = "acceptance-criteria", value_name = "TEXT")]
    pub acceptance: Option<String>,
    /// New notes (`-` reads standard input).
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// Add TEXT to the end of the notes, on its own line (`-` reads standard input).
    #[arg(long, value_name = "TEXT")]
    pub append_notes: Option<String>,
    /// New status.
    #[arg(short = 's', long, value_name = "STATUS")]
    pub status: Option<String>,
    /// New priority, 0-4 or P0-P4.
    #[arg(short = 'p', long, value_name = "N")]
    pub priority: Option<String>,
    /// New issue type.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub issue_type: Option<String>,
    /// New assignee ("" clears).
    #[arg(short = 'a', long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// New owner ("" clears).
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// External reference ("" clears).
    #[arg(long, value_name = "REF")]
    pub external_ref: Option<String>,
    /// Labels to add (comma-separated, repeatable).
    #[arg(long, value_name = "LABELS")]
    pub add_label: Vec<String>,
    /// Labels to remove (comma-separated, repeatable).
    #[arg(long, value_name = "LABELS")]
    pub remove_label: Vec<String>,
    /// Replace all labels (comma-separated).
    #[arg(long, value_name = "LABELS")]
    pub set_labels: Option<String>,
    /// Due date ("" clears).
    #[arg(long, value_name = "WHEN")]
    pub due: Option<String>,
    /// Not ready before this date ("" clears).
    #[arg(long, value_name = "WHEN")]
    pub defer: Option<String>,
    /// Estimate in minutes.
    #[arg(short = 'e', long, value_name = "MIN")]
    pub estimate: Option<i64>,
    /// New parent ("" removes the parent).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Take the issue: assignee = you, status = in_progress, in one
    /// compare-and-swap; fails if someone else holds it.
    #[arg(long)]
    pub claim: bool,
    /// With --claim: claim even a blocked issue.
    #[arg(long)]
    pub force: bool,
}

fn optional_when(ctx: &Ctx, s: &Option<String>) -> anyhow::Result<Option<Option<crate::model::Timestamp>>> {
    Ok(match s.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(w) => Some(Some(args::when(ctx, w)?)),
    })
}

/// The issues a write touched, as bd prints them: an array of full issue
/// objects (beads JSON, comments included), so `jq '.[0]'` works.
pub(super) fn issues_json<'a>(ctx: &mut Ctx, issues: impl IntoIterator<Item = &'a Issue>) -> anyhow::Result<()> {
    ctx.ui.json_array(issues.into_iter().map(|i| codec::to_beads_json(i, Form::Beads)))?;
    Ok(())
}

pub fn update(ctx: &mut Ctx, a: UpdateArgs) -> anyhow::Result<u8> {
    let mut stdin = args::Stdin::default();
    let description = match stdin.file("--body-file", a.body_file.as_deref())? {
        Some(t) => Some(t),
        None => stdin.resolve("--description", a.description)?,
    };
    let c = Changes {
        title: a.title,
        description,
        design: stdin.resolve("--design", a.design)?,
        acceptance_criteria: stdin.resolve("--acceptance", a.acceptance)?,
        notes: stdin.resolve("--notes", a.notes)?,
        append_notes: stdin.resolve("--append-notes", a.append_notes)?,
        status: a.status.as_deref().map(|s| args::status(ctx, s)).transpose()?,
        priority: a.priority.as_deref().map(args::priority).transpose()?,
        issue_type: a.issue_type.as_deref().map(|t| args::issue_type(ctx, t)).transpose()?,
        assignee: a.assignee,
        owner: a.owner,
        external_ref: a.external_ref,
        add_labels: args::labels(&a.add_label)?,
        remove_labels: a.remove_label.iter().flat_map(|l| l.split(',')).map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(),
        set_labels: a.set_labels.as_deref().map(|s| args::labels(&[s.to_string()])).transpose()?,
        due_at: optional_when(ctx, &a.due)?,
        defer_until: optional_when(ctx, &a.defer)?,
        estimated_minutes: a.estimate.map(Some),
        parent: a.parent,
        claim: a.claim,
        force: a.force,
    };
    if c.is_empty() {
        return Err(UsageError("nothing to update: give at least one field to change (see `git beads update --help`)".into()).into());
    }
    if let Some(Some(m)) = c.estimated_minutes
        && m < 0
    {
        return Err(UsageError(format!("invalid --estimate {m}: minutes cannot be negative")).into());
    }
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let all: Vec<(Issue, bool)> = ctx.beads.update(&ids, &c)?.into_iter().map(|u| (u.issue, u.changed)).collect();
    if ctx.ui.json {
        issues_json(ctx, all.iter().map(|(i, _)| i))?;
    } else {
        for (i, written) in &all {
            let verb = if *written { if c.claim { "claimed" } else { "updated" } } else { "unchanged" };
            ctx.ui.status(&format!("{verb} {}: {}", i.id, clean(&i.title, true)));
        }
    }
    Ok(exit::OK)
}

#[derive(clap::Args, Debug)]
pub struct CloseArgs {
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// Why it is closed.
    #[arg(short = 'r', long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Close even if still blocked by open work.
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Then print the issues this close made ready.
    #[arg(long)]
    pub suggest_next: bool,
}

/// IDs of the ready frontier, whole.
fn ready_ids(ctx: &Ctx) -> anyhow::Result<std::collections::HashSet<String>> {
    let rows = ctx.beads.ready(&crate::ReadyQuery::default())?;
    Ok(rows.rows.iter().map(|r| r.id().to_string()).collect())
}

pub fn close(ctx: &mut Ctx, a: CloseArgs) -> anyhow::Result<u8> {
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let before = if a.suggest_next { Some(ready_ids(ctx)?) } else { None };
    let out = ctx.beads.close_with(&ids, a.reason.as_deref(), a.force)?;
    // What became ready: in the frontier now, not before.
    let unblocked = match &before {
        None => None,
        Some(before) => {
            let rows = ctx.beads.ready(&crate::ReadyQuery::default())?;
            Some(rows.rows.into_iter().filter(|r| !before.contains(r.id())).collect::<Vec<_>>())
        }
    };
    // Every issue named, in its closed state; those that were closed
    // already are said on stderr.
    let already: Vec<&str> = out.already_closed.iter().map(String::as_str).collect();
    let earlier: Vec<Issue> =
        if already.is_empty() { Vec::new() } else { ctx.beads.show_all(&already)?.into_iter().map(|d| d.issue).collect() };
    if ctx.ui.json {
        for id in &out.already_closed {
            ctx.ui.warn(&format!("{id} was already closed"));
        }
        match &unblocked {
            None => issues_json(ctx, out.closed.iter().chain(&earlier))?,
            Some(rows) => {
                let closed: Vec<serde_json::Value> = out
                    .closed
                    .iter()
                    .chain(&earlier)
                    .map(|i| serde_json::from_str(&codec::to_beads_json(i, Form::Beads)))
                    .collect::<Result<_, _>>()?;
                ctx.ui.json_value(&json!({ "closed": closed, "unblocked": rows }))?;
            }
        }
        return Ok(exit::OK);
    }
    for i in &out.closed {
        ctx.ui.status(&format!("closed {}: {}", i.id, clean(&i.title, true)));
    }
    for id in &out.already_closed {
        ctx.ui.status(&format!("{id} was already closed"));
    }
    if let Some(rows) = unblocked {
        if rows.is_empty() {
            ctx.ui.line("Nothing new is ready.")?;
        } else {
            ctx.ui.line(&format!("Now ready ({}):", rows.len()))?;
            for r in &rows {
                ctx.ui.line(&format!("  {}  P{}  {}", r.id(), r.priority(), clean(r.title(), true)))?;
            }
        }
    }
    Ok(exit::OK)
}

#[derive(clap::Args, Debug)]
pub struct ReopenArgs {
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// Why it is reopened (kept as a comment).
    #[arg(short = 'r', long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn reopen(ctx: &mut Ctx, a: ReopenArgs) -> anyhow::Result<u8> {
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let all = ctx.beads.reopen(&ids, a.reason.as_deref())?;
    if ctx.ui.json {
        issues_json(ctx, &all)?;
    } else {
        for i in &all {
            ctx.ui.status(&format!("reopened {}: {}", i.id, clean(&i.title, true)));
        }
    }
    Ok(exit::OK)
}

#[derive(clap::Args, Debug)]
pub struct DeleteArgs {
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// Really delete (without it, only show what would happen).
    #[arg(long)]
    pub force: bool,
}

pub fn delete(ctx: &mut Ctx, a: DeleteArgs) -> anyhow::Result<u8> {
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let plan = ctx.beads.delete(&ids, a.force)?;
    if ctx.ui.json {
        ctx.ui.json_value(&json!({
            "deleted": if a.force { plan.deleted.clone() } else { Vec::new() },
            "would_delete": if a.force { Vec::new() } else { plan.deleted.clone() },
            "dependents": plan.dependents,
            "dependencies_removed": if a.force { plan.dependencies_removed } else { 0 },
            "preview": !a.force,
        }))?;
        return Ok(exit::OK);
    }
    let verb = if a.force { "deleted" } else { "would delete" };
    for id in &plan.deleted {
        ctx.ui.line(&format!("{verb} {id}"))?;
    }
    for d in &plan.dependents {
        let what = if a.force { "removed" } else { "would remove" };
        ctx.ui.line(&format!("  {what} dependency {} -> {} ({})", d.issue_id, d.depends_on_id, d.dep_type))?;
    }
    if !a.force {
        ctx.ui.status("preview only: nothing was changed; run again with --force to delete");
    }
    Ok(exit::OK)
}

#[derive(clap::Args, Debug)]
pub struct DeferArgs {
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// Until when: 2026-12-01, +2w, tomorrow, ... (default: indefinitely).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
}

pub fn defer(ctx: &mut Ctx, a: DeferArgs) -> anyhow::Result<u8> {
    let until = a.until.as_deref().map(|w| args::when(ctx, w)).transpose()?;
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let all = ctx.beads.defer(&ids, until)?;
    report_list(ctx, &all, "deferred")
}

#[derive(clap::Args, Debug)]
pub struct UndeferArgs {
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
}

pub fn undefer(ctx: &mut Ctx, a: UndeferArgs) -> anyhow::Result<u8> {
    let ids: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let all = ctx.beads.undefer(&ids)?;
    report_list(ctx, &all, "undeferred")
}

fn report_list(ctx: &mut Ctx, issues: &[Issue], verb: &str) -> anyhow::Result<u8> {
    if ctx.ui.json {
        let v: Vec<_> =
            issues.iter().map(|i| json!({ "id": i.id, "title": i.title, "status": i.status, "defer_until": i.defer_until })).collect();
        ctx.ui.json_value(&v)?;
    } else {
        for i in issues {
            let until = i.defer_until.map(|t| format!(" until {}", t.short())).unwrap_or_default();
            ctx.ui.status(&format!("{verb} {}{until}: {}", i.id, clean(&i.title, true)));
        }
    }
    Ok(exit::OK)
}
