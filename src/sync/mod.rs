//! Sync through git remotes: fetch the remote's namespaces into tracking
//! refs, merge each with its local namespace (fast-forward, or the
//! three-way merge of `merge`), push the results atomically with a lease on
//! what was fetched, and only then move the local refs. A push that lost a
//! race starts another round; any other failure leaves the local namespaces
//! exactly as they were.

pub(crate) mod prune;
pub(crate) mod push;
pub(crate) mod status;

use crate::git::Git;
use crate::merge::{self, Resolution, Side};
use crate::model::id;
use crate::remote::{self, Error, Result, check_remote, fetch_refspecs, ref_tip, remote_for, remote_names, tracking_ref, transport};
use crate::store::{Actor, Kind, Namespace, REF_ROOT, Store, Tip};
use crate::store::{cache, tree};
use gix::ObjectId;

/// Fetch-merge-push rounds before sync gives up on a remote that keeps moving.
pub const MAX_ROUNDS: u32 = 5;

/// What sync did to one namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    UpToDate,
    /// The local namespace moved forward to the remote's.
    FastForward,
    /// Both had changed: merged.
    Merged,
    /// Only the local side had changes: pushed.
    Pushed,
    /// The remote had a namespace the clone did not: created locally.
    Created,
    /// Not pushed: the namespace holds blobs git-beads cannot read.
    HeldBack,
    /// Not pushed: this clone does not write the namespace
    /// (`beads.<ns>.readonly`); local commits stay local.
    ReadOnly,
    /// The remote deleted it (`ns prune` elsewhere) and this clone had not
    /// changed it since: deleted here too.
    Deleted,
}

/// A blob that was not merged or pushed because it cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Refused {
    pub path: String,
    pub side: Side,
    pub reason: String,
}

/// One namespace's outcome.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NsReport {
    pub namespace: String,
    pub remote: String,
    pub action: Action,
    pub local_before: Option<String>,
    pub local_after: Option<String>,
    pub remote_before: Option<String>,
    pub remote_after: Option<String>,
    pub resolved: Vec<Resolution>,
    pub refused: Vec<Refused>,
    pub renamed: Vec<(String, String)>,
    /// Why the namespace was held back, when it was for a reason other than
    /// unreadable blobs (a remote ref that is not a namespace, a ref that
    /// clashes with another, a remote that refused this one ref).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl NsReport {
    /// A report of `action` on `ns` with the tips before (and, so far, after).
    fn new(ns: &Namespace, remote: &str, action: Action, local: Option<Tip>, theirs: Option<Tip>) -> NsReport {
        let hex = |t: Option<Tip>| t.map(|t| t.commit.to_string());
        NsReport {
            namespace: ns.refname().to_string(),
            remote: remote.to_string(),
            action,
            local_before: hex(local),
            local_after: hex(local),
            remote_before: hex(theirs),
            remote_after: hex(theirs),
            resolved: Vec::new(),
            refused: Vec::new(),
            renamed: Vec::new(),
            warning: None,
        }
    }

    /// `self`, held back for `why`.
    fn held_back(mut self, why: String) -> NsReport {
        self.action = Action::HeldBack;
        self.local_after = self.local_before.clone();
        self.remote_after = self.remote_before.clone();
        self.warning = Some(why);
        self
    }
}

/// One remote's outcome.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SyncReport {
    pub remote: String,
    pub namespaces: Vec<NsReport>,
    /// Fetch-merge-push rounds it took (more than one when others pushed meanwhile).
    pub rounds: u32,
}

impl SyncReport {
    /// Whether every namespace is fully synced.
    pub fn complete(&self) -> bool {
        self.namespaces.iter().all(|n| n.action != Action::HeldBack)
    }
}

/// What to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Push the merged namespaces (false: fetch and merge only).
    pub push: bool,
}

