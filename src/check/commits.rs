//! The commits of a pull request: resolving its base and head, shallow clones, reading the messages.

use super::{CannotCheck, Result};
use super::{Options, mentions::Mention};
use crate::git::Git;
use crate::store::Store;

/// A commit of the range, with what it names.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CommitInfo {
    pub commit: String,
    pub subject: String,
    pub mentions: Vec<Mention>,
}

/// A commit a revision names, or why it names none.
pub(super) fn resolve_commit(git: &Git, rev: &str, role: &'static str) -> Result<String> {
    let out = git.output(["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")])?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    if is_shallow(git)? {
        return Err(CannotCheck::MissingRevision { role, rev: rev.to_string(), shallow: true }.into());
    }
    Err(CannotCheck::MissingRevision { role, rev: rev.to_string(), shallow: false }.into())
}

pub(super) fn is_shallow(git: &Git) -> Result<bool> {
    Ok(git.run(["rev-parse", "--is-shallow-repository"])?.trim() == "true")
}

/// `(shown, base, head)` of the range to read, or `None` when there is no base.
pub(super) fn resolve_range(store: &Store, git: &Git, opts: &Options) -> Result<Option<(String, String, String)>> {
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
pub(super) fn shallow_guard(git: &Git, base: &str, head: &str, shown: &str) -> Result<()> {
    if is_shallow(git)? && !git.output(["merge-base", base, head])?.status.success() {
        return Err(CannotCheck::NoCommonHistory { range: shown.to_string() }.into());
    }
    Ok(())
}

/// The base when none is given: the pull request's target branch on its
/// remote, else the canonical branch's remote-tracking branch, else the
/// canonical branch itself.
pub(super) fn default_base(store: &Store, git: &Git, opts: &Options) -> Result<Option<String>> {
    let remote = opts.remote.clone().unwrap_or_else(|| "origin".into());
    let mut candidates = Vec::new();
    if let Some(b) = opts.ci_base_branch.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        candidates.push(format!("refs/remotes/{remote}/{b}"));
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
