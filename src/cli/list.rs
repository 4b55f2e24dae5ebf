//! View commands: list, ready, blocked, search, stale, count, stats, and the
//! short overview `git beads` prints with no command.

use super::args::FilterArgs;
use super::ui::{Style, clean, truncate};
use super::{Ctx, UsageError, exit};
use crate::graph::{Blocker, ReadySort};
use crate::{ListQuery, ReadyQuery, Row, Rows};

use crate::query::{self, GroupBy, ListSort};
use crate::store::index::status_code;
use std::io::Write as _;

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Include closed issues.
    #[arg(long)]
    pub all: bool,
    /// Order: priority (default), created, updated, title, id, status.
    #[arg(long, value_name = "FIELD", default_value = "priority")]
    pub sort: String,
    /// Reverse the order.
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// At most N issues (0: no limit).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// Under each row: dates, labels, dependencies and the description's first lines.
    #[arg(long)]
    pub long: bool,
}

#[derive(clap::Args, Debug)]
pub struct ReadyArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// At most N issues (0: no limit).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Order: hybrid (default), priority, oldest.
    #[arg(long, value_name = "POLICY", default_value = "hybrid")]
    pub sort: String,
}

#[derive(clap::Args, Debug)]
pub struct BlockedArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// At most N issues (0: no limit).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

