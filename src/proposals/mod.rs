//! Proposals: offering issues upstream by copying refs.
//!
//! `propose` writes the very same blobs into a commit on
//! `refs/beads/proposals/<name>` and pushes that ref to the target remote
//! (nothing else goes there). A maintainer fetches it, and `accept` copies
//! the blobs into the canonical namespace (merging field by field when the
//! issue is already there with other content), pushes the canonical
//! namespace, and deletes the proposal; `reject` moves it to
//! `refs/beads/rejected/<name>` with the reason. The contributor's next sync
//! notices the proposal went away: when its issues are in the remote's
//! canonical namespace it marks the planning copies as accepted
//! (`metadata["git-beads"].visibility = "canonical"`), when a rejection is
//! there it reports the reason.

use crate::merge::Resolution;
use crate::model::{Issue, METADATA_KEY, id};
use crate::remote::{self, push, transport};
use crate::store::{self, Actor, Kind, Namespace, REF_ROOT, Store, Tip, tree};
use crate::sync;

mod error;
pub use error::{Error, Result};
use gix::ObjectId;
use std::collections::BTreeMap;

/// Whether a proposal is still on offer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Offered,
    Rejected { reason: String },
}

/// A proposal, ours or fetched.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Proposal {
    pub name: String,
    /// The ref it was found at (local, or a tracking ref).
    pub refname: String,
    /// The remote it is offered on (`None`: a local proposal).
    pub remote: Option<String>,
    /// Whether this clone made it (a ref under `refs/beads/proposals/`).
    pub ours: bool,
    pub commit: String,
    pub ids: Vec<String>,
    pub titles: Vec<String>,
    /// The namespace the issues were proposed from.
    pub from: Option<String>,
    pub proposer: String,
    #[serde(flatten)]
    pub state: State,
}

/// A proposal of ours awaiting an answer.
#[derive(Clone, Debug)]
pub struct Pending {
    pub name: String,
    pub remote: String,
    pub commit: ObjectId,
}

fn trailers(message: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in message.lines() {
        if let Some((k, v)) = line.split_once(": ")
            && k.starts_with("Beads-")
            && !k.contains(' ')
        {
            out.entry(k.to_string()).or_default().push(v.trim().to_string());
        }
    }
    out
}

fn commit_info(store: &Store, commit: ObjectId) -> Result<(Tip, String, String)> {
    let c = store.repo().find_commit(commit).map_err(|e| store::Error::git(format!("could not read commit {commit}"), e))?;
    let tree = c.tree_id().map_err(|e| store::Error::git("could not read a commit's tree", e))?.detach();
    let author = c.author().map(|a| a.name.to_string()).unwrap_or_default();
    Ok((Tip { commit, tree }, c.message_raw_sloppy().to_string(), author))
}

