//! Fetch and push through the system `git`, which owns credentials, ssh
//! configuration, proxies and every transport. Push output is read in
//! `--porcelain` form, never as prose.

use crate::git::Git;
use crate::remote::{Error, Result};
use gix::ObjectId;

/// Fetches `refspecs` from `remote`, pruning tracking refs the remote no
/// longer has (only within those refspecs).
pub fn fetch(git: &Git, remote: &str, refspecs: &[String]) -> Result<()> {
    let mut args: Vec<String> = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--prune", "--end-of-options", remote]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(refspecs.iter().cloned());
    let out = git.output(&args)?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::Remote { remote: remote.to_string(), message: first_lines(&String::from_utf8_lossy(&out.stderr)) })
}

/// One ref a push should move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// The ref on the remote (same name as the local namespace).
    pub refname: String,
    /// The commit to push.
    pub new: ObjectId,
    /// What the remote ref must point at for the push to go through (the
    /// value last fetched); `None`: it must not exist.
    pub expected: Option<ObjectId>,
}

/// Why a push did not go through.
#[derive(Debug)]
pub enum Refusal {
    /// A lost race: the remote moved since the fetch (a stale lease, or
    /// another push holding or moving the ref on the server). Fetch, merge
    /// and try again.
    Stale(String),
    /// The remote refused for good (a hook, permissions). `refname` names
    /// the one ref it refused when the others only failed with it (an
    /// atomic push fails whole): push again without that one.
    Refused { reason: String, details: String, refname: Option<String> },
}

/// Whether a rejected ref's summary says the push lost a race (the remote
/// moved, or another push held the ref's lock on the server) rather than a
/// refusal of the change itself.
fn is_lost_race(summary: &str) -> bool {
    const RACES: [&str; 9] = [
        "stale info",
        "fetch first",
        "non-fast-forward",
        "cannot lock ref",
        "failed to lock",
        "failed to update ref",
        "but expected",
        "incorrect old value",
        "reference already exists",
    ];
    RACES.iter().any(|r| summary.contains(r))
}

/// Whether a rejected ref failed only because another ref of the same
/// atomic push did.
fn is_atomic_fallout(summary: &str) -> bool {
    summary.contains("atomic transaction failed") || summary.contains("atomic push failed")
}

/// Pushes every update in one atomic transaction with leases. `Ok(Err(_))`
/// is a refusal the remote reported; `Err(_)` a failure to talk to it.
pub fn push(git: &Git, remote: &str, updates: &[Update]) -> Result<std::result::Result<(), Refusal>> {
    let changes: Vec<Change> =
        updates.iter().map(|u| Change { refname: u.refname.clone(), new: Some(u.new), expected: u.expected }).collect();
    push_changes(git, remote, &changes)
}

/// One ref a push should set (`new`) or delete (`new: None`), with a lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub refname: String,
    pub new: Option<ObjectId>,
    /// What the remote ref must point at; `None`: it must not exist.
    pub expected: Option<ObjectId>,
}

/// Like [`push`], for updates and deletions.
pub fn push_changes(git: &Git, remote: &str, changes: &[Change]) -> Result<std::result::Result<(), Refusal>> {
    if changes.is_empty() {
        return Ok(Ok(()));
    }
    // --no-verify: this push is git-beads' own; a pre-push hook that syncs
    // beads namespaces must not run again from inside it.
    let mut args: Vec<String> = ["push", "--atomic", "--porcelain", "--no-verify"].iter().map(|s| s.to_string()).collect();
    for c in changes {
        let lease = c.expected.map(|o| o.to_string()).unwrap_or_default();
        args.push(format!("--force-with-lease={}:{lease}", c.refname));
    }
    // A remote name is never read as an option.
    args.push("--end-of-options".into());
    args.push(remote.to_string());
    for c in changes {
        match c.new {
            Some(new) => args.push(format!("{new}:{}", c.refname)),
            None => args.push(format!(":{}", c.refname)),
        }
    }
    let out = git.output(&args)?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        return Ok(Ok(()));
    }
    let lines: Vec<PorcelainLine> = stdout.lines().filter_map(PorcelainLine::parse).collect();
    if lines.is_empty() {
        return Err(Error::Remote { remote: remote.to_string(), message: first_lines(&stderr) });
    }
    let rejected: Vec<&PorcelainLine> = lines.iter().filter(|l| l.flag == '!').collect();
    let remote_says: String = stderr
        .lines()
        .filter(|l| l.starts_with("remote:"))
        .map(|l| l.trim_start_matches("remote:").trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if rejected.is_empty() {
        return Err(Error::Remote { remote: remote.to_string(), message: first_lines(&stderr) });
    }
    classify(&rejected, remote_says)
}

