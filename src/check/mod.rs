//! `check`: the verdict CI gives a pull request, from git alone.
//!
//! It reads every beads namespace the clone has (local refs, and the
//! tracking refs a fetch brought: a CI checkout has only those), and:
//!
//! - validates them: blobs that do not read (`invalid-blob`), a namespace
//!   layout of an unknown version (`unknown-format`), `closed_at` that does
//!   not agree with the status (`closed-at`), dependencies on IDs that exist
//!   nowhere (`dangling-dependency`), and dependency cycles (`cycle`);
//! - reads the commits of `base..head` and the issues their messages name,
//!   by trailers (`Closes:`, `Fixes:`, `Refs:`, `Part-of:`) and bracketed
//!   IDs (`[bd-a3f2]`): a named issue that does not exist
//!   (`missing-issue`), or that resolves to several (`ambiguous-issue`),
//!   and a commit that closes an issue still blocked by open work
//!   (`closes-blocked`, unless what blocks it is closed in the same range);
//! - when the pull request's branch has a namespace, lists its open issues
//!   that were neither promoted to the canonical namespace nor proposed
//!   (`open-branch-issue`; its severity is configurable).
//!
//! Only IDs with a prefix this project uses (or qualified `project:...`
//! references) count as mentions, so `Refs: JIRA-12` or `[WIP]` are not
//! taken for issues.

pub(crate) mod close;
pub(crate) mod commits;
mod error;
pub(crate) mod mentions;

pub use close::{Closed, close_from_commits};
use commits::resolve_range;
pub use commits::{CommitInfo, read_commits};
pub use error::{CannotCheck, Error, Result};
pub use mentions::{Mention, Named, Resolver, mentions};

use crate::git::Git;
use crate::graph::{Blocker, Node};
use crate::model::id;
use crate::store::{self, Kind, Namespace, Store, index::status_code};
use crate::view::View;
use std::collections::HashSet;

/// How bad a finding is: errors fail the check, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule: `invalid-blob`, `unknown-format`, `closed-at`,
    /// `dangling-dependency`, `cycle`, `missing-issue`, `ambiguous-issue`,
    /// `closes-blocked`, `open-branch-issue`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// For blob findings: the path in the namespace tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Finding {
    fn new(rule: &'static str, severity: Severity, message: String) -> Finding {
        Finding { rule, severity, message, commit: None, issue: None, namespace: None, path: None }
    }
}

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The base of the range (default: the canonical branch's remote-tracking
    /// branch, else the canonical branch; none: no commits are checked).
    pub base: Option<String>,
    /// The head of the range (default `HEAD`).
    pub head: Option<String>,
    /// The pull request's branch (default: `ci_head_branch`, else the
    /// branch `head` names).
    pub branch: Option<String>,
    /// The pull request's target branch as the CI system reports it
    /// (`GITHUB_BASE_REF`, `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`): the
    /// default base is its remote-tracking branch.
    pub ci_base_branch: Option<String>,
    /// The pull request's source branch as the CI system reports it
    /// (`GITHUB_HEAD_REF`, `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME`).
    pub ci_head_branch: Option<String>,
    /// The severity of `open-branch-issue`; `None` turns the rule off.
    pub open_branch_issues: Option<Severity>,
    /// The remote whose tracking refs stand in for missing local namespaces first.
    pub remote: Option<String>,
}

/// What `check` found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub passed: bool,
    pub errors: usize,
    pub warnings: usize,
    /// The namespaces read, as `name <- ref`.
    pub namespaces: Vec<String>,
    pub issues: usize,
    /// `base..head`, as given and resolved, when commits were checked.
    pub range: Option<String>,
    pub branch: Option<String>,
    pub commits: Vec<CommitInfo>,
    pub findings: Vec<Finding>,
}

/// A reason the check could not be made (exit 2 on the command line).