/// The issues a proposal tree holds.
fn issues_in(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<Vec<Issue>> {
    let (entries, _) = tree::list_issues(store.repo(), ns.refname(), &tree)?;
    Ok(entries.iter().map(|e| store.read_issue(ns, &e.path, e.blob)).collect::<store::Result<_>>()?)
}

fn describe(
    store: &Store,
    refname: &str,
    name: &str,
    remote: Option<String>,
    ours: bool,
    state: Option<State>,
) -> Result<Option<Proposal>> {
    let ns = Namespace::from_ref(refname)?;
    let Some(tip) = store.tip(&ns)? else { return Ok(None) };
    let (tip, message, author) = commit_info(store, tip.commit)?;
    let t = trailers(&message);
    let issues = issues_in(store, &ns, tip.tree)?;
    let state = state.unwrap_or_else(|| match t.get("Beads-Op").and_then(|v| v.first()).map(String::as_str) {
        Some("reject") => State::Rejected { reason: t.get("Beads-Reason").and_then(|v| v.first()).cloned().unwrap_or_default() },
        _ => State::Offered,
    });
    let remote = remote.or_else(|| t.get("Beads-Proposed-To").and_then(|v| v.first()).cloned());
    Ok(Some(Proposal {
        name: name.to_string(),
        refname: refname.to_string(),
        remote,
        ours,
        commit: tip.commit.to_string(),
        ids: issues.iter().map(|i| i.id.clone()).collect(),
        titles: issues.iter().map(|i| i.title.clone()).collect(),
        from: t.get("Beads-Proposed-From").and_then(|v| v.first()).cloned(),
        proposer: t.get("Beads-Proposer").and_then(|v| v.first()).cloned().unwrap_or(author),
        state,
    }))
}

/// Proposals of ours (under `refs/beads/proposals/`) with the remote they went to.
pub fn pending(store: &Store) -> Result<Vec<Pending>> {
    let mut out = Vec::new();
    for ns in store.namespaces()? {
        if let Kind::Proposal(name) = ns.kind() {
            let Some(tip) = store.tip(&ns)? else { continue };
            let (_, message, _) = commit_info(store, tip.commit)?;
            if let Some(remote) = trailers(&message).get("Beads-Proposed-To").and_then(|v| v.first()).cloned() {
                out.push(Pending { name: name.to_string(), remote, commit: tip.commit });
            }
        }
    }
    Ok(out)
}

/// Every proposal this clone knows: its own, and those fetched from remotes
/// (offered or rejected).
/// A fetched proposal ref that cannot be read (it is not a namespace) is
/// left out and named in the second list, with the reason.
pub fn list(store: &Store) -> Result<(Vec<Proposal>, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for ns in store.namespaces()? {
        let found = match ns.kind() {
            Kind::Proposal(name) => describe(store, ns.refname(), name, None, true, None)?,
            Kind::Rejected(name) => describe(store, ns.refname(), name, None, true, None)?,
            Kind::Tracking { remote, rest } => {
                let fetched = match rest.split_once('/') {
                    Some(("proposals", name)) => {
                        if store.tip(&Namespace::proposal(name)?)?.is_some() {
                            continue; // ours, listed from the local ref
                        }
                        describe(store, ns.refname(), name, Some(remote.to_string()), false, Some(State::Offered))
                    }
                    Some(("rejected", name)) => describe(store, ns.refname(), name, Some(remote.to_string()), false, None),
                    _ => Ok(None),
                };
                match fetched {
                    Ok(found) => found,
                    Err(e) => {
                        skipped.push((ns.refname().to_string(), crate::store::cache::error_chain(&e)));
                        None
                    }
                }
            }
            _ => None,
        };
        out.extend(found);
    }
    Ok((out, skipped))
}

/// A default proposal name: `<actor>/<first id>`.
pub fn default_name(actor: &Actor, first_id: &str) -> String {
    let who: String =
        actor.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' }).collect();
    let who = who.trim_matches('-');
    format!("{}/{first_id}", if who.is_empty() { "anonymous" } else { who })
}

/// Offers `items` (issue IDs with the namespace each lives in) on `remote`
/// as proposal `name`. Nothing but the proposal ref is pushed.
pub fn propose(store: &Store, actor: &Actor, items: &[(Namespace, String)], remote: &str, name: &str) -> Result<Proposal> {
    remote::check_remote(store, remote)?;
    if let Some(planning) = store.planning_namespace()
        && remote::remote_for(store, &planning).as_deref() == Some(remote)
    {
        return Err(Error::PlanningRemote { remote: remote.to_string() });
    }
    let ns = Namespace::proposal(name).map_err(|_| store::Error::BadNamespace(format!("proposals/{name}")))?;
    let repo = store.repo();
    let empty = ObjectId::empty_tree(repo.object_hash());
    let mut editor = repo.edit_tree(empty).map_err(|e| store::Error::git("could not start a tree edit", e))?;
    let format = repo.write_blob(tree::format_blob()).map_err(|e| store::Error::git("could not write the format blob", e))?.detach();
    editor
        .upsert(tree::FORMAT_FILE, gix::objs::tree::EntryKind::Blob, format)
        .map_err(|e| store::Error::git("could not edit the tree", e))?;
    let mut titles = Vec::new();
    let mut froms: Vec<&str> = Vec::new();
    for (from, issue_id) in items {
        let tip = store.tip(from)?.ok_or_else(|| store::Error::NotFound { id: issue_id.clone(), namespace: from.to_string() })?;
        let path = id::blob_path(issue_id);
        let blob = tree::lookup(repo, &tip.tree, &path)?
            .ok_or_else(|| store::Error::NotFound { id: issue_id.clone(), namespace: from.to_string() })?;
        // The very same blob (and so the same blob id) as in its namespace.
        let issue = store.read_issue(from, &path, blob)?;
        titles.push((issue.id.clone(), issue.title.clone()));
        editor
            .upsert(path.as_str(), gix::objs::tree::EntryKind::Blob, blob)
            .map_err(|e| store::Error::git("could not edit the tree", e))?;
        if !froms.contains(&from.refname()) {
            froms.push(from.refname());
        }
    }
    let tree_id = editor.write().map_err(|e| store::Error::git("could not write the proposal tree", e))?.detach();
    let previous = store.tip(&ns)?;
    let mut message = match titles.as_slice() {
        [(i, t)] => format!("propose {i}: {}", crate::store::txn::one_line(t, 80)),
        many => format!("propose {} issues: {}", many.len(), many.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>().join(", ")),
    };
    message.push_str("\n\nBeads-Op: propose\n");
    for (i, _) in &titles {
        message.push_str(&format!("Beads-Issue: {i}\n"));
    }
    message.push_str(&format!("Beads-Proposed-To: {remote}\n"));
    for f in &froms {
        message.push_str(&format!("Beads-Proposed-From: {f}\n"));
    }
    message.push_str(&format!("Beads-Proposer: {}\n", actor.name));
    let commit = crate::store::txn::write_commit(store, actor, tree_id, previous.map(|p| p.commit).into_iter().collect(), &message)?;
    // Push first: the local ref records only what the remote accepted.
    let tracking = Namespace::from_ref(&format!("{REF_ROOT}remotes/{remote}/proposals/{name}"))?;
    let expected = store.tip(&tracking)?.map(|t| t.commit);
    let change = transport::Change { refname: ns.refname().to_string(), new: Some(commit), expected };
    push(store, remote, &[change])?;
    store.set_ref(&tracking, commit, "git-beads: proposed")?;
    store.set_ref(&ns, commit, "git-beads: proposed")?;
    describe(store, ns.refname(), name, Some(remote.to_string()), true, Some(State::Offered))?
        .ok_or_else(|| Error::Vanished { name: name.to_string() })
}

/// Finds proposals by name, or the ones holding issue `which`.
fn find(store: &Store, which: &str) -> Result<Vec<Proposal>> {
    let (all, _) = list(store)?;
    let by_name: Vec<Proposal> = all.iter().filter(|p| p.name == which).cloned().collect();
    if !by_name.is_empty() {
        return Ok(by_name);
    }
    let by_id: Vec<Proposal> = all.into_iter().filter(|p| p.ids.iter().any(|i| id::matches(which, i).is_some())).collect();
    if by_id.is_empty() {
        return Err(Error::NoSuchProposal { which: which.to_string() });
    }
    Ok(by_id)
}

/// Takes back proposals of ours (by name or by an issue they hold): deletes
/// them on the remote and here.
pub fn withdraw(store: &Store, actor: &Actor, which: &str) -> Result<Vec<Proposal>> {
    // Ours: made here, or an answer to a proposal this actor made.
    let found: Vec<Proposal> =
        find(store, which)?.into_iter().filter(|p| p.ours || (p.refname.contains("/rejected/") && p.proposer == actor.name)).collect();
    if found.is_empty() {
        return Err(Error::NotOurs { which: which.to_string() });
    }
    for p in &found {
        let kind = if p.refname.contains("/rejected/") { "rejected" } else { "proposals" };
        let remote_ref = format!("{REF_ROOT}{kind}/{}", p.name);
        if let Some(remote) = &p.remote {
            let tracking = Namespace::from_ref(&format!("{REF_ROOT}remotes/{remote}/{kind}/{}", p.name))?;
            if let Some(t) = store.tip(&tracking)? {
                push(store, remote, &[transport::Change { refname: remote_ref.clone(), new: None, expected: Some(t.commit) }])?;
                store.delete_ref(&tracking, Some(t.commit))?;
            }
        }
        let local = Namespace::from_ref(&remote_ref)?;
        if let Some(t) = store.tip(&local)? {
            store.delete_ref(&local, Some(t.commit))?;
        }
    }
    Ok(found)
}

/// What accepting did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Accepted {
    pub proposals: Vec<String>,
    pub accepted: Vec<String>,
    /// Issues already in canonical with other content, merged by the sync rules.
    pub merged: Vec<String>,
    pub resolved: Vec<Resolution>,
    /// Proposals removed because all their issues are in canonical now.
    pub removed: Vec<String>,
    /// Proposals accepted but left on a remote this clone cannot push to
    /// (a contributor's fork): the proposer's next sync removes them.
    pub left: Vec<String>,
}

