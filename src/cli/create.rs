//! `create` and `q`: new issues. Only the new ID goes to stdout, so
//! `id=$(git beads create "...")` works.

use super::args;
use super::ui::clean;
use super::{Ctx, UsageError, exit};
use crate::model::{DepType, Form, codec};
use crate::ops::NewIssue;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// The title (at most 500 characters).
    #[arg(value_name = "TITLE", required_unless_present = "title_flag")]
    pub title: Option<String>,
    /// The title, as a flag.
    #[arg(long = "title", value_name = "TITLE", conflicts_with = "title")]
    pub title_flag: Option<String>,
    /// Issue type: bug, feature, task (default), epic, chore, docs, question.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub issue_type: Option<String>,
    /// Priority 0-4 or P0-P4 (default 2).
    #[arg(short = 'p', long, value_name = "N")]
    pub priority: Option<String>,
    /// Initial status (default open).
    #[arg(short = 's', long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Description (`-` reads standard input).
    #[arg(short = 'd', long, visible_alias = "body", value_name = "TEXT")]
    pub description: Option<String>,
    /// Read the description from FILE (`-` for stdin).
    #[arg(short = 'f', long = "body-file", visible_alias = "description-file", value_name = "FILE", conflicts_with_all = ["description", "stdin"])]
    pub body_file: Option<PathBuf>,
    /// Read the description from standard input (as `--description -`).
    #[arg(long, conflicts_with = "description")]
    pub stdin: bool,
    /// Design notes (`-` reads standard input).
    #[arg(long, value_name = "TEXT")]
    pub design: Option<String>,
    /// Acceptance criteria (`-` reads standard input).
    #[arg(long, visible_alias = "acceptance-criteria", value_name = "TEXT")]
    pub acceptance: Option<String>,
    /// Notes (`-` reads standard input).
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// Assignee.
    #[arg(short = 'a', long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Owner.
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Labels (comma-separated, repeatable).
    #[arg(short = 'l', long = "labels", visible_alias = "label", value_name = "LABELS")]
    pub labels: Vec<String>,
    /// Parent issue: the new issue becomes its child `<parent>.N`.
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Dependencies as TYPE:ID or ID (blocks), comma-separated.
    #[arg(long, value_name = "DEPS", value_delimiter = ',')]
    pub deps: Vec<String>,
    /// A reference to an external tracker (e.g. gh-123).
    #[arg(long, value_name = "REF")]
    pub external_ref: Option<String>,
    /// Due date: 2026-12-01, +3d, tomorrow, ...
    #[arg(long, value_name = "WHEN")]
    pub due: Option<String>,
    /// Not ready before this date.
    #[arg(long, value_name = "WHEN")]
    pub defer: Option<String>,
    /// Estimate in minutes.
    #[arg(short = 'e', long, value_name = "MIN")]
    pub estimate: Option<i64>,
    /// Use this exact ID instead of generating one.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Print only the new ID, even under --json (for `id=$(...)`).
    #[arg(long)]
    pub silent: bool,
    /// Check everything and show the issue that would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(clap::Args, Debug)]
pub struct QuickArgs {
    /// The title, as words.
    #[arg(required = true, num_args = 1.., value_name = "WORDS")]
    pub words: Vec<String>,
    /// Priority 0-4 or P0-P4.
    #[arg(short = 'p', long, value_name = "N")]
    pub priority: Option<String>,
    /// Issue type.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub issue_type: Option<String>,
    /// Labels (comma-separated, repeatable).
    #[arg(short = 'l', long = "labels", visible_alias = "label", value_name = "LABELS")]
    pub labels: Vec<String>,
}

/// Parses `--deps`: `TYPE:ID` or a bare `ID` (a `blocks` dependency).
/// Qualified IDs (`project:id`) are told apart from types by the type list.
fn parse_deps(items: &[String]) -> anyhow::Result<Vec<(DepType, String)>> {
    let mut out = Vec::new();
    for item in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match item.split_once(':') {
            Some((ty, id))
                if DepType::BUILTIN.contains(&ty.trim().to_ascii_lowercase().replace('_', "-").as_str()) || ty == "blocked-by" =>
            {
                let ty = if ty == "blocked-by" { DepType::Blocks } else { DepType::parse_cli(ty)? };
                out.push((ty, id.trim().to_string()));
            }
            _ => out.push((DepType::Blocks, item.to_string())),
        }
    }
    Ok(out)
}