/// The namespaces to read: every local one, and for each name no local ref
/// has, the tracking ref of `remote` (or of the first remote that has it).
/// Returned as (name, ref), names like `heads/main`.
pub fn effective_namespaces(store: &Store, remote: Option<&str>) -> Result<Vec<(String, Namespace)>> {
    let all = store.namespaces()?;
    let mut out: Vec<(String, Namespace)> = Vec::new();
    for ns in &all {
        if matches!(ns.kind(), Kind::Branch(_) | Kind::Planning(_) | Kind::Proposal(_) | Kind::Rejected(_)) {
            out.push((ns.short().to_string(), ns.clone()));
        }
    }
    let mut tracking: Vec<(bool, &Namespace, &str)> = all
        .iter()
        .filter_map(|ns| match ns.kind() {
            Kind::Tracking { remote: r, rest } => Some((Some(r) != remote, ns, rest)),
            _ => None,
        })
        .collect();
    // The preferred remote's first.
    tracking.sort_by_key(|(other, ns, _)| (*other, (*ns).clone()));
    for (_, ns, rest) in tracking {
        let name_ok = ["heads/", "planning/", "proposals/", "rejected/"].iter().any(|k| rest.starts_with(k));
        if name_ok && !out.iter().any(|(n, _)| n == rest) {
            out.push((rest.to_string(), ns.clone()));
        }
    }
    Ok(out)
}

