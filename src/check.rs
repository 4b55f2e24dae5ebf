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

use crate::git::Git;
use crate::graph::{Blocker, Node};
use crate::model::id;
use crate::store::{Error, Kind, Namespace, Result, Store, index::status_code};
use crate::view::View;
use std::collections::{BTreeMap, BTreeSet, HashSet};

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

/// How a commit message names an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MentionKind {
    Closes,
    Fixes,
    Refs,
    PartOf,
    /// `[bd-a3f2]` anywhere in the message.
    Bracket,
}

impl MentionKind {
    /// Whether the commit says it finishes the issue.
    pub fn closes(self) -> bool {
        matches!(self, MentionKind::Closes | MentionKind::Fixes)
    }

    /// How it reads in a message.
    pub fn label(self) -> &'static str {
        match self {
            MentionKind::Closes => "Closes:",
            MentionKind::Fixes => "Fixes:",
            MentionKind::Refs => "Refs:",
            MentionKind::PartOf => "Part-of:",
            MentionKind::Bracket => "[...]",
        }
    }
}

/// One issue named by a commit message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Mention {
    pub id: String,
    pub kind: MentionKind,
}

/// The issue references in a commit message, in order, each once per kind:
/// trailer-style lines `Closes:`, `Fixes:`, `Refs:`, `Part-of:` (any case,
/// anywhere in the message; values separated by commas or spaces), and
/// bracketed IDs. Tokens that cannot be issue IDs (`#12`, URLs, words
/// without a `-`) are skipped; see [`Mention`] filtering in [`check`] for
/// the prefix rule.
pub fn mentions(message: &str) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    let mut push = |id: &str, kind: MentionKind| {
        let id = id.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '.' | ';' | '"' | '\'' | '`'));
        if plausible(id) && !out.iter().any(|m| m.id.eq_ignore_ascii_case(id) && m.kind == kind) {
            out.push(Mention { id: id.to_string(), kind });
        }
    };
    let tokens =
        |s: &str| s.split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty()).map(str::to_string).collect::<Vec<_>>();
    for line in message.lines() {
        let line = line.trim();
        if let Some((key, value)) = line.split_once(':') {
            let kind = match key.trim().to_ascii_lowercase().as_str() {
                "closes" => Some(MentionKind::Closes),
                "fixes" => Some(MentionKind::Fixes),
                "refs" => Some(MentionKind::Refs),
                "part-of" => Some(MentionKind::PartOf),
                _ => None,
            };
            if let Some(kind) = kind {
                for token in tokens(value) {
                    push(&token, kind);
                }
                continue;
            }
        }
        // Bracketed IDs: `[bd-a3f2]`, `[bd-a3f2, bd-b7c9]`; an unclosed `[`
        // before one does not hide it.
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            let Some(close) = after.find(']') else { break };
            let inside = &after[..close];
            let inner = inside.rfind('[').map_or(inside, |i| &inside[i + 1..]);
            for token in tokens(inner) {
                push(&token, MentionKind::Bracket);
            }
            rest = &after[close + 1..];
        }
    }
    out
}

/// Whether `token` can be an issue reference at all.
fn plausible(token: &str) -> bool {
    !token.starts_with('#')
        && !token.contains("://")
        && (token.contains('-') || token.contains(':'))
        && id::validate_reference(token).is_ok()
}

/// Which mentions are this project's issues, and what they resolve to:
/// the rules `check`, `close-from-commits` and the commit-msg hook share.
pub struct Resolver<'v> {
    store: &'v Store,
    view: &'v View,
    prefixes: BTreeSet<String>,
}

/// What a mention names.
#[derive(Debug)]
pub enum Named {
    Issue(Node),
    /// Nothing of that ID (the error says why).
    Missing(Error),
    /// Only a shortened ID: a commit message is forever, so it must be whole.
    NotWhole {
        candidate: String,
    },
    Ambiguous(Error),
}