/// Sorts the rejected refs of a failed push into a lost race or a refusal.
fn classify(rejected: &[&PorcelainLine], remote_says: String) -> Result<std::result::Result<(), Refusal>> {
    // The refs that failed for a reason of their own (not as fallout of another).
    let causes: Vec<&&PorcelainLine> = rejected.iter().filter(|l| !is_atomic_fallout(&l.summary)).collect();
    let describe = |ls: &[&&PorcelainLine]| ls.iter().map(|l| format!("{} {}", l.to, l.summary)).collect::<Vec<_>>().join("; ");
    // Every cause a lost race (or none named: all fallout): fetch, merge, retry.
    if causes.iter().all(|l| is_lost_race(&l.summary)) {
        let all: Vec<&&PorcelainLine> = rejected.iter().collect();
        return Ok(Err(Refusal::Stale(describe(if causes.is_empty() { &all } else { &causes }))));
    }
    let hard = causes.iter().find(|l| !is_lost_race(&l.summary)).expect("a cause that is not a race");
    let reason = hard.summary.trim_start_matches("[remote rejected]").trim_start_matches("[rejected]").trim();
    let reason = reason.trim_start_matches('(').trim_end_matches(')').to_string();
    // One ref refused while the others were only dragged along: name it.
    let refname = (causes.len() == 1 && rejected.len() > 1).then(|| hard.to.clone());
    Ok(Err(Refusal::Refused { reason: if reason.is_empty() { hard.summary.clone() } else { reason }, details: remote_says, refname }))
}

/// One ref line of `git push --porcelain`.
#[derive(Debug)]
struct PorcelainLine {
    flag: char,
    to: String,
    summary: String,
}

impl PorcelainLine {
    fn parse(line: &str) -> Option<PorcelainLine> {
        let mut chars = line.chars();
        let flag = chars.next()?;
        if !matches!(flag, ' ' | '+' | '-' | '*' | '!' | '=') || chars.next() != Some('\t') {
            return None;
        }
        let mut parts = line[2..].splitn(2, '\t');
        let refs = parts.next()?;
        let summary = parts.next().unwrap_or("").to_string();
        let to = refs.split_once(':').map(|(_, t)| t.to_string()).unwrap_or_else(|| refs.to_string());
        Some(PorcelainLine { flag, to, summary })
    }
}

pub(crate) fn first_lines(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).take(6).collect();
    if lines.is_empty() { "git gave no reason".into() } else { lines.join("; ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_lines() {
        let l = PorcelainLine::parse("!\tabc:refs/beads/heads/main\t[rejected] (stale info)").unwrap();
        assert_eq!((l.flag, l.to.as_str(), l.summary.as_str()), ('!', "refs/beads/heads/main", "[rejected] (stale info)"));
        assert!(PorcelainLine::parse("To /tmp/x.git").is_none());
        assert!(PorcelainLine::parse("Done").is_none());
        let l = PorcelainLine::parse("*\tabc:refs/beads/heads/x\t[new reference]").unwrap();
        assert_eq!(l.flag, '*');
    }
}