pub fn run(ctx: &mut Ctx, a: CreateArgs) -> anyhow::Result<u8> {
    let title = a.title.or(a.title_flag).ok_or_else(|| UsageError("a title is required".into()))?;
    let mut stdin = args::Stdin::default();
    let description = match stdin.file("--body-file", a.body_file.as_deref())? {
        Some(t) => t,
        None if a.stdin => args::read_stdin("--stdin")?,
        None => stdin.resolve("--description", a.description)?.unwrap_or_default(),
    };
    let design = stdin.resolve("--design", a.design)?.unwrap_or_default();
    let acceptance_criteria = stdin.resolve("--acceptance", a.acceptance)?.unwrap_or_default();
    let notes = stdin.resolve("--notes", a.notes)?.unwrap_or_default();
    let new = NewIssue {
        title,
        issue_type: a.issue_type.as_deref().map(|t| args::issue_type(ctx, t)).transpose()?,
        priority: a.priority.as_deref().map(args::priority).transpose()?,
        status: a.status.as_deref().map(|s| args::status(ctx, s)).transpose()?,
        description,
        design,
        acceptance_criteria,
        notes,
        assignee: a.assignee,
        owner: a.owner,
        labels: args::labels(&a.labels)?,
        parent: a.parent,
        deps: parse_deps(&a.deps)?,
        external_ref: a.external_ref,
        due_at: a.due.as_deref().map(|w| args::when(ctx, w)).transpose()?,
        defer_until: a.defer.as_deref().map(|w| args::when(ctx, w)).transpose()?,
        estimated_minutes: a.estimate,
        id: a.id,
    };
    if let Some(m) = new.estimated_minutes
        && m < 0
    {
        return Err(UsageError(format!("invalid --estimate {m}: minutes cannot be negative")).into());
    }
    if a.dry_run {
        let would = ctx.beads.create_preview(new)?;
        if ctx.ui.json {
            let mut v: serde_json::Value = serde_json::from_str(&codec::to_beads_json(&would, Form::Beads))?;
            v["dry_run"] = serde_json::Value::Bool(true);
            ctx.ui.json_value(&v)?;
        } else if a.silent {
            ctx.ui.line(&would.id)?;
        } else {
            ctx.ui.line(&format!("would create {}: {}", would.id, clean(&would.title, true)))?;
            ctx.ui.status("dry run: nothing was written (a generated ID is drawn again by the real create)");
        }
        return Ok(exit::OK);
    }
    let done = ctx.beads.create(new)?;
    if ctx.ui.json && !a.silent {
        ctx.ui.json_value(&done)?;
    } else {
        ctx.ui.line(&done.id)?;
    }
    Ok(exit::OK)
}

pub fn quick(ctx: &mut Ctx, a: QuickArgs) -> anyhow::Result<u8> {
    let new = NewIssue {
        title: a.words.join(" "),
        priority: a.priority.as_deref().map(args::priority).transpose()?,
        issue_type: a.issue_type.as_deref().map(|t| args::issue_type(ctx, t)).transpose()?,
        labels: args::labels(&a.labels)?,
        ..Default::default()
    };
    // Placed like any create: unique across the namespaces the view reads.
    let done = ctx.beads.create(new)?;
    if ctx.ui.json {
        ctx.ui.json_value(&serde_json::json!({ "id": done.id, "title": done.title }))?;
    } else {
        ctx.ui.line(&done.id)?;
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deps_syntax() {
        let d = parse_deps(&[
            "blocks:bd-1".into(),
            "bd-2".into(),
            "discovered-from:bd-3".into(),
            "parent_child:bd-4".into(),
            "proj:bd-5".into(),
        ])
        .unwrap();
        let got: Vec<(String, String)> = d.into_iter().map(|(t, i)| (t.to_string(), i)).collect();
        assert_eq!(
            got,
            [("blocks", "bd-1"), ("blocks", "bd-2"), ("discovered-from", "bd-3"), ("parent-child", "bd-4"), ("blocks", "proj:bd-5")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