#[derive(clap::Args, Debug)]
pub struct SearchArgs {
    /// Text to find in IDs, titles and descriptions (case-insensitive).
    #[arg(required = true, num_args = 1..)]
    pub text: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Order: priority (default), created, updated, title, id, status.
    #[arg(long, value_name = "FIELD", default_value = "priority")]
    pub sort: String,
    /// At most N issues (0: no limit).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

#[derive(clap::Args, Debug)]
pub struct StatsArgs {}

#[derive(clap::Args, Debug)]
pub struct CountArgs {
    /// Group by status, priority, type, assignee or label.
    #[arg(long, value_name = "FIELD", group = "grouping")]
    pub by: Option<String>,
    /// Group by status (as --by status).
    #[arg(long, group = "grouping")]
    pub by_status: bool,
    /// Group by priority.
    #[arg(long, group = "grouping")]
    pub by_priority: bool,
    /// Group by issue type.
    #[arg(long, group = "grouping")]
    pub by_type: bool,
    /// Group by assignee.
    #[arg(long, group = "grouping")]
    pub by_assignee: bool,
    /// Group by label (an issue counts once per label).
    #[arg(long, group = "grouping")]
    pub by_label: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Include closed issues.
    #[arg(long, alias = "include-closed")]
    pub all: bool,
}

#[derive(clap::Args, Debug)]
pub struct StaleArgs {
    /// Not updated for at least N days.
    #[arg(short = 'd', long, value_name = "N", default_value_t = 30)]
    pub days: u32,
    /// Statuses to consider (default: open, in_progress).
    #[arg(short = 's', long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<String>,
    /// At most N issues (0: no limit).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

/// How a namespace is shown in a row: a branch by its name, others by their short ref.
pub fn ns_label(ns: &crate::store::Namespace) -> String {
    match ns.kind() {
        crate::store::Kind::Branch(b) => b.to_string(),
        _ => ns.short().to_string(),
    }
}

/// Human rows: `ID  P2  status  type  title  @assignee`, aligned.
fn print_rows(ctx: &mut Ctx, rows: &Rows, suffix: &dyn Fn(&Row) -> String, long: bool) -> anyhow::Result<()> {
    let id_w = rows.rows.iter().map(|r| r.id().len()).max().unwrap_or(0);
    // With several namespaces, each row says which one it is in.
    let ns_w = if rows.multi { rows.rows.iter().map(|r| ns_label(r.namespace()).chars().count() + 2).max().unwrap_or(0) } else { 0 };
    let width = ctx.ui.width();
    for row in &rows.rows {
        let status = row.status();
        let prio = format!("P{}", row.priority());
        let assignee = row.assignee().map(|a| format!("  @{}", clean(a, true))).unwrap_or_default();
        let head_len = ns_w + id_w + 2 + 2 + 2 + 11 + 1 + 8 + 1;
        // Where it has travelled, when that is not plain from the namespace.
        let proposed = if row.visibility() == crate::view::Visibility::Proposed { "  (proposed)" } else { "" };
        let tail = format!("{assignee}{proposed}{}", suffix(row));
        let title = clean(row.title(), true);
        let title = match width {
            Some(w) => truncate(&title, w.saturating_sub(head_len + tail.chars().count()).max(10)),
            None => title,
        };
        let prio_styled = match row.priority() {
            0 => ctx.ui.paint(Style::Red, &prio),
            1 => ctx.ui.paint(Style::Yellow, &prio),
            _ => prio.clone(),
        };
        let status_styled = match row.status_code() {
            status_code::CLOSED | status_code::TOMBSTONE => ctx.ui.paint(Style::Dim, &format!("{status:<11}")),
            status_code::IN_PROGRESS => ctx.ui.paint(Style::Green, &format!("{status:<11}")),
            _ => format!("{status:<11}"),
        };
        let ns_col =
            if ns_w > 0 { format!("{:<ns_w$}  ", format!("[{}]", clean(&ns_label(row.namespace()), true))) } else { String::new() };
        let line = format!(
            "{}{}  {}  {} {:<8} {}{}",
            ns_col,
            ctx.ui.paint(Style::Id, &format!("{:<id_w$}", row.id())),
            prio_styled,
            status_styled,
            clean(row.issue_type(), true),
            title,
            tail
        );
        ctx.ui.line(&line)?;
        if long {
            print_long(ctx, row)?;
        }
    }
    Ok(())
}

/// The lines `--long` adds under a row.
fn print_long(ctx: &mut Ctx, row: &Row) -> anyhow::Result<()> {
    use crate::store::index::Time;
    let mut facts = Vec::new();
    for (name, t) in [
        ("created", Time::Created),
        ("updated", Time::Updated),
        ("closed", Time::Closed),
        ("due", Time::Due),
        ("deferred until", Time::DeferUntil),
    ] {
        if let Some(ts) = row.time(t) {
            facts.push(format!("{name} {}", ts.short()));
        }
    }
    let labels: Vec<String> = row.labels().map(|l| clean(l, true)).collect();
    if !labels.is_empty() {
        facts.push(format!("labels: {}", labels.join(", ")));
    }
    if row.dependency_count() > 0 || row.dependent_count() > 0 {
        facts.push(format!("{} dependencies, {} dependents", row.dependency_count(), row.dependent_count()));
    }
    ctx.ui.line(&format!("    {}", facts.join("  ")))?;
    let text = clean(row.description(), false);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    for l in lines.by_ref().take(3) {
        ctx.ui.line(&format!("    {}", truncate(l, 120)))?;
    }
    if lines.next().is_some() {
        ctx.ui.line("    ...")?;
    }
    Ok(())
}

/// A listing as JSON (one object per line) or as human rows with a footer.
fn emit(ctx: &mut Ctx, rows: &Rows, what: &str, suffix: &dyn Fn(&Row) -> String) -> anyhow::Result<u8> {
    emit_long(ctx, rows, what, suffix, false)
}

fn emit_long(ctx: &mut Ctx, rows: &Rows, what: &str, suffix: &dyn Fn(&Row) -> String, long: bool) -> anyhow::Result<u8> {
    if ctx.ui.json {
        let mut out = Vec::with_capacity(rows.rows.len() * 1024);
        rows.write_json(&mut out);
        ctx.ui.out().write_all(&out)?;
    } else {
        print_rows(ctx, rows, suffix, long)?;
        footer(ctx, rows.rows.len(), rows.total, what);
    }
    Ok(exit::OK)
}

fn footer(ctx: &Ctx, shown: usize, total: usize, what: &str) {
    if shown < total {
        ctx.ui.status(&format!("{shown} of {total} {what} (use --limit 0 for all)"));
    } else if total == 0 {
        ctx.ui.status(&format!("no {what}"));
    }
}

pub fn list(ctx: &mut Ctx, a: ListArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let sort = ListSort::parse(&a.sort)
        .ok_or_else(|| UsageError(format!("invalid --sort {:?}: expected priority, created, updated, title, id or status", a.sort)))?;
    let q = ListQuery { filter: a.filter.to_filter(ctx, a.all)?, sort, reverse: a.reverse, limit: a.limit };
    let view = ctx.view()?;
    let rows = ctx.beads.list_in(&view, &q)?;
    emit_long(ctx, &rows, "issues", &|_| String::new(), a.long)
}

fn ready_sort(s: &str) -> anyhow::Result<ReadySort> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "hybrid" => ReadySort::Hybrid,
        "priority" => ReadySort::Priority,
        "oldest" => ReadySort::Oldest,
        _ => return Err(UsageError(format!("invalid --sort {s:?}: expected hybrid, priority or oldest")).into()),
    })
}