/// Runs the check.
pub fn check(store: &Store, opts: &Options) -> Result<Report> {
    let git = Git::new(store.repo().git_dir());
    let namespaces = effective_namespaces(store, opts.remote.as_deref())?;
    if namespaces.is_empty() {
        return Err(CannotCheck::NoBeadsRefs { remote: opts.remote.clone() }.into());
    }
    let mut findings = Vec::new();

    // Validation, once per distinct tree.
    let mut seen_trees = HashSet::new();
    let mut readable: Vec<(String, Namespace)> = Vec::new();
    for (name, ns) in &namespaces {
        let snap = match store.snapshot(ns) {
            Ok(s) => s,
            Err(store::Error::UnknownFormat { found, .. }) => {
                let mut f = Finding::new(
                    "unknown-format",
                    Severity::Error,
                    format!("{ns} has a namespace layout of version {found}, which this git-beads does not know"),
                );
                f.namespace = Some(ns.to_string());
                findings.push(f);
                continue;
            }
            // Anything else that keeps the namespace from being read at all
            // (a damaged format entry, a ref that is not a commit, missing
            // objects) is a finding about that namespace; the rest is checked.
            Err(e) => {
                let code = if matches!(e, store::Error::DamagedFormat { .. } | store::Error::DamagedLayout { .. }) {
                    "damaged-namespace"
                } else {
                    "unreadable-namespace"
                };
                let mut f = Finding::new(code, Severity::Error, format!("{ns} cannot be read: {}", crate::store::cache::error_chain(&e)));
                f.namespace = Some(ns.to_string());
                findings.push(f);
                continue;
            }
        };
        readable.push((name.clone(), ns.clone()));
        if !seen_trees.insert(snap.index.tree()) {
            continue;
        }
        let mut buf = Vec::new();
        let root = crate::store::tree::entries(store.repo(), &snap.index.tree(), &mut buf)?;
        if !root.is_empty() && !root.iter().any(|e| e.name == crate::store::tree::FORMAT_FILE) {
            let mut f = Finding::new(
                "missing-format",
                Severity::Error,
                format!("{ns} has no `format` entry: it was not written by git-beads, or the entry was removed"),
            );
            f.namespace = Some(ns.to_string());
            findings.push(f);
        }
        for e in snap.index.invalid() {
            let blob = if e.blob.is_empty() { String::new() } else { format!(" (blob {})", e.blob) };
            let mut f = Finding::new("invalid-blob", Severity::Error, format!("{ns}: {}{blob} cannot be read: {}", e.path, e.error));
            f.namespace = Some(ns.to_string());
            f.path = Some(e.path.clone());
            f.issue = id::id_from_path(&e.path).map(str::to_string);
            findings.push(f);
        }
        for r in snap.index.rows() {
            let (idx, row) = (r.index, r.row);
            let code = idx.status_code(row);
            let closed_at = idx.timestamp(row, crate::store::index::Time::Closed);
            let problem = match (code == status_code::CLOSED, closed_at.is_some(), code == status_code::TOMBSTONE) {
                (_, _, true) => None,
                (true, false, _) => Some("is closed but has no closed_at".to_string()),
                (false, true, _) => Some(format!("has closed_at but its status is {}", idx.status(row))),
                _ => None,
            };
            if let Some(p) = problem {
                let mut f = Finding::new("closed-at", Severity::Error, format!("{} in {ns} {p}", idx.id(row)));
                f.issue = Some(idx.id(row).to_string());
                f.namespace = Some(ns.to_string());
                findings.push(f);
            }
        }
    }

    // The graph: the branch's namespace first (its copy wins), then
    // canonical, then the other branches and planning.
    let branch = pr_branch(store, &git, opts)?;
    let canonical_name = format!("heads/{}", store.canonical_branch());
    let branch_name = branch.as_ref().map(|b| format!("heads/{b}")).filter(|b| *b != canonical_name);
    let mut order: Vec<&(String, Namespace)> =
        readable.iter().filter(|(n, _)| n.starts_with("heads/") || n.starts_with("planning/")).collect();
    order.sort_by_key(|(n, _)| (Some(n) != branch_name.as_ref(), *n != canonical_name, n.clone()));
    let graph_ns: Vec<Namespace> = order.iter().map(|(_, ns)| ns.clone()).collect();
    let view = View::open(store, &graph_ns)?;
    let u = view.universe();
    let analysis = u.analyze();
    let issues = u.len();
    let resolver = Resolver::new(store, &view, &u);

    for n in u.nodes() {
        for (target, d) in u.deps(n) {
            if target.is_some() || d.target().contains(':') {
                continue;
            }
            let severity = if d.is_blocking() || d.is_parent() { Severity::Error } else { Severity::Warning };
            let mut f = Finding::new(
                "dangling-dependency",
                severity,
                format!(
                    "{} ({}) depends on {} ({}), which exists in no namespace",
                    u.id(n),
                    view.namespace_of(&u, n),
                    d.target(),
                    d.dep_type()
                ),
            );
            f.issue = Some(u.id(n).to_string());
            f.namespace = Some(view.namespace_of(&u, n).to_string());
            findings.push(f);
        }
    }
    for cycle in u.cycles() {
        let mut f = Finding::new("cycle", Severity::Error, format!("dependency cycle: {}", cycle.join(" -> ")));
        f.issue = cycle.first().cloned();
        findings.push(f);
    }

    // The commits.
    let (range, commits) = match resolve_range(store, &git, opts)? {
        Some((shown, base, head)) => (Some(shown), read_commits(&git, &base, &head)?),
        None => (None, Vec::new()),
    };
    let mut infos = Vec::new();
    // Issues some commit of the range closes: they do not block each other.
    let mut closed_in_range: HashSet<Node> = HashSet::new();
    let mut resolved: Vec<(usize, Mention, Named)> = Vec::new();
    for (i, (sha, message)) in commits.iter().enumerate() {
        let ms: Vec<Mention> = mentions(message).into_iter().filter(|m| resolver.counts(m)).collect();
        for m in &ms {
            let r = resolver.resolve(&u, m);
            if let (Named::Issue(n), true) = (&r, m.kind.closes()) {
                closed_in_range.insert(*n);
            }
            resolved.push((i, m.clone(), r));
        }
        infos.push(CommitInfo { commit: sha.clone(), subject: message.lines().next().unwrap_or("").to_string(), mentions: ms });
    }
    for (i, m, r) in resolved {
        let info = &infos[i];
        let short = &info.commit[..info.commit.len().min(12)];
        let at = format!("commit {short} ({:?})", one_line(&info.subject, 72));
        let mut f = match r {
            Named::Missing(store::Error::NotFound { .. }) => Finding::new(
                "missing-issue",
                Severity::Error,
                format!("{at} names {} ({}), which does not exist in any namespace", m.id, m.kind.label()),
            ),
            Named::Missing(e) => Finding::new("missing-issue", Severity::Error, format!("{at} names {}, which cannot be read: {e}", m.id)),
            Named::NotWhole { candidate } => Finding::new(
                "missing-issue",
                Severity::Error,
                format!(
                    "{at} names {} ({}), which is not a whole ID (write {candidate}: a shortened ID may name another issue later)",
                    m.id,
                    m.kind.label()
                ),
            ),
            Named::Ambiguous(e) => {
                Finding::new("ambiguous-issue", Severity::Error, format!("{at} names {}, which is ambiguous: {e}", m.id))
            }
            Named::Issue(n) if m.kind.closes() => {
                let blockers: Vec<Blocker> = u
                    .blockers(&analysis, n)
                    .into_iter()
                    .filter(|b| !u.find(b.id()).is_some_and(|bn| closed_in_range.contains(&bn)))
                    .collect();
                if blockers.is_empty() {
                    continue;
                }
                let what: Vec<String> = blockers.iter().map(describe).collect();
                Finding::new(
                    "closes-blocked",
                    Severity::Error,
                    format!("{at} closes {} ({}), which is still blocked by {}", u.id(n), m.kind.label(), what.join(", ")),
                )
            }
            Named::Issue(_) => continue,
        };
        f.commit = Some(info.commit.clone());
        f.issue = Some(m.id.clone());
        findings.push(f);
    }

    // Work left on the pull request's branch.
    if let (Some(severity), Some(bname)) = (opts.open_branch_issues, &branch_name)
        && let Some((_, bns)) = readable.iter().find(|(n, _)| n == bname)
    {
        let snap = store.snapshot(bns)?;
        let elsewhere = |name: &str| -> Result<HashSet<String>> {
            let mut ids = HashSet::new();
            for (n, ns) in &readable {
                if n == name || (name.ends_with('/') && n.starts_with(name)) {
                    ids.extend(store.snapshot(ns)?.index.ids().map(str::to_string));
                }
            }
            Ok(ids)
        };
        let canonical_ids = elsewhere(&canonical_name)?;
        let proposed_ids = elsewhere("proposals/")?;
        for r in snap.index.rows() {
            let (idx, row) = (r.index, r.row);
            let iid = idx.id(row);
            if status_code::is_done(idx.status_code(row)) || canonical_ids.contains(iid) || proposed_ids.contains(iid) {
                continue;
            }
            let mut f = Finding::new(
                "open-branch-issue",
                severity,
                format!(
                    "{iid} ({:?}) is open in the branch's namespace {bns} and was neither promoted nor proposed",
                    one_line(idx.title(row), 60)
                ),
            );
            f.issue = Some(iid.to_string());
            f.namespace = Some(bns.to_string());
            findings.push(f);
        }
    }

    findings.sort_by_key(|f| f.severity);
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    Ok(Report {
        passed: errors == 0,
        errors,
        warnings,
        namespaces: namespaces.iter().map(|(n, ns)| if ns.short() == n { n.clone() } else { format!("{n} <- {ns}") }).collect(),
        issues,
        range,
        branch,
        commits: infos,
        findings,
    })
}

