//! `show`: issues in full, with what they depend on, what depends on them,
//! and their comments.

use super::ui::{Style, clean};
use super::{Ctx, exit};
use crate::model::Issue;
use crate::{IssueDetail, Link};

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// Issue IDs (any unique prefix).
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// Every field: the namespace, metadata, fields git-beads keeps without
    /// knowing them, and when and by whom each dependency was added.
    #[arg(long)]
    pub long: bool,
}

pub fn run(ctx: &mut Ctx, a: ShowArgs) -> anyhow::Result<u8> {
    let inputs: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let shown = ctx.beads.show_all(&inputs)?;
    if ctx.ui.json {
        ctx.ui.json_array(shown.iter().map(IssueDetail::json))?;
        return Ok(exit::OK);
    }
    let multi = ctx.beads.view_namespaces()?.len() > 1;
    let canonical = ctx.store().canonical()?;
    for (k, d) in shown.iter().enumerate() {
        if k > 0 {
            ctx.ui.line("")?;
        }
        let place = (a.long || multi || d.namespace != canonical).then(|| format!("{} ({})", d.namespace, d.visibility.as_str()));
        print_issue(ctx, &d.issue, &d.dependencies, &d.dependents, place)?;
        if a.long {
            print_extended(ctx, &d.issue)?;
        }
    }
    Ok(exit::OK)
}

fn print_issue(ctx: &mut Ctx, i: &Issue, deps: &[Link], dependents: &[Link], place: Option<String>) -> anyhow::Result<()> {
    let ui = &mut ctx.ui;
    let head = format!("{}: {}", ui.paint(Style::Id, &i.id), ui.paint(Style::Bold, &clean(&i.title, true)));
    ui.line(&head)?;
    if let Some(p) = place {
        ui.line(&format!("Namespace: {p}"))?;
    }
    let mut facts = vec![
        format!("Status: {}", clean(i.status.as_str(), true)),
        format!("Priority: {}", i.priority),
        format!("Type: {}", clean(i.issue_type.as_str(), true)),
    ];
    if let Some(a) = &i.assignee {
        facts.push(format!("Assignee: {}", clean(a, true)));
    }
    if let Some(o) = &i.owner {
        facts.push(format!("Owner: {}", clean(o, true)));
    }
    ui.line(&facts.join("   "))?;
    let mut times = vec![format!(
        "Created: {}{}",
        i.created_at.short(),
        i.created_by.as_ref().map(|b| format!(" by {}", clean(b, true))).unwrap_or_default()
    )];
    times.push(format!("Updated: {}", i.updated_at.short()));
    if let Some(c) = i.closed_at {
        times.push(format!("Closed: {}", c.short()));
    }
    ui.line(&times.join("   "))?;
    if let Some(r) = &i.close_reason {
        ui.line(&format!("Close reason: {}", clean(r, true)))?;
    }
    let mut more = Vec::new();
    if let Some(d) = i.due_at {
        more.push(format!("Due: {}", d.short()));
    }
    if let Some(d) = i.defer_until {
        more.push(format!("Deferred until: {}", d.short()));
    }
    if let Some(m) = i.estimated_minutes {
        more.push(format!("Estimate: {m} min"));
    }
    if let Some(e) = &i.external_ref {
        more.push(format!("External: {}", clean(e, true)));
    }
    if !more.is_empty() {
        ui.line(&more.join("   "))?;
    }
    if !i.labels.is_empty() {
        let labels: Vec<String> = i.labels.iter().map(|l| clean(l, true)).collect();
        ui.line(&format!("Labels: {}", labels.join(", ")))?;
    }
    for (name, text) in
        [("Description", &i.description), ("Design", &i.design), ("Acceptance criteria", &i.acceptance_criteria), ("Notes", &i.notes)]
    {
        if !text.is_empty() {
            ui.line("")?;
            ui.line(&format!("{name}:"))?;
            for l in clean(text, false).lines() {
                ui.line(&format!("  {l}"))?;
            }
        }
    }
    let link_line = |l: &Link, arrow: &str| {
        format!(
            "  {arrow} {}  [{}]  {}  {}",
            l.id,
            clean(&l.dep_type, true),
            l.status.as_deref().map(|s| clean(s, true)).unwrap_or_else(|| "missing".into()),
            l.title.as_deref().map(|t| clean(t, true)).unwrap_or_default()
        )
    };
    if !deps.is_empty() {
        ui.line("")?;
        ui.line(&format!("Depends on ({}):", deps.len()))?;
        for l in deps {
            ui.line(&link_line(l, "->"))?;
        }
    }
    if !dependents.is_empty() {
        ui.line("")?;
        ui.line(&format!("Dependents ({}):", dependents.len()))?;
        for l in dependents {
            ui.line(&link_line(l, "<-"))?;
        }
    }
    if !i.comments.is_empty() {
        ui.line("")?;
        ui.line(&format!("Comments ({}):", i.comments.len()))?;
        for c in &i.comments {
            ui.line(&format!("  [{}] {}:", c.created_at.short(), clean(&c.author, true)))?;
            for l in clean(&c.text, false).lines() {
                ui.line(&format!("    {l}"))?;
            }
        }
    }
    Ok(())
}

/// What `show --long` adds: metadata, unknown fields, dependency stamps.
fn print_extended(ctx: &mut Ctx, i: &Issue) -> anyhow::Result<()> {
    let ui = &mut ctx.ui;
    for (title, map) in [("Metadata", &i.metadata), ("Other fields", &i.extra)] {
        if !map.is_empty() {
            ui.line("")?;
            ui.line(&format!("{title}:"))?;
            for (k, v) in map {
                ui.line(&format!("  {}: {}", clean(k, true), clean(&crate::model::json::to_string(v), true)))?;
            }
        }
    }
    if !i.dependencies.is_empty() {
        ui.line("")?;
        ui.line("Dependency records:")?;
        for d in &i.dependencies {
            let when = d.created_at.map(|t| t.short()).unwrap_or_else(|| "-".into());
            let by = d.created_by.as_deref().map(|b| format!(" by {}", clean(b, true))).unwrap_or_default();
            ui.line(&format!("  -> {} [{}] added {when}{by}", d.id, clean(d.dep_type.as_str(), true)))?;
        }
    }
    Ok(())
}
