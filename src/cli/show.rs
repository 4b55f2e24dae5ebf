//! `show`: issues in full, with what they depend on, what depends on them,
//! and their comments.

use super::ui::{Style, clean};
use super::{Ctx, exit};
use git_beads::graph::{Node, Universe};
use git_beads::model::json::to_string as js;
use git_beads::model::{Form, Issue, codec};
use git_beads::ops;
use serde_json::{Value, json};

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// Issue IDs (any unique prefix).
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
}

/// A dependency or dependent, with the other issue's headline.
struct Link {
    id: String,
    dep_type: String,
    title: Option<String>,
    status: Option<String>,
    priority: Option<u8>,
}

fn links(u: &Universe<'_>, n: Node) -> (Vec<Link>, Vec<Link>) {
    let headline = |m: Option<Node>| {
        m.map(|m| {
            let (_, idx, r) = u.locate(m);
            (idx.title(r).to_string(), idx.status(r).to_string(), idx.priority(r))
        })
    };
    let deps = ops::dependencies_of(u, n)
        .into_iter()
        .map(|(id, ty, target)| {
            let h = headline(target);
            Link {
                id,
                dep_type: ty,
                title: h.as_ref().map(|h| h.0.clone()),
                status: h.as_ref().map(|h| h.1.clone()),
                priority: h.map(|h| h.2),
            }
        })
        .collect();
    let dependents = ops::dependents_of(u, n)
        .into_iter()
        .map(|(m, ty)| {
            let h = headline(Some(m)).expect("a resolved node has a headline");
            Link { id: u.id(m).to_string(), dep_type: ty, title: Some(h.0), status: Some(h.1), priority: Some(h.2) }
        })
        .collect();
    (deps, dependents)
}

fn issue_json(issue: &Issue, deps: &[Link], dependents: &[Link], namespace: &str, visibility: &str) -> String {
    let headline = |l: Option<&Link>| match l {
        Some(l) => format!(",\"title\":{},\"status\":{},\"priority\":{}", js(&l.title), js(&l.status), js(&l.priority)),
        None => String::new(),
    };
    let mut s = codec::to_beads_json_open(issue, Form::Beads, &|d| headline(deps.iter().find(|l| l.id == d.id)));
    let dependents: Vec<Value> = dependents
        .iter()
        .map(|l| json!({ "id": l.id, "title": l.title, "status": l.status, "priority": l.priority, "dependency_type": l.dep_type }))
        .collect();
    s.push_str(&format!(",\"dependents\":{}", js(&Value::from(dependents))));
    if let Some(p) = issue.parent() {
        s.push_str(&format!(",\"parent\":{}", js(&p)));
    }
    s.push_str(&format!(",\"namespace\":{},\"visibility\":{}", js(&namespace), js(&visibility)));
    s.push('}');
    s
}

pub fn run(ctx: &mut Ctx, a: ShowArgs) -> anyhow::Result<u8> {
    let inputs: Vec<&str> = a.ids.iter().map(String::as_str).collect();
    let view = ctx.view_for(&inputs)?;
    let u = view.universe();
    let mut shown = Vec::new();
    for typed in &a.ids {
        let n = view.resolve(&ctx.store(), &u, typed)?;
        let issue = view.issue(&ctx.store(), &u, n)?;
        shown.push((n, issue));
    }
    if ctx.ui.json {
        let values: Vec<String> = shown
            .iter()
            .map(|(n, issue)| {
                let (deps, dependents) = links(&u, *n);
                issue_json(issue, &deps, &dependents, view.namespace_of(&u, *n).short(), view.visibility(&u, *n).as_str())
            })
            .collect();
        ctx.ui.json_array(values)?;
        return Ok(exit::OK);
    }
    for (k, (n, issue)) in shown.iter().enumerate() {
        if k > 0 {
            ctx.ui.line("")?;
        }
        let (deps, dependents) = links(&u, *n);
        let place = (view.is_multi() || *view.namespace_of(&u, *n) != ctx.store().canonical()?)
            .then(|| format!("{} ({})", view.namespace_of(&u, *n), view.visibility(&u, *n).as_str()));
        print_issue(ctx, issue, &deps, &dependents, place)?;
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