pub fn ready(ctx: &mut Ctx, a: ReadyArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let q = ReadyQuery { filter: a.filter.to_filter(ctx, false)?, sort: ready_sort(&a.sort)?, limit: a.limit };
    let view = ctx.view()?;
    let rows = ctx.beads.ready_in(&view, &q)?;
    emit(ctx, &rows, "ready issues", &|_| String::new())
}

fn blockers_human(bs: &[Blocker]) -> String {
    let parts: Vec<String> = bs
        .iter()
        .map(|b| match b {
            Blocker::Dependency { id, status, .. } => format!("{id} ({status})"),
            Blocker::Dangling { id, .. } => format!("{id} (missing)"),
            Blocker::Parent { id } => format!("{id} (blocked parent)"),
            Blocker::OpenChild { id, .. } => format!("{id} (open child)"),
        })
        .collect();
    format!("  <- {}", clean(&parts.join(", "), true))
}

pub fn blocked(ctx: &mut Ctx, a: BlockedArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let filter = a.filter.to_filter(ctx, false)?;
    let view = ctx.view()?;
    let rows = ctx.beads.blocked_in(&view, &filter, a.limit)?;
    emit(ctx, &rows, "blocked issues", &|r| r.blockers().map(blockers_human).unwrap_or_default())
}

pub fn search(ctx: &mut Ctx, a: SearchArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let text = a.text.join(" ");
    if text.trim().is_empty() {
        return Err(UsageError("the search text is empty".into()).into());
    }
    let sort = ListSort::parse(&a.sort).ok_or_else(|| UsageError(format!("invalid --sort {:?}", a.sort)))?;
    let q = ListQuery { filter: a.filter.to_filter(ctx, true)?, sort, reverse: false, limit: a.limit };
    let view = ctx.view()?;
    let rows = ctx.beads.search_in(&view, text.trim(), &q)?;
    emit(ctx, &rows, "matching issues", &|_| String::new())
}

pub fn stale(ctx: &mut Ctx, a: StaleArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let statuses = if a.status.is_empty() { vec!["open".to_string(), "in_progress".to_string()] } else { a.status.clone() };
    let filter = FilterArgs { status: statuses, ..Default::default() }.to_filter(ctx, false)?;
    let view = ctx.view()?;
    let rows = ctx.beads.stale_in(&view, &filter, a.days, a.limit)?;
    emit(ctx, &rows, "stale issues", &|_| String::new())
}

pub fn count(ctx: &mut Ctx, a: CountArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let filter = a.filter.to_filter(ctx, a.all)?;
    let view = ctx.view()?;
    let u = view.universe();
    let by = a.by.clone().or_else(|| {
        [(a.by_status, "status"), (a.by_priority, "priority"), (a.by_type, "type"), (a.by_assignee, "assignee"), (a.by_label, "label")]
            .into_iter()
            .find(|(on, _)| *on)
            .map(|(_, f)| f.to_string())
    });
    match &by {
        None => {
            let n = u.nodes().filter(|&n| filter.accepts(&u, n)).count();
            if ctx.ui.json {
                ctx.ui.json_value(&serde_json::json!({ "count": n }))?;
            } else {
                ctx.ui.line(&n.to_string())?;
            }
        }
        Some(by) => {
            let by = GroupBy::parse(by)
                .ok_or_else(|| UsageError(format!("invalid --by {by:?}: expected status, priority, type, assignee or label")))?;
            let (total, groups) = query::count_by(&u, &filter, by);
            if ctx.ui.json {
                ctx.ui.json_value(&serde_json::json!({ "total": total, "groups": groups }))?;
            } else {
                let w = groups.iter().map(|g| g.group.chars().count()).max().unwrap_or(0);
                for g in &groups {
                    ctx.ui.line(&format!("{:<w$}  {}", clean(&g.group, true), g.count))?;
                }
                ctx.ui.line(&format!("{:<w$}  {total}", "total"))?;
            }
        }
    }
    Ok(exit::OK)
}

