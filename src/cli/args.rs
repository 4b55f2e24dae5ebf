//! Arguments shared by several commands, and turning their text into model values.

use super::Ctx;
use crate::model::{self, IssueType, Priority, Status, Timestamp};
use crate::query::Filter;

/// Filters shared by the view commands (beads' flag names).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct FilterArgs {
    /// Only these statuses (repeatable, or comma-separated).
    #[arg(short = 's', long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only these priorities, 0-4 or P0-P4 (repeatable, or comma-separated).
    #[arg(short = 'p', long, value_name = "N", value_delimiter = ',')]
    pub priority: Vec<String>,
    /// Only these issue types (repeatable, or comma-separated).
    #[arg(short = 't', long = "type", value_name = "TYPE", value_delimiter = ',')]
    pub issue_type: Vec<String>,
    /// Only issues assigned to NAME.
    #[arg(short = 'a', long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Only issues assigned to nobody.
    #[arg(long, visible_alias = "no-assignee")]
    pub unassigned: bool,
    /// Only issues with every one of these labels (repeatable, or comma-separated).
    #[arg(short = 'l', long, value_name = "LABEL", value_delimiter = ',')]
    pub label: Vec<String>,
    /// Only issues with at least one of these labels.
    #[arg(long, value_name = "LABEL", value_delimiter = ',')]
    pub label_any: Vec<String>,
    /// Only issues whose title contains TEXT (case-insensitive).
    #[arg(long, visible_alias = "title", value_name = "TEXT")]
    pub title_contains: Option<String>,
    /// Only issues whose description contains TEXT (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub desc_contains: Option<String>,
    /// Only priorities N or higher in number (less urgent), inclusive.
    #[arg(long, value_name = "N")]
    pub priority_min: Option<String>,
    /// Only priorities N or lower in number (more urgent), inclusive.
    #[arg(long, value_name = "N")]
    pub priority_max: Option<String>,
    /// Only issues created at or after WHEN (2026-12-01, 7d, yesterday, ...).
    #[arg(long, value_name = "WHEN")]
    pub created_after: Option<String>,
    /// Only issues created before WHEN.
    #[arg(long, value_name = "WHEN")]
    pub created_before: Option<String>,
    /// Only issues updated at or after WHEN.
    #[arg(long, value_name = "WHEN")]
    pub updated_after: Option<String>,
    /// Only issues updated before WHEN.
    #[arg(long, value_name = "WHEN")]
    pub updated_before: Option<String>,
    /// Only the descendants of this issue (an epic's children, theirs, ...).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
}

