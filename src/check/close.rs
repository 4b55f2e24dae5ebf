//! Closing the issues that merged commits close.

use super::{Error, Result};
use super::{
    commits::read_commits, commits::resolve_commit, commits::shallow_guard, mentions::Named, mentions::Resolver, mentions::mentions,
    one_line,
};
use crate::git::Git;
use crate::store::{Namespace, Store, index::status_code};
use crate::view::View;
use std::collections::BTreeMap;

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
        return Err(Error::NotARange {
            range: range.to_string(),
            reason: "a symmetric difference (A...B) is not the commits a merge brought",
        });
    }
    let (base, head) = match range.split_once("..") {
        Some((b, h)) => (if b.is_empty() { "HEAD" } else { b }, if h.is_empty() { "HEAD" } else { h }),
        None => return Err(Error::NotARange { range: range.to_string(), reason: "expected BASE..HEAD" }),
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