pub fn stats(ctx: &mut Ctx, _a: StatsArgs) -> anyhow::Result<u8> {
    ctx.beads.require_something_to_read()?;
    let view = ctx.view()?;
    let u = view.universe();
    let an = u.analyze();
    let now = ctx.store().now().as_micros();
    let summary = query::summary(&u, &an, now);
    let everything = crate::query::Filter { all: true, ..Default::default() };
    let breakdowns: Vec<serde_json::Value> = [("status", GroupBy::Status), ("type", GroupBy::Type), ("priority", GroupBy::Priority)]
        .into_iter()
        .map(|(name, by)| serde_json::json!({ "dimension": name, "counts": query::count_by(&u, &everything, by).1 }))
        .collect();
    let invalid = view.invalid().len();
    let namespaces: Vec<String> = view.snapshots.iter().map(|s| s.namespace.short().to_string()).collect();
    if ctx.ui.json {
        ctx.ui.json_value(
            &serde_json::json!({ "summary": summary, "breakdowns": breakdowns, "invalid_blobs": invalid, "namespaces": namespaces }),
        )?;
        return Ok(exit::OK);
    }
    ctx.ui.line(&format!("{:<22}{}", "Namespaces", clean(&namespaces.join(", "), true)))?;
    let s = &summary;
    let lines = [
        ("Total", s.total_issues),
        ("Open", s.open_issues),
        ("In progress", s.in_progress_issues),
        ("Blocked", s.blocked_issues),
        ("Deferred", s.deferred_issues),
        ("Closed", s.closed_issues),
        ("Ready", s.ready_issues),
        ("Epics ready to close", s.epics_eligible_for_closure),
    ];
    for (k, v) in lines {
        ctx.ui.line(&format!("{k:<22}{v}"))?;
    }
    if let Some(h) = s.average_lead_time_hours {
        ctx.ui.line(&format!("{:<22}{h:.1} h", "Average lead time"))?;
    }
    if invalid > 0 {
        ctx.ui.line(&format!("{:<22}{invalid}", "Unreadable blobs"))?;
    }
    Ok(exit::OK)
}

/// `git beads` alone: where issues live and what is ready.
pub fn overview(ctx: &mut Ctx) -> anyhow::Result<u8> {
    let initialized = ctx.store().is_initialized();
    let view = ctx.view()?;
    let names: Vec<String> = view.snapshots.iter().map(|s| s.namespace.to_string()).collect();
    let u = view.universe();
    let an = u.analyze();
    let now = ctx.store().now().as_micros();
    let s = query::summary(&u, &an, now);
    if ctx.ui.json {
        ctx.ui.json_value(&serde_json::json!({ "initialized": initialized, "namespaces": names, "summary": s }))?;
        return Ok(exit::OK);
    }
    if !initialized {
        ctx.ui.line("git-beads is not initialized here: run `git beads init`.")?;
    }
    ctx.ui.line(&format!(
        "{}: {} open, {} in progress, {} ready, {} blocked, {} closed",
        names.join(" + "),
        s.open_issues,
        s.in_progress_issues,
        s.ready_issues,
        s.blocked_issues,
        s.closed_issues
    ))?;
    let rows = ctx.beads.ready_in(&view, &ReadyQuery { limit: 5, ..Default::default() })?;
    if !rows.rows.is_empty() {
        ctx.ui.line(&format!("Ready ({}):", rows.total))?;
        print_rows(ctx, &rows, &|_| String::new(), false)?;
    }
    ctx.ui.line("Run `git beads --help` for the commands.")?;
    Ok(exit::OK)
}