impl<'v> Resolver<'v> {
    /// A resolver over `view`; the prefixes of its issues (and
    /// `beads.prefix`) are this project's.
    pub fn new(store: &'v Store, view: &'v View, u: &crate::graph::Universe<'_>) -> Resolver<'v> {
        let mut prefixes: BTreeSet<String> = u.nodes().filter_map(|n| id::prefix_of(u.id(n)).map(str::to_ascii_lowercase)).collect();
        prefixes.insert(store.prefix().to_ascii_lowercase());
        Resolver { store, view, prefixes }
    }

    /// Whether a mention refers to an issue of this project (or of a
    /// project fetched here): `bd-a3f2` with a prefix the project uses,
    /// `proj:...` for this project or a fetched one. `JIRA-12`, `[ci:skip]`
    /// and the like do not count.
    pub fn counts(&self, m: &Mention) -> bool {
        match m.id.split_once(':') {
            Some((project, _)) => {
                !self.view.is_foreign(&m.id)
                    || self
                        .store
                        .namespaces()
                        .is_ok_and(|all| all.iter().any(|ns| matches!(ns.kind(), Kind::Tracking { remote, .. } if remote == project)))
            }
            None => id::prefix_of(&m.id).is_some_and(|p| self.prefixes.contains(&p.to_ascii_lowercase())),
        }
    }

    /// What `m` names: exactly one issue by its whole ID (any case), or by
    /// a qualified reference whose hash is whole.
    pub fn resolve(&self, u: &crate::graph::Universe<'_>, m: &Mention) -> Named {
        match self.view.resolve(self.store, u, &m.id) {
            Ok(n) => {
                let whole = u.id(n);
                let typed = m.id.rsplit(':').next().unwrap_or(&m.id).to_ascii_lowercase();
                let hash = id::hash_part(whole).to_ascii_lowercase();
                let exact = m.id.eq_ignore_ascii_case(whole)
                    || (m.id.contains(':') && (typed == hash || typed.ends_with(&format!("-{hash}")) || typed.eq_ignore_ascii_case(whole)));
                if exact { Named::Issue(n) } else { Named::NotWhole { candidate: whole.to_string() } }
            }
            Err(e @ (Error::Ambiguous { .. } | Error::InSeveralNamespaces { .. })) => Named::Ambiguous(e),
            Err(e) => Named::Missing(e),
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

/// A commit of the range, with what it names.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CommitInfo {
    pub commit: String,
    pub subject: String,
    pub mentions: Vec<Mention>,
}

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The base of the range (default: the canonical branch's remote-tracking
    /// branch, else the canonical branch; none: no commits are checked).
    pub base: Option<String>,
    /// The head of the range (default `HEAD`).
    pub head: Option<String>,
    /// The pull request's branch (default: `GITHUB_HEAD_REF`,
    /// `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME`, else the branch `head` names).
    pub branch: Option<String>,
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
fn cannot(message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::CannotCheck { message: message.into(), hint: hint.into() }
}

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
        return Err(match &opts.remote {
            Some(r) => cannot(
                format!("there are no beads refs in this clone, and {r} has none either"),
                format!("check the remote's name, or create the issues first (`git beads sync {r}` from a clone that has them)"),
            ),
            None => cannot(
                "there are no beads refs in this clone (CI checkouts fetch none)",
                "fetch them with `git beads check --fetch origin`, or `git fetch origin '+refs/beads/*:refs/beads/remotes/origin/*'`",
            ),
        });
    }
    let mut findings = Vec::new();

    // Validation, once per distinct tree.
    let mut seen_trees = HashSet::new();
    let mut readable: Vec<(String, Namespace)> = Vec::new();
    for (name, ns) in &namespaces {
        let snap = match store.snapshot(ns) {
            Ok(s) => s,
            Err(Error::UnknownFormat { found, .. }) => {
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
                let code = if matches!(e, Error::DamagedFormat { .. } | Error::DamagedLayout { .. }) {
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
            Named::Missing(Error::NotFound { .. }) => Finding::new(
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
    for var in ["GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] {
        if let Ok(b) = std::env::var(var)
            && !b.trim().is_empty()
        {
            return Ok(Some(b.trim().to_string()));
        }
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

/// A commit a revision names, or why it names none.
fn resolve_commit(git: &Git, rev: &str, role: &str) -> Result<String> {
    let out = git.output(["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")])?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    if is_shallow(git)? {
        return Err(cannot(
            format!("the {role} {rev:?} is not in this clone, which is shallow"),
            "fetch more history (`git fetch --deepen=200`, or `fetch-depth: 0` in actions/checkout) and check again",
        ));
    }
    Err(cannot(format!("the {role} {rev:?} does not name a commit"), "pass a branch, tag or commit that exists in this clone"))
}

fn is_shallow(git: &Git) -> Result<bool> {
    Ok(git.run(["rev-parse", "--is-shallow-repository"])?.trim() == "true")
}

/// `(shown, base, head)` of the range to read, or `None` when there is no base.
fn resolve_range(store: &Store, git: &Git, opts: &Options) -> Result<Option<(String, String, String)>> {
    let head_rev = opts.head.clone().unwrap_or_else(|| "HEAD".into());
    let base_rev = match &opts.base {
        Some(b) => b.clone(),
        None => match default_base(store, git, opts)? {
            Some(b) => b,
            None => return Ok(None),
        },
    };
    let base = resolve_commit(git, &base_rev, "base")?;
    let head = resolve_commit(git, &head_rev, "head")?;
    shallow_guard(git, &base, &head, &format!("{base_rev}..{head_rev}"))?;
    Ok(Some((format!("{base_rev}..{head_rev}"), base, head)))
}

/// In a shallow clone, a missing merge base would make `base..head` run to
/// the shallow boundary: say so instead of reading the wrong commits.
fn shallow_guard(git: &Git, base: &str, head: &str, shown: &str) -> Result<()> {
    if is_shallow(git)? && !git.output(["merge-base", base, head])?.status.success() {
        return Err(cannot(
            format!("the two ends of {shown} have no common history in this shallow clone"),
            "fetch more history (`git fetch --deepen=200`, or `fetch-depth: 0` in actions/checkout) and try again",
        ));
    }
    Ok(())
}

/// The base when none is given: the pull request's target branch on its
/// remote, else the canonical branch's remote-tracking branch, else the
/// canonical branch itself.
fn default_base(store: &Store, git: &Git, opts: &Options) -> Result<Option<String>> {
    let remote = opts.remote.clone().unwrap_or_else(|| "origin".into());
    let mut candidates = Vec::new();
    for var in ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] {
        if let Ok(b) = std::env::var(var)
            && !b.trim().is_empty()
        {
            candidates.push(format!("refs/remotes/{remote}/{}", b.trim()));
        }
    }
    let canonical = store.canonical_branch();
    candidates.push(format!("refs/remotes/{remote}/{canonical}"));
    candidates.push(format!("refs/heads/{canonical}"));
    for c in candidates {
        if git.output(["rev-parse", "--verify", "--quiet", &format!("{c}^{{commit}}")])?.status.success() {
            return Ok(Some(c.trim_start_matches("refs/remotes/").trim_start_matches("refs/heads/").to_string()));
        }
    }
    Ok(None)
}

/// The commits of `base..head`, oldest first, with their messages.
pub fn read_commits(git: &Git, base: &str, head: &str) -> Result<Vec<(String, String)>> {
    let out = git.run(["log", "--reverse", "--format=%H%x00%B%x00", &format!("{base}..{head}"), "--"])?;
    let mut parts = out.split('\0');
    let mut commits = Vec::new();
    while let (Some(sha), Some(body)) = (parts.next(), parts.next()) {
        let sha = sha.trim();
        if sha.is_empty() {
            break;
        }
        commits.push((sha.to_string(), body.trim().to_string()));
    }
    Ok(commits)
}

/// What `close-from-commits` did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Closed {
    /// Issues closed now, with the commit that closed them.
    pub closed: Vec<ClosedIssue>,
    /// Named issues that were closed already.
    pub already_closed: Vec<String>,
    /// Named issues that exist nowhere (or are ambiguous), with the commit.
    pub missing: Vec<ClosedIssue>,
    pub commits: usize,
}

/// An issue and the commit that names it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClosedIssue {
    pub id: String,
    pub commit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Closes the issues that the commits of `range` close (`Closes:` and
/// `Fixes:` trailers), each with the commit as its reason, in the namespace
/// it lives in. Running it again changes nothing.
pub fn close_from_commits(store: &Store, actor: &crate::store::Actor, range: &str, namespaces: &[Namespace]) -> Result<Closed> {
    let git = Git::new(store.repo().git_dir());
    if range.contains("...") {
        return Err(Error::Invalid(format!("{range:?} is a symmetric difference: give the merged commits as BASE..HEAD")));
    }
    let (base, head) = match range.split_once("..") {
        Some((b, h)) => (if b.is_empty() { "HEAD" } else { b }, if h.is_empty() { "HEAD" } else { h }),
        None => return Err(Error::Invalid(format!("{range:?} is not a range: expected BASE..HEAD"))),
    };
    let base = resolve_commit(&git, base, "base")?;
    let head = resolve_commit(&git, head, "head")?;
    shallow_guard(&git, &base, &head, range)?;
    let commits = read_commits(&git, &base, &head)?;
    let view = View::open(store, namespaces)?;
    let u = view.universe();
    let resolver = Resolver::new(store, &view, &u);
    let mut out = Closed { commits: commits.len(), ..Default::default() };
    // (namespace, id) -> the first commit that closes it.
    let mut to_close: BTreeMap<(Namespace, String), String> = BTreeMap::new();
    for (sha, message) in &commits {
        for m in mentions(message).into_iter().filter(|m| m.kind.closes() && resolver.counts(m)) {
            match resolver.resolve(&u, &m) {
                Named::Issue(n) if status_code::is_done(u.status_code(n)) => {
                    if !out.already_closed.contains(&u.id(n).to_string()) {
                        out.already_closed.push(u.id(n).to_string());
                    }
                }
                Named::Issue(n) => {
                    to_close.entry((view.namespace_of(&u, n).clone(), u.id(n).to_string())).or_insert_with(|| sha.clone());
                }
                _ => out.missing.push(ClosedIssue { id: m.id.clone(), commit: sha.clone(), namespace: None }),
            }
        }
    }
    drop(u);
    for ((ns, iid), sha) in to_close {
        let subject = commits.iter().find(|(s, _)| *s == sha).and_then(|(_, m)| m.lines().next()).unwrap_or("");
        let reason = format!("closed by commit {} ({})", &sha[..sha.len().min(12)], one_line(subject, 72));
        let done = crate::ops::close(store, &ns, actor, std::slice::from_ref(&iid), Some(&reason), true, &crate::ops::Scope::default())?;
        if done.value.closed.iter().any(|i| i.id == iid) {
            out.closed.push(ClosedIssue { id: iid, commit: sha, namespace: Some(ns.to_string()) });
        } else {
            out.already_closed.push(iid);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(msg: &str) -> Vec<(String, MentionKind)> {
        mentions(msg).into_iter().map(|m| (m.id, m.kind)).collect()
    }

    #[test]
    fn trailers_and_brackets_are_mentions() {
        let msg = "Fix the login [bd-a3f2]\n\nLonger text mentions [WIP] and #12.\n\nCloses: bd-b7c9, bd-c4d8\nfixes: (bd-d1)\nRefs: #45 https://x.example/a-b\nPart-of: other:f6g7\nSigned-off-by: A <a@b>";
        assert_eq!(
            ids(msg),
            [
                ("bd-a3f2".to_string(), MentionKind::Bracket),
                ("bd-b7c9".to_string(), MentionKind::Closes),
                ("bd-c4d8".to_string(), MentionKind::Closes),
                ("bd-d1".to_string(), MentionKind::Fixes),
                ("other:f6g7".to_string(), MentionKind::PartOf),
            ]
        );
        assert!(ids("Closes: nothing here\n").is_empty(), "words without a dash are not IDs");
        assert_eq!(ids("Closes: bd-1\nCloses: bd-1").len(), 1);
    }

    #[test]
    fn brackets_in_trailers_lists_and_unclosed_brackets() {
        assert_eq!(ids("Closes: [bd-a1]"), [("bd-a1".to_string(), MentionKind::Closes)]);
        assert_eq!(ids("Both [bd-a1, bd-b2]"), [("bd-a1".to_string(), MentionKind::Bracket), ("bd-b2".to_string(), MentionKind::Bracket)]);
        assert_eq!(ids("nested [a [bd-c3]"), [("bd-c3".to_string(), MentionKind::Bracket)]);
        assert_eq!(ids("CLOSES: BD-D4"), [("BD-D4".to_string(), MentionKind::Closes)]);
    }
}
