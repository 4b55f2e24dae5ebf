//! `check` (the verdict for a pull request) and `close-from-commits` (what
//! runs after a merge).

use super::ui::clean;
use super::{Ctx, exit};
use crate::check::{self, Finding, Report, Severity};
use std::fmt::Write as _;
use std::io::Write as _;

/// How `check` prints its findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people.
    Human,
    /// GitHub Actions workflow commands (`::error ...`), shown as annotations.
    Github,
    /// One JSON object.
    Json,
    /// A JUnit XML report, for CI systems that show test results.
    Junit,
}

/// What an open issue left on a pull request's branch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    Error,
    Warning,
    Off,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The base of the commit range (default: the pull request's target
    /// branch on the remote, else the canonical branch).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The head of the commit range.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// Fetch REMOTE's beads refs first (CI checkouts carry none).
    #[arg(long, value_name = "REMOTE")]
    pub fetch: Option<String>,
    /// Output format (`--json` means `--format json`).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// The pull request's branch (default: GITHUB_HEAD_REF,
    /// CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, else the branch --head names).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// What open issues left in the branch's namespace are (default:
    /// `beads.check.openBranchIssues`, else error).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub open_branch_issues: Option<Level>,
}

#[derive(clap::Args, Debug)]
pub struct CloseFromCommitsArgs {
    /// The commits whose `Closes:`/`Fixes:` trailers to apply, as BASE..HEAD.
    pub range: String,
}

pub fn run(ctx: &mut Ctx, a: CheckArgs) -> anyhow::Result<u8> {
    let format = match (a.format, ctx.ui.json) {
        (Some(f), _) => f,
        (None, true) => Format::Json,
        (None, false) => Format::Human,
    };
    // Everything that stops the check from being made exits 2.
    let report = match make(ctx, &a) {
        Ok(r) => r,
        Err(e) => {
            let cannot = e.chain().any(|c| matches!(c.downcast_ref::<check::Error>(), Some(check::Error::CannotCheck(_))));
            return Err(if cannot { e } else { super::error::CouldNotCheck(e).into() });
        }
    };
    let text = match format {
        Format::Human => human(&report),
        Format::Github => github(&report),
        Format::Json => crate::model::json::to_string_pretty(&report) + "\n",
        Format::Junit => junit(&report),
    };
    match format {
        // JSON is escaped by construction; the rest is sanitized like any human output.
        Format::Json => ctx.ui.out().write_all(text.as_bytes())?,
        _ => ctx.ui.text(&text)?,
    }
    Ok(if report.passed { exit::OK } else { exit::ERROR })
}

fn make(ctx: &Ctx, a: &CheckArgs) -> anyhow::Result<Report> {
    let level = match a.open_branch_issues {
        Some(l) => l,
        None => match ctx.store().repo().config_snapshot().string("beads.check.openBranchIssues").map(|s| s.to_string().to_lowercase()) {
            None => Level::Error,
            Some(s) if s == "error" => Level::Error,
            Some(s) if s == "warning" || s == "warn" => Level::Warning,
            Some(s) if s == "off" || s == "false" || s == "ignore" => Level::Off,
            Some(s) => {
                return Err(super::UsageError(format!("beads.check.openBranchIssues is {s:?}: expected error, warning or off")).into());
            }
        },
    };
    let ci = super::env::ci_branches();
    let opts = check::Options {
        base: a.base.clone(),
        head: Some(a.head.clone()),
        branch: a.branch.clone(),
        open_branch_issues: match level {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Off => None,
        },
        remote: a.fetch.clone(),
        ci_base_branch: ci.0,
        ci_head_branch: ci.1,
    };
    // Fetches `--fetch`'s remote first.
    Ok(ctx.beads.check(&opts)?)
}

fn summary(r: &Report) -> String {
    let range = match &r.range {
        Some(range) => format!("{} commit{} ({range})", r.commits.len(), if r.commits.len() == 1 { "" } else { "s" }),
        None => "no commit range (no base branch found)".into(),
    };
    format!(
        "{}: {} namespace{}, {} issue{}, {range}; {} error{}, {} warning{}",
        if r.passed { "check passed" } else { "check failed" },
        r.namespaces.len(),
        if r.namespaces.len() == 1 { "" } else { "s" },
        r.issues,
        if r.issues == 1 { "" } else { "s" },
        r.errors,
        if r.errors == 1 { "" } else { "s" },
        r.warnings,
        if r.warnings == 1 { "" } else { "s" },
    )
}