fn describe(b: &Blocker) -> String {
    match b {
        Blocker::Dependency { id, status, .. } => format!("{id} ({status})"),
        Blocker::Dangling { id, .. } => format!("{id} (missing)"),
        Blocker::Parent { id } => format!("its blocked parent {id}"),
        Blocker::OpenChild { id, status } => format!("its child {id} ({status})"),
    }
}

fn one_line(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() <= max { line.to_string() } else { format!("{}...", line.chars().take(max).collect::<String>()) }
}

/// The pull request's branch, if one can be told.
fn pr_branch(store: &Store, git: &Git, opts: &Options) -> Result<Option<String>> {
    if let Some(b) = &opts.branch {
        return Ok(Some(b.clone()));
    }
    if let Some(b) = opts.ci_head_branch.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        return Ok(Some(b.to_string()));
    }
    match opts.head.as_deref() {
        None | Some("HEAD") => Ok(store.current_branch()),
        Some(h) => {
            // (`--end-of-options` would be echoed back by rev-parse here; the
            // head was resolved as a commit already, so it is no option.)
            let out = git.output(["rev-parse", "--symbolic-full-name", h])?;
            let text = String::from_utf8_lossy(&out.stdout);
            Ok(text.lines().last().and_then(|l| l.trim().strip_prefix("refs/heads/")).map(str::to_string))
        }
    }
}