/// Copies proposed issues into `canonical` (a whole proposal by name, or the
/// issues given by ID), syncs `canonical` with its own remote (else the
/// proposal's), and removes proposals whose issues are all accepted.
pub fn accept(store: &Store, actor: &Actor, which: &[String], canonical: &Namespace) -> Result<Accepted> {
    let mut out = Accepted::default();
    let mut chosen: Vec<(Proposal, Option<Vec<String>>)> = Vec::new();
    for w in which {
        let found: Vec<Proposal> = find(store, w)?.into_iter().filter(|p| p.state == State::Offered).collect();
        let by_name = found.iter().any(|p| p.name == *w);
        match found.as_slice() {
            [] => return Err(Error::NotOnOffer { which: w.clone() }),
            [p] => {
                let only = if by_name { None } else { Some(p.ids.iter().filter(|i| id::matches(w, i).is_some()).cloned().collect()) };
                chosen.push((p.clone(), only));
            }
            many => {
                return Err(Error::InSeveralProposals { which: w.clone(), names: many.iter().map(|p| p.name.clone()).collect() });
            }
        }
    }
    for (p, only) in &chosen {
        let ns = Namespace::from_ref(&p.refname)?;
        let tip = store.tip(&ns)?.ok_or_else(|| Error::Vanished { name: p.name.clone() })?;
        let issues: Vec<Issue> =
            issues_in(store, &ns, tip.tree)?.into_iter().filter(|i| only.as_ref().is_none_or(|o| o.contains(&i.id))).collect();
        let done = store.mutate(canonical, actor, |txn| -> crate::ops::Result<_> {
            txn.set_op("accept");
            let (merged, resolved) = crate::ops::merge_in(txn, &issues)?;
            txn.set_summary(format!("accept proposal {} ({} issues)", p.name, issues.len()));
            txn.add_trailer("Beads-Proposal", p.name.clone());
            txn.add_trailer("Beads-Proposer", p.proposer.clone());
            Ok((merged, resolved))
        })?;
        out.proposals.push(p.name.clone());
        out.accepted.extend(issues.iter().map(|i| i.id.clone()));
        out.merged.extend(done.value.0);
        out.resolved.extend(done.value.1);
        // Publish canonical (to its own remote, else to where the proposal
        // came from), then take the proposal down.
        let publish_to = remote::remote_for(store, canonical).or_else(|| p.remote.clone().filter(|_| !p.ours));
        if let Some(remote) = &publish_to {
            let report = sync::sync(store, actor, remote, sync::Options { push: true }).map_err(|e| Error::NotPublished {
                namespace: canonical.to_string(),
                remote: remote.clone(),
                source: Some(Box::new(e)),
            })?;
            if !report.complete() {
                return Err(Error::NotPublished { namespace: canonical.to_string(), remote: remote.clone(), source: None });
            }
        }
        let in_canonical = store.snapshot(canonical)?;
        let all_in = p.ids.iter().all(|i| in_canonical.index.find(i).is_some());
        if all_in {
            match remove(store, p) {
                Ok(()) => out.removed.push(p.name.clone()),
                // A proposal on a fork the maintainer cannot push to: the
                // proposer's next sync sees its issues canonical and takes it down.
                Err(Error::Remote(remote::Error::PushRefused { .. } | remote::Error::Remote { .. })) if !p.ours => {
                    out.left.push(p.name.clone())
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(out)
}

/// Deletes a proposal on its remote (if it came from one) and here.
fn remove(store: &Store, p: &Proposal) -> Result<()> {
    let ns = Namespace::from_ref(&p.refname)?;
    let tip = store.tip(&ns)?;
    if let (Some(remote), Some(t)) = (&p.remote, tip) {
        let remote_ref = format!("{REF_ROOT}proposals/{}", p.name);
        let tracking = Namespace::from_ref(&format!("{REF_ROOT}remotes/{remote}/proposals/{}", p.name))?;
        let expected = store.tip(&tracking)?.map(|t| t.commit).or(Some(t.commit));
        push(store, remote, &[transport::Change { refname: remote_ref, new: None, expected }])?;
        if store.tip(&tracking)?.is_some() {
            store.delete_ref(&tracking, None)?;
        }
    }
    if let Some(t) = store.tip(&ns)? {
        store.delete_ref(&ns, Some(t.commit))?;
    }
    Ok(())
}

/// Turns a proposal down with `reason`: it moves to `refs/beads/rejected/<name>`
/// (on its remote too), where the proposer's sync finds the reason.
pub fn reject(store: &Store, actor: &Actor, which: &str, reason: &str) -> Result<Proposal> {
    let found: Vec<Proposal> = find(store, which)?.into_iter().filter(|p| p.state == State::Offered).collect();
    let p = match found.as_slice() {
        [p] => p.clone(),
        [] => return Err(Error::NotOnOffer { which: which.to_string() }),
        many => return Err(Error::InSeveralProposals { which: which.to_string(), names: many.iter().map(|p| p.name.clone()).collect() }),
    };
    let ns = Namespace::from_ref(&p.refname)?;
    let tip = store.tip(&ns)?.ok_or_else(|| Error::Vanished { name: p.name.clone() })?;
    let message = format!(
        "reject {}: {}\n\nBeads-Op: reject\nBeads-Proposal: {}\nBeads-Proposer: {}\nBeads-Reason: {}\n",
        p.name,
        crate::store::txn::one_line(reason, 80),
        p.name,
        crate::store::txn::one_line(&p.proposer, 200),
        crate::store::txn::one_line(reason, 500)
    );
    let commit = crate::store::txn::write_commit(store, actor, tip.tree, vec![tip.commit], &message)?;
    let rejected = format!("{REF_ROOT}rejected/{}", p.name);
    match &p.remote {
        Some(remote) => {
            let proposal_ref = format!("{REF_ROOT}proposals/{}", p.name);
            push(
                store,
                remote,
                &[
                    transport::Change { refname: rejected.clone(), new: Some(commit), expected: None },
                    transport::Change { refname: proposal_ref, new: None, expected: Some(tip.commit) },
                ],
            )?;
            store.set_ref(
                &Namespace::from_ref(&format!("{REF_ROOT}remotes/{remote}/rejected/{}", p.name))?,
                commit,
                "git-beads: rejected",
            )?;
            store.delete_ref(&ns, Some(tip.commit))?;
        }
        None => {
            store.set_ref(&Namespace::from_ref(&rejected)?, commit, "git-beads: rejected")?;
            store.delete_ref(&ns, Some(tip.commit))?;
        }
    }
    Ok(Proposal { state: State::Rejected { reason: reason.to_string() }, commit: commit.to_string(), ..p })
}

/// What became of a proposal of ours, as a sync found out.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Answer {
    pub name: String,
    pub ids: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a proposal.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Its issues are in the remote's canonical namespace; the planning copies are marked.
    Accepted {
        marked: Vec<String>,
    },
    Rejected {
        reason: String,
    },
    /// Taken down without its issues reaching canonical.
    Withdrawn,
}

/// A sync with one remote, and the answers to our proposals it brought.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RemoteSync {
    #[serde(flatten)]
    pub report: sync::SyncReport,
    /// Answers to our proposals that this sync found.
    pub proposals: Vec<Answer>,
}

/// The remotes a sync with no remote named goes to: those the local
/// namespaces sync with, then those holding proposals of ours (their
/// answers come back by sync).
pub fn remotes_to_sync(store: &Store) -> Result<Vec<String>> {
    let mut out = sync::remotes_in_use(store)?;
    for p in pending(store)? {
        if !out.contains(&p.remote) {
            out.push(p.remote);
        }
    }
    Ok(out)
}

/// After a fetch from `remote`: settles our proposals that the remote no
/// longer offers (accepted, rejected, or withdrawn elsewhere).
pub fn reconcile(store: &Store, actor: &Actor, remote: &str) -> Result<Vec<Answer>> {
    let mut out = Vec::new();
    let canonical = store.canonical()?;
    // Where the project's canonical issues are fetched from: the proposal's
    // remote, or (a proposal left on a fork) the canonical namespace's own.
    let canonical_remote = remote::remote_for(store, &canonical).unwrap_or_else(|| remote.to_string());
    let upstream = Namespace::from_ref(&remote::tracking_ref(&canonical, &canonical_remote))?;
    // An upstream that cannot be read now settles nothing now: the answers
    // wait for the next sync.
    let Ok(there) = store.snapshot(&upstream) else { return Ok(out) };
    for p in pending(store)?.into_iter().filter(|p| p.remote == remote) {
        let local = Namespace::proposal(&p.name)?;
        let (tip, message, _) = commit_info(store, p.commit)?;
        let ids: Vec<String> = issues_in(store, &local, tip.tree)?.into_iter().map(|i| i.id).collect();
        let still = Namespace::from_ref(&format!("{REF_ROOT}remotes/{remote}/proposals/{}", p.name))?;
        if !matches!(store.tip(&still), Ok(None)) {
            // Still offered, unless the maintainer accepted it without
            // being able to take it down (a proposal on a fork they cannot
            // push to): then it is ours to remove.
            if ids.is_empty() || !ids.iter().all(|i| there.index.find(i).is_some()) {
                continue;
            }
            let Ok(Some(t)) = store.tip(&still) else { continue };
            let change = transport::Change { refname: local.refname().to_string(), new: None, expected: Some(t.commit) };
            if push(store, remote, &[change]).is_err() {
                continue; // try again on the next sync
            }
            store.delete_ref(&still, Some(t.commit))?;
        }
        let rejected = Namespace::from_ref(&format!("{REF_ROOT}remotes/{remote}/rejected/{}", p.name))?;
        let outcome = if let Ok(Some(r)) = store.tip(&rejected) {
            let Ok((_, msg, _)) = commit_info(store, r.commit) else { continue };
            Outcome::Rejected { reason: trailers(&msg).get("Beads-Reason").and_then(|v| v.first()).cloned().unwrap_or_default() }
        } else {
            let accepted: Vec<&String> = ids.iter().filter(|i| there.index.find(i).is_some()).collect();
            if accepted.is_empty() {
                Outcome::Withdrawn
            } else {
                let froms: Vec<String> = trailers(&message).get("Beads-Proposed-From").cloned().unwrap_or_default();
                let mut marked = Vec::new();
                for from in froms {
                    let ns = Namespace::from_ref(&from)?;
                    if store.tip(&ns)?.is_none() || ns == canonical || store.is_readonly(&ns) {
                        continue;
                    }
                    let into = upstream.short().to_string();
                    let done = store.mutate(&ns, actor, |txn| -> store::Result<_> {
                        txn.set_op("mark-accepted");
                        let mut changed = Vec::new();
                        for i in &accepted {
                            if let Some(mut issue) = txn.get(i)? {
                                let mark = serde_json::json!({ "visibility": "canonical", "accepted_into": into });
                                if issue.metadata.get(METADATA_KEY) != Some(&mark) {
                                    issue.metadata.insert(METADATA_KEY.to_string(), mark);
                                    txn.put(issue)?;
                                    changed.push((*i).clone());
                                }
                            }
                        }
                        Ok(changed)
                    })?;
                    marked.extend(done.value);
                }
                Outcome::Accepted { marked }
            }
        };
        store.delete_ref(&local, Some(p.commit))?;
        out.push(Answer { name: p.name, ids, outcome });
    }
    Ok(out)
}

/// Whether `issue` is marked as accepted upstream.
pub fn is_marked_accepted(issue: &Issue) -> bool {
    issue.metadata.get(METADATA_KEY).and_then(|m| m.get("visibility")).and_then(|v| v.as_str()) == Some("canonical")
}