fn human(r: &Report) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let _ = writeln!(out, "{}[{}] {}", f.severity.as_str(), f.rule, clean(&f.message, true));
    }
    let _ = writeln!(out, "{}", summary(r));
    out
}

/// GitHub workflow commands: data escaped as the runner expects.
fn github(r: &Report) -> String {
    fn data(s: &str) -> String {
        clean(s, true).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for f in &r.findings {
        let mut title = format!("git-beads {}", f.rule);
        if let Some(c) = &f.commit {
            let _ = write!(title, " in commit {}", &c[..c.len().min(12)]);
        }
        let _ = writeln!(out, "::{} title={}::{}", f.severity.as_str(), property(&title), data(&f.message));
    }
    let _ = writeln!(out, "{}", data(&summary(r)));
    out
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // XML 1.0 allows no other control characters, nor U+FFFE/U+FFFF.
            c if ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                o.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: one test case per commit of the range and one for the
/// namespaces; each error finding a failure of its case.
fn junit(r: &Report) -> String {
    let mut cases: Vec<(String, Vec<&Finding>)> = vec![("namespaces".into(), Vec::new())];
    for c in &r.commits {
        cases.push((format!("commit {} {}", &c.commit[..c.commit.len().min(12)], c.subject), Vec::new()));
    }
    for f in &r.findings {
        let at = f.commit.as_ref().and_then(|c| r.commits.iter().position(|x| x.commit == *c)).map_or(0, |i| i + 1);
        cases[at].1.push(f);
    }
    let failures = cases.iter().filter(|(_, fs)| fs.iter().any(|f| f.severity == Severity::Error)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"git-beads check\" tests=\"{}\" failures=\"{failures}\">", cases.len());
    let _ = writeln!(out, "  <testsuite name=\"git-beads check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">", cases.len());
    for (name, fs) in &cases {
        let _ = write!(out, "    <testcase classname=\"git-beads.check\" name=\"{}\"", xml(name));
        if fs.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let errors: Vec<&&Finding> = fs.iter().filter(|f| f.severity == Severity::Error).collect();
        if !errors.is_empty() {
            let rules: Vec<&str> = errors.iter().map(|f| f.rule).collect();
            let text: Vec<String> = errors.iter().map(|f| format!("{}: {}", f.rule, f.message)).collect();
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                xml(&rules.join(",")),
                xml(&text[0]),
                xml(&text.join("\n"))
            );
        }
        let warnings: Vec<String> =
            fs.iter().filter(|f| f.severity == Severity::Warning).map(|f| format!("warning {}: {}", f.rule, f.message)).collect();
        if !warnings.is_empty() {
            let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&warnings.join("\n")));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

pub fn close_from_commits(ctx: &mut Ctx, a: CloseFromCommitsArgs) -> anyhow::Result<u8> {
    ctx.require_init()?;
    let actor = ctx.actor();
    let namespaces = match ctx.explicit_ns() {
        Some(ns) => vec![ns.clone()],
        None => ctx.store().issue_namespaces()?,
    };
    let out = check::close_from_commits(&ctx.store(), &actor, &a.range, &namespaces)?;
    if ctx.ui.json {
        ctx.ui.json_value(&out)?;
        return Ok(exit::OK);
    }
    for c in &out.closed {
        ctx.ui.line(&format!("closed {} (commit {})", c.id, &c.commit[..c.commit.len().min(12)]))?;
    }
    for id in &out.already_closed {
        ctx.ui.status(&format!("{id} was closed already"));
    }
    for m in &out.missing {
        ctx.ui.warn(&format!("commit {} closes {}, which does not exist here", &m.commit[..m.commit.len().min(12)], clean(&m.id, true)));
    }
    if out.closed.is_empty() {
        ctx.ui.status(&format!("nothing to close in {} commit{}", out.commits, if out.commits == 1 { "" } else { "s" }));
    }
    Ok(exit::OK)
}