/// The remotes the local namespaces sync with, canonical's first.
pub fn remotes_in_use(store: &Store) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(r) = remote_for(store, &store.canonical()?) {
        out.push(r);
    }
    // The planning namespace syncs before the clone has a ref for it (a
    // second clone of the contributor's gets its planning on first sync).
    let planning = store.planning_namespace();
    for ns in local_namespaces(store)?.into_iter().chain(planning) {
        if let Some(r) = remote_for(store, &ns)
            && !out.contains(&r)
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// Local namespaces that sync (branches and planning; proposals move by
/// `propose` and `accept`, tracking refs by fetch).
pub fn local_namespaces(store: &Store) -> Result<Vec<Namespace>> {
    Ok(store.namespaces()?.into_iter().filter(|n| matches!(n.kind(), Kind::Branch(_) | Kind::Planning(_))).collect())
}

/// The namespaces that sync with `remote`: local ones, and ones the remote
/// has that the clone does not (from the tracking refs).
fn namespaces_for(store: &Store, remote: &str) -> Result<Vec<Namespace>> {
    let mut out: Vec<Namespace> =
        local_namespaces(store)?.into_iter().filter(|n| remote_for(store, n).as_deref() == Some(remote)).collect();
    let prefix = format!("remotes/{remote}/");
    for t in store.namespaces()? {
        if let Some(rest) = t.short().strip_prefix(&prefix) {
            let local = Namespace::from_ref(&format!("{REF_ROOT}{rest}"))?;
            let syncs = matches!(local.kind(), Kind::Branch(_) | Kind::Planning(_));
            if syncs && !out.contains(&local) && remote_for(store, &local).as_deref() == Some(remote) {
                out.push(local);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn commit_tip(store: &Store, commit: ObjectId) -> Result<Tip> {
    let c = store.repo().find_commit(commit).map_err(|e| Error::git(format!("could not read commit {commit}"), e))?;
    let tree = c.tree_id().map_err(|e| Error::git(format!("could not read the tree of {commit}"), e))?.detach();
    Ok(Tip { commit, tree })
}

/// The best common ancestor of two commits, if they share history.
pub fn merge_base(store: &Store, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>> {
    match store.repo().merge_base(a, b) {
        Ok(Some(id)) => Ok(Some(id.detach())),
        Ok(None) => Ok(None),
        Err(e) => Err(Error::git(format!("could not compute the merge base of {a} and {b}"), e)),
    }
}

/// Blobs added or changed from tree `from` to tree `to` that cannot be read.
fn unreadable_changes(store: &Store, from: Option<ObjectId>, to: ObjectId) -> Result<Vec<(String, String)>> {
    let repo = store.repo();
    let from = from.unwrap_or_else(|| ObjectId::empty_tree(repo.object_hash()));
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for c in tree::diff(repo, &from, &to)? {
        let Some(new) = c.new else { continue };
        if c.path == tree::FORMAT_FILE {
            continue;
        }
        let reason = match id::id_from_path(&c.path) {
            Some(found) if id::blob_path(found) == c.path => match tree::read_object(repo, &new, gix::objs::Kind::Blob, &mut buf) {
                Ok(data) => crate::store::parse_blob(&Namespace::from_ref("refs/beads/check").expect("valid name"), &c.path, new, data)
                    .err()
                    .map(|e| crate::store::cache::error_chain(&e)),
                Err(crate::store::Error::WrongObjectKind { .. }) => Some("not a blob".into()),
                Err(e) => return Err(e.into()),
            },
            _ => Some("not an issue blob in the namespace layout".into()),
        };
        if let Some(r) = reason {
            out.push((c.path, format!("blob {new}: {r}")));
        }
    }
    Ok(out)
}

/// The plan for one namespace in one round.
struct Plan {
    ns: Namespace,
    remote: Option<Tip>,
    /// What the local ref should point at afterwards.
    target: Option<ObjectId>,
    /// Whether `target` should be pushed.
    push: bool,
    report: NsReport,
}

fn merge_message(ns: &Namespace, remote: &str, base: Option<ObjectId>, report: &NsReport) -> String {
    let mut m = format!("sync: merge {remote} into {}", ns.short());
    if !report.resolved.is_empty() {
        m.push_str(&format!(" ({} auto-resolved)", report.resolved.len()));
    }
    m.push_str("\n\n");
    if !report.resolved.is_empty() {
        m.push_str("Auto-resolved:\n");
        for r in &report.resolved {
            m.push_str(&format!("- {}\n", crate::store::txn::one_line(&r.to_string(), 200)));
        }
        m.push('\n');
    }
    if !report.refused.is_empty() {
        m.push_str("Not merged (unreadable):\n");
        for r in &report.refused {
            m.push_str(&format!(
                "- {} ({}): {}\n",
                r.path,
                if r.side == Side::Local { "local" } else { "remote" },
                crate::store::txn::one_line(&r.reason, 200)
            ));
        }
        m.push('\n');
    }
    m.push_str("Beads-Op: merge\n");
    m.push_str(&format!("Beads-Remote: {remote}\n"));
    m.push_str(&format!("Beads-Merge-Base: {}\n", base.map(|b| b.to_string()).unwrap_or_else(|| "none".into())));
    m
}

/// Integrates `remote` into `local`: fast-forward when possible, else a
/// three-way merge commit. Unreadable remote blobs are left out (and the
/// remote tip is then not recorded as a parent, so nothing claims to contain
/// them).
fn integrate(
    store: &Store,
    actor: &Actor,
    ns: &Namespace,
    remote_name: &str,
    local: Option<Tip>,
    remote: Tip,
    report: &mut NsReport,
) -> Result<ObjectId> {
    let base = match local {
        Some(l) => merge_base(store, l.commit, remote.commit)?,
        None => None,
    };
    let fast_forward = local.is_none() || base == local.map(|l| l.commit);
    if fast_forward {
        let bad = unreadable_changes(store, local.map(|l| l.tree), remote.tree)?;
        if local.is_none() && !bad.is_empty() {
            // Creating the namespace without the remote as its parent would
            // leave later merges without a base; wait until the remote is fixed.
            report.action = Action::HeldBack;
            report.refused = bad.into_iter().map(|(path, reason)| Refused { path, side: Side::Remote, reason }).collect();
            return Err(Error::NotPushable { namespace: ns.to_string(), message: "held back".into() });
        }
        if bad.is_empty() {
            // Check the layout version before adopting the remote tree.
            let mut buf = Vec::new();
            tree::check_format(store.repo(), ns.refname(), &tree::entries(store.repo(), &remote.tree, &mut buf)?)?;
            report.action = if local.is_some() { Action::FastForward } else { Action::Created };
            return Ok(remote.commit);
        }
    }
    let base_tree = match (fast_forward, base) {
        (true, _) => local.map(|l| l.tree),
        (false, Some(b)) => Some(commit_tip(store, b)?.tree),
        (false, None) => None,
    };
    let ours = local.map(|l| l.tree).unwrap_or_else(|| ObjectId::empty_tree(store.repo().object_hash()));
    let merged = merge::merge_trees(store.repo(), ns.refname(), base_tree, ours, remote.tree)?;
    let mut tree_id = merged.tree.expect("merge_trees returns a tree");
    report.resolved = merged.resolved;
    report.renamed = merged.renamed;
    report.refused = merged.refused.into_iter().map(|(path, side, reason)| Refused { path, side, reason }).collect();
    // Keep local unreadable blobs as they are: they are not ours to drop.
    let local_refused: Vec<&Refused> = report.refused.iter().filter(|r| r.side == Side::Local).collect();
    if !local_refused.is_empty() {
        let mut editor = store.repo().edit_tree(tree_id).map_err(|e| Error::git("could not edit the merged tree", e))?;
        for r in local_refused {
            if let Some(oid) = tree::lookup(store.repo(), &ours, &r.path)? {
                editor
                    .upsert(r.path.as_str(), gix::objs::tree::EntryKind::Blob, oid)
                    .map_err(|e| Error::git("could not edit the merged tree", e))?;
            }
        }
        tree_id = editor.write().map_err(|e| Error::git("could not write the merged tree", e))?.detach();
    }
    let remote_refused = report.refused.iter().any(|r| r.side == Side::Remote);
    let mut parents: Vec<ObjectId> = local.map(|l| l.commit).into_iter().collect();
    if !remote_refused {
        parents.push(remote.commit);
    }
    report.action = if report.refused.is_empty() { Action::Merged } else { Action::HeldBack };
    if let Some(l) = local
        && parents.len() == 1
        && l.tree == tree_id
    {
        return Ok(l.commit);
    }
    Ok(crate::store::txn::write_commit(store, actor, tree_id, parents, &merge_message(ns, remote_name, base, report))?)
}

fn plan(store: &Store, actor: &Actor, ns: &Namespace, remote_name: &str) -> Result<Plan> {
    let local = store.tip(ns)?;
    let remote = ref_tip(store, &tracking_ref(ns, remote_name))?;
    let mut report = NsReport::new(ns, remote_name, Action::UpToDate, local, remote);
    let local_ahead = match (local, remote) {
        (Some(l), Some(r)) => l.commit != r.commit && merge_base(store, l.commit, r.commit)? == Some(r.commit),
        (Some(_), None) => true,
        _ => false,
    };
    let (target, push) = match (local, remote) {
        (None, None) => (None, false),
        (Some(l), Some(r)) if l.commit == r.commit => (Some(l.commit), false),
        (Some(l), _) if local_ahead => {
            report.action = Action::Pushed;
            (Some(l.commit), true)
        }
        (l, Some(r)) => match integrate(store, actor, ns, remote_name, l, r, &mut report) {
            Ok(t) => (Some(t), matches!(report.action, Action::Merged)),
            // A namespace that cannot be created yet: leave it absent.
            Err(Error::NotPushable { .. }) if l.is_none() && report.action == Action::HeldBack => (None, false),
            Err(e) => return Err(e),
        },
        (Some(l), None) => (Some(l.commit), false),
    };
    let mut plan = Plan { ns: ns.clone(), remote, target, push, report };
    if plan.push && store.is_readonly(ns) {
        plan.push = false;
        plan.report.action = Action::ReadOnly;
    }
    // Never push what cannot be read back.
    if plan.push {
        let to = commit_tip(store, plan.target.expect("a pushed target"))?;
        let bad = unreadable_changes(store, plan.remote.map(|r| r.tree), to.tree)?;
        if !bad.is_empty() {
            plan.push = false;
            plan.report.action = Action::HeldBack;
            plan.report.refused.extend(bad.into_iter().map(|(path, reason)| Refused { path, side: Side::Local, reason }));
        }
    }
    Ok(plan)
}

/// Moves the local ref of a plan to its target. If a local writer moved the
/// ref meanwhile, the ref only ever moves to a commit that contains what it
/// points at: straight to the target when the target contains it, else to a
/// merge of the two (nothing is lost; the next sync pushes it).
fn apply_local(store: &Store, actor: &Actor, p: &mut Plan, remote_name: &str) -> Result<()> {
    let Some(target) = p.target else { return Ok(()) };
    let message = format!("sync with {remote_name}");
    for _ in 0..crate::store::txn::MAX_ATTEMPTS {
        let current = store.tip(&p.ns)?;
        let new = match current {
            Some(c) if c.commit == target => {
                p.report.local_after = Some(target.to_string());
                return Ok(());
            }
            // The target contains the current tip (the usual case): move there.
            Some(c) if merge_base(store, c.commit, target)? == Some(c.commit) => target,
            // The current tip already contains the target (a local writer
            // built on it): nothing to do.
            Some(c) if merge_base(store, c.commit, target)? == Some(target) => {
                p.report.local_after = Some(c.commit.to_string());
                return Ok(());
            }
            // Local work landed meanwhile: merge it with the target.
            Some(c) => {
                let mut extra = p.report.clone();
                let merged = integrate(store, actor, &p.ns, remote_name, Some(c), commit_tip(store, target)?, &mut extra)?;
                p.report.resolved.extend(extra.resolved);
                merged
            }
            None => target,
        };
        match store.swap(&p.ns, Some(current.map(|c| c.commit)), new, &message) {
            Ok(()) => {
                p.report.local_after = Some(new.to_string());
                return Ok(());
            }
            Err(e) if e.is_retryable() => {}
            Err(e) => return Err(Error::from_swap(&p.ns, e)),
        }
    }
    Err(crate::store::Error::Contended {
        ns: p.ns.to_string(),
        attempts: crate::store::txn::MAX_ATTEMPTS,
        last_error: "local writers kept moving the namespace during sync".into(),
    }
    .into())
}

/// Fetches, merges and (unless `opts.push` is false) pushes every namespace
/// that syncs with `remote`. A namespace that cannot be synced (the remote's
/// ref is not a namespace, its ref clashes with another, the remote refuses
/// that one ref) is held back with a warning; the others sync. A push that
/// loses a race with another clone's is fetched, merged and pushed again,
/// after a jittered pause, at most [`MAX_ROUNDS`] times.
pub fn sync(store: &Store, actor: &Actor, remote: &str, opts: Options) -> Result<SyncReport> {
    check_remote(store, remote)?;
    let g = remote::git(store)?;
    // What the remote had at the last fetch, to tell deletions from new namespaces.
    let known = tracked(store, remote)?;
    let mut deleted = Vec::new();
    let mut rng = fastrand::Rng::new();
    // Namespaces the remote refused by name: not pushed again in later rounds.
    let mut refused_refs: Vec<(String, String)> = Vec::new();
    let mut last_race = String::new();
    for round in 1..=MAX_ROUNDS {
        if round > 1 {
            // Another clone won the race: let its round finish, and keep
            // several losers from colliding again in step.
            let cap_ms = 40u64 << (round - 1).min(5);
            std::thread::sleep(std::time::Duration::from_millis(rng.u64(cap_ms / 4..=cap_ms)));
        }
        transport::fetch(&g, remote, &fetch_refspecs(remote))?;
        if round == 1 {
            deleted = follow_deletions(store, remote, &known)?;
        }
        let remote_refs = remote_names(store, remote)?;
        let mut plans = Vec::new();
        let mut held = Vec::new();
        for ns in namespaces_for(store, remote)? {
            match plan(store, actor, &ns, remote) {
                Ok(p) => plans.push(p),
                Err(e) => held.push(unplanned(store, &ns, remote, &e)),
            }
        }
        for p in plans.iter_mut() {
            hold_clashes(store, p, &remote_refs)?;
            if let Some((_, why)) = refused_refs.iter().find(|(r, _)| r == p.ns.refname())
                && p.push
            {
                p.push = false;
                p.report = p.report.clone().held_back(why.clone());
            }
        }
        if opts.push {
            match push_plans(&g, remote, &mut plans)? {
                Pushed::Done => {}
                Pushed::Raced(why) => {
                    last_race = why;
                    continue;
                }
                Pushed::RefusedOne { refname, why } => {
                    refused_refs.push((refname, why));
                    continue;
                }
            }
            for p in plans.iter_mut().filter(|p| p.push) {
                let t = p.target.expect("pushed plans have a target");
                let tracking = Namespace::from_ref(&tracking_ref(&p.ns, remote))?;
                store.set_ref(&tracking, t, &format!("git-beads: pushed to {remote}"))?;
                p.report.remote_after = Some(t.to_string());
            }
        } else {
            for p in plans.iter_mut().filter(|p| p.push) {
                p.push = false;
            }
        }
        for p in plans.iter_mut() {
            // Without a push, a merge is still applied locally (fetch + merge).
            if let Err(e) = apply_local(store, actor, p, remote) {
                p.report = p.report.clone().held_back(format!("could not update the local namespace: {}", cache::error_chain(&e)));
            }
        }
        return Ok(SyncReport {
            remote: remote.to_string(),
            namespaces: deleted.into_iter().chain(plans.into_iter().map(|p| p.report)).chain(held).collect(),
            rounds: round,
        });
    }
    Err(Error::PushRace { remote: remote.to_string(), attempts: MAX_ROUNDS, last: last_race })
}

/// How one push of a round went.
enum Pushed {
    Done,
    /// Lost a race with another push: fetch, merge and try again.
    Raced(String),
    /// The remote refused one ref of the (atomic) push: try again without it.
    RefusedOne {
        refname: String,
        why: String,
    },
}

/// Pushes the plans that have something to push, in one atomic push.
fn push_plans(g: &Git, remote: &str, plans: &mut [Plan]) -> Result<Pushed> {
    let updates: Vec<transport::Update> = plans
        .iter()
        .filter(|p| p.push)
        .map(|p| transport::Update {
            refname: p.ns.refname().to_string(),
            new: p.target.expect("pushed plans have a target"),
            expected: p.remote.map(|r| r.commit),
        })
        .collect();
    match transport::push(g, remote, &updates)? {
        Ok(()) => Ok(Pushed::Done),
        Err(transport::Refusal::Stale(why)) => Ok(Pushed::Raced(why)),
        Err(transport::Refusal::Refused { reason, details, refname: Some(refname) }) => {
            let said = if details.is_empty() { String::new() } else { format!(" (the remote said: {details})") };
            Ok(Pushed::RefusedOne { refname, why: format!("{remote} refused it: {reason}{said}") })
        }
        Err(transport::Refusal::Refused { reason, details, refname: None }) => {
            Err(Error::PushRefused { remote: remote.to_string(), reason, details })
        }
    }
}

/// The report of a namespace that could not even be planned (its remote
/// ref is not a commit, names an unknown format, misses objects, ...).
fn unplanned(store: &Store, ns: &Namespace, remote: &str, e: &Error) -> NsReport {
    let local = store.tip(ns).ok().flatten();
    let tracking = tracking_ref(ns, remote);
    let theirs = ref_tip(store, &tracking).ok().flatten();
    NsReport::new(ns, remote, Action::HeldBack, local, theirs)
        .held_back(format!("not synced: {} (the other namespaces were)", cache::error_chain(e)))
}

/// Holds back a plan whose ref would clash with another (git cannot have
/// `heads/a` and `heads/a/b` at once): pushing one the remote cannot take,
/// or creating one here that a local namespace is in the way of.
fn hold_clashes(store: &Store, p: &mut Plan, remote_refs: &[String]) -> Result<()> {
    let me = p.ns.refname();
    let clashes = |other: &str| other != me && (me.starts_with(&format!("{other}/")) || other.starts_with(&format!("{me}/")));
    if p.push
        && let Some(other) = remote_refs.iter().find(|r| clashes(r))
    {
        p.push = false;
        p.report = p.report.clone().held_back(format!(
            "not pushed: the remote has {other}, and a git ref cannot also be a folder of refs; rename one of them (`git beads promote --all-from`)"
        ));
    }
    let creates = p.report.local_before.is_none() && p.target.is_some();
    if creates && let Some(other) = store.clash(&p.ns)? {
        p.target = None;
        p.push = false;
        p.report =
            p.report.clone().held_back(format!("not created here: {other} is in the way (a git ref cannot also be a folder of refs)"));
    }
    Ok(())
}

/// The branch and planning namespaces `remote` had at the last fetch: local
/// namespace and the tracking tip.
fn tracked(store: &Store, remote: &str) -> Result<Vec<(Namespace, Tip)>> {
    let mut out = Vec::new();
    for t in store.namespaces()? {
        if let Kind::Tracking { remote: r, rest } = t.kind()
            && r == remote
            && (rest.starts_with("heads/") || rest.starts_with("planning/"))
            // A tracking ref that is not a namespace (a blob, say) is held
            // back when it is synced; here it is simply not a known one.
            && let Ok(Some(tip)) = store.tip(&t)
        {
            out.push((Namespace::from_ref(&format!("{REF_ROOT}{rest}"))?, tip));
        }
    }
    Ok(out)
}

/// After a fetch: namespaces the remote deleted since the last fetch. Those
/// this clone had not changed since are deleted here too; the others are
/// left to be pushed again (they hold work the remote never saw).
fn follow_deletions(store: &Store, remote: &str, known: &[(Namespace, Tip)]) -> Result<Vec<NsReport>> {
    let mut out = Vec::new();
    for (ns, was) in known {
        let tracking = Namespace::from_ref(&tracking_ref(ns, remote))?;
        // Still there (readable or not): not deleted.
        if !matches!(store.tip(&tracking), Ok(None)) || remote_for(store, ns).as_deref() != Some(remote) {
            continue;
        }
        let Some(local) = store.tip(ns)? else { continue };
        if local.commit != was.commit {
            continue;
        }
        store.delete_ref(ns, Some(local.commit))?;
        let mut report = NsReport::new(ns, remote, Action::Deleted, Some(local), Some(*was));
        report.local_after = None;
        report.remote_after = None;
        out.push(report);
    }
    Ok(out)
}

pub use prune::{Stale, prune};
pub use push::push;
pub use status::{NsStatus, status};