impl FilterArgs {
    /// The filter these flags describe, validated.
    pub fn to_filter(&self, ctx: &Ctx, all: bool) -> anyhow::Result<Filter> {
        let s = ctx.store().settings();
        let statuses = self
            .status
            .iter()
            .filter(|x| !x.trim().is_empty())
            .map(|x| Status::parse_user(x, &s.custom_statuses).map(|v| v.as_str().to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let types = self
            .issue_type
            .iter()
            .filter(|x| !x.trim().is_empty())
            .map(|x| IssueType::parse_user(x, &s.custom_types).map(|v| v.as_str().to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let priorities = self.priority.iter().map(|p| Priority::parse(p).map(Priority::get)).collect::<Result<Vec<_>, _>>()?;
        let now = ctx.store().now();
        let past = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<i64>> {
            v.as_deref()
                .map(|w| {
                    model::time::parse_past(w, now).map(|t| t.as_micros()).map_err(|e| super::UsageError(format!("{flag}: {e}")).into())
                })
                .transpose()
        };
        let prio = |v: &Option<String>| v.as_deref().map(|p| Priority::parse(p).map(Priority::get)).transpose();
        let parent = match &self.parent {
            None => None,
            Some(p) => {
                let view = ctx.beads.view_for(&[p.as_str()])?;
                let u = view.universe();
                let n = view.resolve(ctx.store(), &u, p)?;
                Some(u.id(n).to_string())
            }
        };
        Ok(Filter {
            desc_contains: self.desc_contains.clone(),
            priority_min: prio(&self.priority_min)?,
            priority_max: prio(&self.priority_max)?,
            created_after: past("--created-after", &self.created_after)?,
            created_before: past("--created-before", &self.created_before)?,
            updated_after: past("--updated-after", &self.updated_after)?,
            updated_before: past("--updated-before", &self.updated_before)?,
            parent,
            statuses,
            all,
            priorities,
            types,
            assignee: self.assignee.clone(),
            unassigned: self.unassigned,
            labels_all: self.label.clone(),
            labels_any: self.label_any.clone(),
            title_contains: self.title_contains.clone(),
        })
    }
}

/// Parses `--priority`.
pub fn priority(s: &str) -> anyhow::Result<Priority> {
    Ok(Priority::parse(s)?)
}

/// Parses `--status` against built-ins and `beads.customStatus`.
pub fn status(ctx: &Ctx, s: &str) -> anyhow::Result<Status> {
    Ok(Status::parse_user(s, &ctx.store().settings().custom_statuses)?)
}

/// Parses `--type` against built-ins and `beads.customType`.
pub fn issue_type(ctx: &Ctx, s: &str) -> anyhow::Result<IssueType> {
    Ok(IssueType::parse_user(s, &ctx.store().settings().custom_types)?)
}

/// Parses a typed date (`--due`, `--defer`, `--until`).
pub fn when(ctx: &Ctx, s: &str) -> anyhow::Result<Timestamp> {
    Ok(model::time::parse_when(s, ctx.store().now())?)
}

/// Splits comma lists and checks each label.
pub fn labels(values: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for v in values {
        for l in v.split(',').map(str::trim).filter(|l| !l.is_empty()) {
            model::issue::validate_label(l)?;
            out.push(l.to_string());
        }
    }
    Ok(out)
}

/// Reads all of standard input as UTF-8 text, for a flag given `-`.
/// Empty input and input that is not UTF-8 are errors: an agent that meant
/// to pipe a description and piped nothing must hear about it.
pub fn read_stdin(flag: &str) -> anyhow::Result<String> {
    use anyhow::Context;
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("could not read standard input")?;
    let s = String::from_utf8(bytes).map_err(|e| {
        super::InvalidInput(format!(
            "{flag} -: standard input is not UTF-8 text (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    if s.trim().is_empty() {
        return Err(super::InvalidInput(format!("{flag} -: standard input is empty")).into());
    }
    Ok(s)
}

/// Text flags that take `-` for standard input (`--description -`,
/// `--notes=-`): at most one of them may read it.
#[derive(Default)]
pub struct Stdin {
    taken_by: Option<&'static str>,
}

impl Stdin {
    /// The value of `flag`, with `-` replaced by standard input.
    pub fn resolve(&mut self, flag: &'static str, v: Option<String>) -> anyhow::Result<Option<String>> {
        match v.as_deref() {
            Some("-") => {
                if let Some(other) = self.taken_by {
                    return Err(
                        super::UsageError(format!("{other} and {flag} both ask for standard input (`-`): only one can read it")).into()
                    );
                }
                self.taken_by = Some(flag);
                read_stdin(flag).map(Some)
            }
            _ => Ok(v),
        }
    }

    /// Reads text from `FILE` (`-` for stdin) when given.
    pub fn file(&mut self, flag: &'static str, file: Option<&std::path::Path>) -> anyhow::Result<Option<String>> {
        use anyhow::Context;
        let Some(path) = file else { return Ok(None) };
        if path.as_os_str() == "-" {
            return self.resolve(flag, Some("-".into()));
        }
        let bytes = std::fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
        let s = String::from_utf8(bytes).map_err(|e| {
            super::InvalidInput(format!(
                "{flag}: {} is not UTF-8 text (first bad byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        Ok(Some(s))
    }
}
