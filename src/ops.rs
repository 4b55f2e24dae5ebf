//! Mutations: each is an operation that [`Store::mutate`] runs against the
//! current tip and re-runs if another writer wins the compare-and-swap, so
//! everything an operation decides (IDs, cycle checks, claims) is decided
//! again on the state it finally commits against.

use crate::graph::{Node, Universe};
use crate::model::{self, Comment, CommentId, DepType, Dependency, Issue, IssueType, Priority, Status, Timestamp, id};
use crate::store::{Actor, Committed, Error, Namespace, Result, Store, TreeIndex, Txn};

/// Other namespaces an operation may look into, as of when the command
/// started: to accept a dependency on an issue that lives in another
/// namespace, and to check cycles and blockers across namespaces.
#[derive(Clone, Default)]
pub struct Scope {
    pub others: Vec<TreeIndex>,
    /// Trees of other namespaces in which a new ID must not exist either,
    /// looked up by path (no index needed): what a plain `create` uses
    /// instead of `others`.
    pub trees: Vec<gix::ObjectId>,
}

impl Scope {
    /// Whether another namespace of the scope has `id`.
    fn has(&self, store: &Store, id: &str) -> Result<bool> {
        if self.others.iter().any(|o| o.find(id).is_some()) {
            return Ok(true);
        }
        let path = id::blob_path(id);
        for t in &self.trees {
            if crate::store::tree::lookup(store.repo(), t, &path)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The graph over the transaction's namespace and the scope.
fn universe<'a>(index: &'a TreeIndex, scope: &'a Scope) -> Universe<'a> {
    let mut trees = vec![index];
    trees.extend(scope.others.iter());
    Universe::of(&trees)
}
use std::collections::BTreeSet;

/// What `create` needs to know.
#[derive(Clone, Debug, Default)]
pub struct NewIssue {
    pub title: String,
    pub issue_type: Option<IssueType>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub description: String,
    pub design: String,
    pub acceptance_criteria: String,
    pub notes: String,
    pub assignee: Option<String>,
    pub owner: Option<String>,
    pub labels: Vec<String>,
    /// Typed ID of the parent; the new issue becomes `<parent>.N`.
    pub parent: Option<String>,
    /// (type, typed ID) pairs.
    pub deps: Vec<(DepType, String)>,
    pub external_ref: Option<String>,
    pub due_at: Option<Timestamp>,
    pub defer_until: Option<Timestamp>,
    pub estimated_minutes: Option<i64>,
    /// Use exactly this ID (import-like creation); must not exist.
    pub id: Option<String>,
}

/// Creates an issue in `ns`; returns it as written.
pub fn create(store: &Store, ns: &Namespace, actor: &Actor, new: &NewIssue, scope: &Scope) -> Result<Committed<Issue>> {
    model::issue::validate_title(&new.title)?;
    for (field, text) in [
        ("description", &new.description),
        ("design", &new.design),
        ("acceptance_criteria", &new.acceptance_criteria),
        ("notes", &new.notes),
    ] {
        model::issue::validate_text(field, text)?;
    }
    for l in &new.labels {
        model::issue::validate_label(l)?;
    }
    let prefix = store.prefix();
    store.mutate(ns, actor, |txn| {
        let mut idgen = txn.idgen();
        txn.set_op("create");
        let now = txn.now();
        let parent = new.parent.as_deref().map(|p| resolve_target(txn, scope, p)).transpose()?;
        let mut deps = Vec::new();
        for (ty, target) in &new.deps {
            deps.push((ty.clone(), resolve_target(txn, scope, target)?));
        }
        let issue_id = match (&new.id, &parent) {
            (Some(explicit), _) => {
                id::validate_id(explicit)?;
                if txn.exists(explicit)? {
                    return Err(Error::Exists { id: explicit.clone(), namespace: ns.to_string() });
                }
                explicit.clone()
            }
            (None, Some(p)) => {
                let prefix_dot = format!("{p}.");
                let index = txn.index()?;
                let exhausted = || Error::Invalid(format!("no child ID is left under {p}"));
                let mut candidate = id::next_child(p, index.ids().filter(|i| i.starts_with(&prefix_dot))).ok_or_else(exhausted)?;
                while txn.exists(&candidate)? {
                    candidate = id::next_child(p, [candidate.as_str()]).ok_or_else(exhausted)?;
                }
                candidate
            }
            (None, None) => {
                let n = txn.approx_len()?;
                let mut taken_err = None;
                // Unique in this namespace and in the others the command sees.
                let found = idgen.new_id(&prefix, n, |cand| match txn.exists(cand).and_then(|b| Ok(b || scope.has(store, cand)?)) {
                    Ok(b) => b,
                    Err(e) => {
                        taken_err = Some(e);
                        true
                    }
                });
                if let Some(e) = taken_err {
                    return Err(e);
                }
                found.ok_or_else(|| Error::Invalid("could not find a free ID".into()))?
            }
        };
        let mut issue = Issue::new(issue_id.clone(), new.title.clone(), now);
        issue.issue_type = new.issue_type.clone().unwrap_or(IssueType::Task);
        issue.priority = new.priority.unwrap_or(Priority::DEFAULT);
        issue.description = new.description.clone();
        issue.design = new.design.clone();
        issue.acceptance_criteria = new.acceptance_criteria.clone();
        issue.notes = new.notes.clone();
        issue.assignee = new.assignee.clone().filter(|s| !s.is_empty());
        issue.owner = new.owner.clone().filter(|s| !s.is_empty());
        issue.labels = new.labels.iter().cloned().collect();
        issue.external_ref = new.external_ref.clone();
        issue.due_at = new.due_at;
        issue.defer_until = new.defer_until;
        issue.estimated_minutes = new.estimated_minutes;
        issue.created_by = Some(actor.name.clone());
        if let Some(s) = &new.status {
            issue.set_status(s.clone(), now);
        }
        if let Some(p) = &parent {
            issue.add_dependency(stamped(p, DepType::ParentChild, txn));
        }
        for (ty, target) in &deps {
            if *target == issue_id {
                return Err(Error::SelfDependency(issue_id.clone()));
            }
            issue.add_dependency(stamped(target, ty.clone(), txn));
        }
        txn.put(issue.clone())?;
        Ok(issue)
    })
}

/// Resolves a dependency target: an issue of this namespace by (prefix of)
/// ID, an issue of another namespace of the scope by its exact ID, or a
/// qualified reference (`project:id`) that is kept as written.
fn resolve_target(txn: &Txn<'_>, scope: &Scope, target: &str) -> Result<String> {
    if target.contains(':') {
        id::validate_reference(target)?;
        return Ok(target.to_string());
    }
    match txn.resolve(target) {
        Err(Error::NotFound { .. }) if scope.others.iter().any(|o| o.find(target).is_some()) => Ok(target.to_string()),
        other => other,
    }
}

fn stamped(target: &str, ty: DepType, txn: &Txn<'_>) -> Dependency {
    let mut d = Dependency::new(target, ty);
    d.created_at = Some(txn.now());
    d.created_by = Some(txn.actor().name.clone());
    d
}

/// Field changes for `update`. `Some("")` clears an optional text field.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub title: Option<String>,
    pub description: Option<String>,
    pub design: Option<String>,
    pub acceptance_criteria: Option<String>,
    pub notes: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub issue_type: Option<IssueType>,
    pub assignee: Option<String>,
    pub owner: Option<String>,
    pub external_ref: Option<String>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub set_labels: Option<Vec<String>>,
    /// `Some(None)` clears.
    pub due_at: Option<Option<Timestamp>>,
    /// `Some(None)` clears.
    pub defer_until: Option<Option<Timestamp>>,
    pub estimated_minutes: Option<Option<i64>>,
    /// Typed parent ID; `Some("")` removes the parent.
    pub parent: Option<String>,
    /// Assign to the actor and start, failing if someone else holds it.
    pub claim: bool,
    /// Claim even when the issue is blocked.
    pub force: bool,
}

impl Changes {
    /// Whether no change at all was asked for.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.design.is_none()
            && self.acceptance_criteria.is_none()
            && self.notes.is_none()
            && self.status.is_none()
            && self.priority.is_none()
            && self.issue_type.is_none()
            && self.assignee.is_none()
            && self.owner.is_none()
            && self.external_ref.is_none()
            && self.add_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.set_labels.is_none()
            && self.due_at.is_none()
            && self.defer_until.is_none()
            && self.estimated_minutes.is_none()
            && self.parent.is_none()
            && !self.claim
    }
}

fn opt(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.is_empty())
}

/// Applies `c` to `issue`; returns whether anything changed. `blocked` says
/// why the issue is blocked (used by `claim`).
fn apply_changes(issue: &mut Issue, c: &Changes, txn: &Txn<'_>, parent: Option<Option<String>>, blocked: &[String]) -> Result<bool> {
    let before = issue.clone();
    let now = txn.now();
    if let Some(t) = &c.title {
        model::issue::validate_title(t)?;
        issue.title = t.clone();
    }
    for (field, value, slot) in [
        ("description", &c.description, &mut issue.description),
        ("design", &c.design, &mut issue.design),
        ("acceptance_criteria", &c.acceptance_criteria, &mut issue.acceptance_criteria),
        ("notes", &c.notes, &mut issue.notes),
    ] {
        if let Some(v) = value {
            model::issue::validate_text(field, v)?;
            *slot = v.clone();
        }
    }
    if let Some(p) = c.priority {
        issue.priority = p;
    }
    if let Some(t) = &c.issue_type {
        issue.issue_type = t.clone();
    }
    if let Some(a) = &c.assignee {
        issue.assignee = opt(a);
    }
    if let Some(o) = &c.owner {
        issue.owner = opt(o);
    }
    if let Some(e) = &c.external_ref {
        issue.external_ref = opt(e);
    }
    if let Some(labels) = &c.set_labels {
        issue.labels = labels.iter().cloned().collect();
    }
    for l in &c.add_labels {
        model::issue::validate_label(l)?;
        issue.labels.insert(l.clone());
    }
    for l in &c.remove_labels {
        issue.labels.remove(l);
    }
    if let Some(d) = c.due_at {
        issue.due_at = d;
    }
    if let Some(d) = c.defer_until {
        issue.defer_until = d;
    }
    if let Some(e) = c.estimated_minutes {
        issue.estimated_minutes = e;
    }
    if let Some(p) = parent {
        issue.dependencies.retain(|d| d.dep_type != DepType::ParentChild);
        if let Some(p) = p {
            if p == issue.id {
                return Err(Error::SelfDependency(p));
            }
            issue.add_dependency(stamped(&p, DepType::ParentChild, txn));
        }
    }
    if let Some(s) = &c.status {
        issue.set_status(s.clone(), now);
    }
    if c.claim {
        if issue.status.is_done() {
            return Err(Error::Invalid(format!("cannot claim {}: it is {}", issue.id, issue.status)));
        }
        match &issue.assignee {
            Some(holder) if *holder != txn.actor().name => {
                return Err(Error::Claimed { id: issue.id.clone(), holder: holder.clone() });
            }
            _ => {}
        }
        if !blocked.is_empty() && !c.force {
            return Err(Error::Invalid(format!(
                "cannot claim {}: it is blocked by {} (use --force to claim it anyway)",
                issue.id,
                blocked.join(", ")
            )));
        }
        issue.assignee = Some(txn.actor().name.clone());
        issue.set_status(Status::InProgress, now);
    }
    let changed = *issue != before;
    if changed {
        issue.updated_at = now;
    }
    Ok(changed)
}

/// What blocks `id` in the base of `txn` (IDs): the graph around that one
/// issue, not an analysis of the whole namespace.
fn blockers_of(txn: &Txn<'_>, scope: &Scope, id: &str) -> Result<Vec<String>> {
    let index = txn.index()?;
    let u = universe(index, scope);
    let Some(n) = u.find(id) else {
        return Ok(Vec::new());
    };
    Ok(u.blockers_of(n).iter().map(|b| b.id().to_string()).collect())
}

/// Updates each of `ids` (typed) with `c`; returns the issues as written
/// (unchanged ones included).
pub fn update(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], c: &Changes, scope: &Scope) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op(if c.claim { "claim" } else { "update" });
        let parent = match c.parent.as_deref() {
            None => None,
            Some("") => Some(None),
            Some(p) => Some(Some(resolve_target(txn, scope, p)?)),
        };
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if let Some(Some(p)) = &parent {
                refuse_cycle(txn, scope, &id, p)?;
            }
            let blocked = if c.claim { blockers_of(txn, scope, &id)? } else { Vec::new() };
            if apply_changes(&mut issue, c, txn, parent.clone(), &blocked)? {
                txn.put(issue.clone())?;
            }
            out.push(issue);
        }
        Ok(out)
    })
}

/// The result of closing: what was closed and what was already closed.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CloseOutcome {
    pub closed: Vec<Issue>,
    pub already_closed: Vec<String>,
}

/// Closes `ids`; refuses (unless `force`) any that is still blocked.
pub fn close(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    ids: &[String],
    reason: Option<&str>,
    force: bool,
    scope: &Scope,
) -> Result<Committed<CloseOutcome>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("close");
        let mut out = CloseOutcome::default();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status.is_closed() {
                out.already_closed.push(id);
                continue;
            }
            if !force {
                let blockers = blockers_of(txn, scope, &id)?;
                // Blockers closed in this same command no longer block.
                let still: Vec<String> = blockers.into_iter().filter(|b| !out.closed.iter().any(|c| &c.id == b)).collect();
                if !still.is_empty() {
                    return Err(Error::Invalid(format!("{id} is blocked by {} (use --force to close it anyway)", still.join(", "))));
                }
            }
            let now = txn.now();
            issue.set_status(Status::Closed, now);
            issue.close_reason = reason.map(str::to_string).filter(|r| !r.is_empty());
            issue.updated_at = now;
            txn.put(issue.clone())?;
            out.closed.push(issue);
        }
        if let Some(r) = reason {
            txn.add_trailer("Beads-Reason", r);
        }
        Ok(out)
    })
}

/// Reopens `ids`; a reason is kept as a comment.
pub fn reopen(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], reason: Option<&str>) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| {
        let mut idgen = txn.idgen();
        txn.set_op("reopen");
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status == Status::Open {
                out.push(issue);
                continue;
            }
            let now = txn.now();
            issue.set_status(Status::Open, now);
            issue.updated_at = now;
            if let Some(r) = reason.filter(|r| !r.trim().is_empty()) {
                issue.comments.push(new_comment(&mut idgen, txn, format!("Reopened: {r}")));
            }
            txn.put(issue.clone())?;
            out.push(issue);
        }
        Ok(out)
    })
}

fn new_comment(idgen: &mut id::IdGen, txn: &Txn<'_>, text: String) -> Comment {
    Comment {
        id: CommentId::Int(idgen.comment_id()),
        author: txn.actor().name.clone(),
        created_at: txn.now(),
        text,
        extra: Default::default(),
    }
}

/// Defers `ids` until `until` (indefinitely when `None`).
pub fn defer(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], until: Option<Timestamp>) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("defer");
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status.is_done() {
                return Err(Error::Invalid(format!("cannot defer {id}: it is {}", issue.status)));
            }
            let now = txn.now();
            issue.set_status(Status::Deferred, now);
            issue.defer_until = until;
            issue.updated_at = now;
            txn.put(issue.clone())?;
            out.push(issue);
        }
        Ok(out)
    })
}

/// Makes deferred `ids` open again.
pub fn undefer(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String]) -> Result<Committed<Vec<Issue>>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("undefer");
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            if issue.status != Status::Deferred && issue.defer_until.is_none() {
                out.push(issue);
                continue;
            }
            let now = txn.now();
            if issue.status == Status::Deferred {
                issue.set_status(Status::Open, now);
            }
            issue.defer_until = None;
            issue.updated_at = now;
            txn.put(issue.clone())?;
            out.push(issue);
        }
        Ok(out)
    })
}

/// What `delete` removes (or would remove).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DeletePlan {
    pub deleted: Vec<String>,
    /// Issues outside the deleted set that depend on a deleted one, with the
    /// dependencies that deleting removes from them.
    pub dependents: Vec<DependentEdge>,
    pub dependencies_removed: usize,
}

/// A dependency on an issue being deleted.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct DependentEdge {
    pub issue_id: String,
    pub depends_on_id: String,
    #[serde(rename = "type")]
    pub dep_type: String,
}

/// Deletes `ids` and the dependencies other issues have on them; with
/// `apply == false` only computes the plan (the preview).
pub fn delete(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], apply: bool) -> Result<Committed<DeletePlan>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("delete");
        let mut plan = DeletePlan::default();
        let mut doomed = BTreeSet::new();
        for typed in ids {
            doomed.insert(txn.resolve(typed)?);
        }
        let index = txn.index()?;
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for (owner, d) in index.rows().flat_map(|r| r.index.deps(r.row).map(move |d| (r.index.id(r.row), d))) {
            if doomed.contains(d.target()) && !doomed.contains(owner) {
                plan.dependents.push(DependentEdge {
                    issue_id: owner.to_string(),
                    depends_on_id: d.target().to_string(),
                    dep_type: d.dep_type().to_string(),
                });
                touched.insert(owner.to_string());
            }
        }
        plan.dependents.sort_by(|a, b| (&a.issue_id, &a.depends_on_id).cmp(&(&b.issue_id, &b.depends_on_id)));
        plan.dependencies_removed = plan.dependents.len();
        plan.deleted = doomed.iter().cloned().collect();
        if apply {
            for owner in &touched {
                let mut issue = txn.require(owner)?;
                issue.dependencies.retain(|d| !doomed.contains(&d.id));
                issue.updated_at = txn.now();
                txn.put(issue)?;
            }
            for id in &doomed {
                txn.delete(id);
            }
            let n = plan.deleted.len();
            txn.set_summary(match plan.deleted.as_slice() {
                [one] => format!("delete {one}"),
                _ => format!("delete {n} issues"),
            });
        }
        Ok(plan)
    })
}

/// Fails with the cycle that a blocking edge `from -> to` would close.
fn refuse_cycle(txn: &Txn<'_>, scope: &Scope, from: &str, to: &str) -> Result<()> {
    if from == to {
        return Err(Error::SelfDependency(from.to_string()));
    }
    let index = txn.index()?;
    let u = universe(index, scope);
    if let (Some(a), Some(b)) = (u.find(from), u.find(to))
        && let Some(cycle) = u.would_cycle(a, b)
    {
        return Err(Error::Cycle { cycle });
    }
    Ok(())
}

/// The outcome of `dep add`/`dep remove`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DepOutcome {
    pub status: &'static str,
    pub issue_id: String,
    pub depends_on_id: String,
    #[serde(rename = "type")]
    pub dep_type: String,
}

/// Makes `issue` depend on `on` with type `ty`, refusing cycles.
pub fn dep_add(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    issue: &str,
    on: &str,
    ty: DepType,
    scope: &Scope,
) -> Result<Committed<DepOutcome>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("dep-add");
        let from = txn.resolve(issue)?;
        let to = resolve_target(txn, scope, on)?;
        if from == to {
            return Err(Error::SelfDependency(from));
        }
        let mut i = txn.require(&from)?;
        if ty.is_blocking() || ty == DepType::ParentChild {
            refuse_cycle(txn, scope, &from, &to)?;
        }
        if ty == DepType::ParentChild {
            i.dependencies.retain(|d| d.dep_type != DepType::ParentChild || d.id == to);
        }
        let previous = i.dependency(&to).map(|d| d.dep_type.to_string());
        let status = match (i.add_dependency(stamped(&to, ty.clone(), txn)), previous) {
            (false, _) => "exists",
            (true, Some(_)) => "retyped",
            (true, None) => "added",
        };
        if status != "exists" {
            i.updated_at = txn.now();
            txn.set_summary(format!("dep add {from} -> {to} ({ty})"));
            txn.put(i)?;
        }
        Ok(DepOutcome { status, issue_id: from, depends_on_id: to, dep_type: ty.to_string() })
    })
}

/// Removes the dependency of `issue` on `on`.
pub fn dep_remove(store: &Store, ns: &Namespace, actor: &Actor, issue: &str, on: &str) -> Result<Committed<DepOutcome>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("dep-remove");
        let from = txn.resolve(issue)?;
        let mut i = txn.require(&from)?;
        // The target may no longer exist: match the stored ID, else resolve.
        let to = if i.dependency(on).is_some() {
            on.to_string()
        } else {
            resolve_target(txn, &Scope::default(), on).unwrap_or_else(|_| on.to_string())
        };
        let ty = i.dependency(&to).map(|d| d.dep_type.to_string()).unwrap_or_else(|| "unknown".into());
        let status = if i.remove_dependency(&to) { "removed" } else { "not_found" };
        if status == "removed" {
            i.updated_at = txn.now();
            txn.set_summary(format!("dep remove {from} -> {to}"));
            txn.put(i)?;
        }
        Ok(DepOutcome { status, issue_id: from, depends_on_id: to, dep_type: ty })
    })
}

/// The outcome of a label change on one issue.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LabelOutcome {
    pub status: &'static str,
    pub issue_id: String,
    pub label: String,
}

/// Adds (`add == true`) or removes `label` on each of `ids`.
pub fn label(store: &Store, ns: &Namespace, actor: &Actor, ids: &[String], label: &str, add: bool) -> Result<Committed<Vec<LabelOutcome>>> {
    if add {
        model::issue::validate_label(label)?;
    }
    store.mutate(ns, actor, |txn| {
        txn.set_op(if add { "label-add" } else { "label-remove" });
        let mut out = Vec::new();
        for typed in ids {
            let id = txn.resolve(typed)?;
            let mut issue = txn.require(&id)?;
            let changed = if add { issue.labels.insert(label.to_string()) } else { issue.labels.remove(label) };
            let status = match (add, changed) {
                (true, true) => "added",
                (true, false) => "exists",
                (false, true) => "removed",
                (false, false) => "not_found",
            };
            if changed {
                issue.updated_at = txn.now();
                txn.put(issue)?;
            }
            out.push(LabelOutcome { status, issue_id: id, label: label.to_string() });
        }
        Ok(out)
    })
}

/// Adds a comment to `issue`; returns it.
pub fn comment(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    issue: &str,
    text: &str,
    author: Option<&str>,
) -> Result<Committed<(String, Comment)>> {
    if text.trim().is_empty() {
        return Err(Error::Invalid("the comment is empty".into()));
    }
    model::issue::validate_text("comment", text)?;
    store.mutate(ns, actor, |txn| {
        let mut idgen = txn.idgen();
        txn.set_op("comment");
        let id = txn.resolve(issue)?;
        let mut i = txn.require(&id)?;
        let mut c = new_comment(&mut idgen, txn, text.to_string());
        if let Some(a) = author.filter(|a| !a.trim().is_empty()) {
            c.author = a.to_string();
        }
        i.comments.push(c.clone());
        i.updated_at = txn.now();
        txn.put(i)?;
        Ok((id, c))
    })
}

/// What an import did (or would do).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub total: usize,
    pub dry_run: bool,
}

/// Imports `issues` into `ns` as one commit: new IDs are created, existing
/// ones replaced (or left alone with `skip_existing`).
pub fn import(
    store: &Store,
    ns: &Namespace,
    actor: &Actor,
    issues: &[Issue],
    skip_existing: bool,
    dry_run: bool,
    source: &str,
) -> Result<Committed<ImportReport>> {
    store.mutate(ns, actor, |txn| {
        txn.set_op("import");
        let index = txn.index()?;
        let unreadable: std::collections::HashMap<String, crate::store::index::InvalidEntry> =
            index.invalid().into_iter().filter_map(|e| Some((id::id_from_path(&e.path)?.to_string(), e))).collect();
        if let Some((bad, e)) = issues.iter().find_map(|i| unreadable.get(&i.id).map(|e| (&i.id, e))) {
            return Err(Error::Unreadable {
                id: bad.clone(),
                namespace: txn.namespace().to_string(),
                path: e.path.clone(),
                blob: e.blob.clone(),
                reason: format!("{}; importing over it would lose it, so nothing was imported", e.error),
            });
        }
        let mut report = ImportReport { total: issues.len(), dry_run, ..Default::default() };
        let mut staged = Vec::new();
        for issue in issues {
            match index.find(&issue.id) {
                None => {
                    report.created += 1;
                    staged.push(issue);
                }
                Some(_) if skip_existing => report.skipped += 1,
                Some(row) => {
                    let existing = txn.store().read_issue(txn.namespace(), &id::blob_path(&issue.id), row.index.blob(row.row))?;
                    if existing == *issue {
                        report.unchanged += 1;
                    } else {
                        report.updated += 1;
                        staged.push(issue);
                    }
                }
            }
        }
        if !dry_run {
            for issue in staged {
                txn.put(issue.clone())?;
            }
            txn.set_summary(format!("import {} issues from {source} ({} new, {} updated)", issues.len(), report.created, report.updated));
            txn.add_trailer("Beads-Import-Source", source);
        }
        Ok(report)
    })
}

/// Parses beads JSONL: one issue per non-blank line. Every bad line is
/// reported (with its number), and nothing is returned unless all are good.
pub fn parse_jsonl(text: &str) -> std::result::Result<Vec<Issue>, Vec<(usize, String)>> {
    let mut issues = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line == "=======" {
            errors.push((lineno, "a merge conflict marker: resolve the conflict in the file first".to_string()));
            continue;
        }
        match model::codec::from_slice(line.as_bytes()) {
            Ok(mut issue) => {
                // beads keeps closed_at with closed issues only.
                if issue.status.is_closed() && issue.closed_at.is_none() {
                    issue.closed_at = Some(issue.updated_at);
                }
                if !issue.status.is_closed() && issue.status != Status::Tombstone {
                    issue.closed_at = None;
                }
                if let Some(prev) = seen.insert(issue.id.clone(), lineno) {
                    errors.push((lineno, format!("issue {} appears again (first on line {prev})", issue.id)));
                    continue;
                }
                issues.push(issue);
            }
            Err(e) => errors.push((lineno, crate::store::cache::error_chain(&e))),
        }
    }
    if errors.is_empty() { Ok(issues) } else { Err(errors) }
}

/// Dependencies of `n` in the view, as (target ID, type, resolved node).
pub fn dependencies_of(u: &Universe<'_>, n: Node) -> Vec<(String, String, Option<Node>)> {
    u.deps(n).map(|(t, d)| (d.target().to_string(), d.dep_type().to_string(), t)).collect()
}

/// Issues that depend on `n`, as (dependent node, type).
pub fn dependents_of(u: &Universe<'_>, n: Node) -> Vec<(Node, String)> {
    let mut out: Vec<(Node, String)> =
        u.nodes().flat_map(|m| u.deps(m).filter(move |(t, _)| *t == Some(n)).map(move |(_, d)| (m, d.dep_type().to_string()))).collect();
    out.sort_by(|a, b| u.id(a.0).cmp(u.id(b.0)));
    out
}

/// Puts `issues` into the transaction's namespace: those it lacks as they
/// are, those it has with other content merged by the sync rules. Returns
/// the IDs merged and what was auto-resolved.
pub fn merge_in(txn: &mut Txn<'_>, issues: &[Issue]) -> Result<(Vec<String>, Vec<crate::merge::Resolution>)> {
    let mut merged = Vec::new();
    let mut resolved = Vec::new();
    for incoming in issues {
        match txn.get(&incoming.id)? {
            None => txn.put(incoming.clone())?,
            Some(existing) if existing == *incoming => {}
            Some(existing) => {
                let (m, notes) = crate::merge::merge_issues(None, &existing, incoming);
                resolved.extend(notes);
                merged.push(incoming.id.clone());
                txn.put(m)?;
            }
        }
    }
    Ok((merged, resolved))
}

/// What `promote` did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Promoted {
    pub to: String,
    pub moved: Vec<String>,
    /// Issues the target already had with other content: merged by the sync rules.
    pub merged: Vec<String>,
    pub resolved: Vec<crate::merge::Resolution>,
    /// Issues that changed in their namespace while being promoted: copied,
    /// but left in place (promote them again).
    pub kept: Vec<String>,
}

/// Moves issues (each with the namespace it lives in) to `to`, keeping their
/// IDs: first written to `to` (merged field by field if `to` has the ID with
/// other content), then removed from where they were, unless they changed
/// there meanwhile.
pub fn promote(store: &Store, actor: &Actor, items: &[(Namespace, String)], to: &Namespace) -> Result<Promoted> {
    let mut out = Promoted { to: to.to_string(), ..Default::default() };
    let mut groups: Vec<(Namespace, Vec<String>)> = Vec::new();
    for (ns, id) in items {
        if ns == to {
            continue;
        }
        match groups.iter_mut().find(|(g, _)| g == ns) {
            Some((_, ids)) => ids.push(id.clone()),
            None => groups.push((ns.clone(), vec![id.clone()])),
        }
    }
    for (from, ids) in groups {
        let tip = store.tip(&from)?.ok_or_else(|| Error::NotFound { id: ids[0].clone(), namespace: from.to_string() })?;
        let mut issues = Vec::new();
        for id in &ids {
            issues.push(store.issue_at(&from, &tip, id)?.ok_or_else(|| Error::NotFound { id: id.clone(), namespace: from.to_string() })?);
        }
        let done = store.mutate(to, actor, |txn| {
            txn.set_op("promote");
            let out = merge_in(txn, &issues)?;
            txn.add_trailer("Beads-Promoted-From", from.to_string());
            Ok(out)
        })?;
        out.merged.extend(done.value.0);
        out.resolved.extend(done.value.1);
        let removed = store.mutate(&from, actor, |txn| {
            txn.set_op("promote");
            let mut moved = Vec::new();
            let mut kept = Vec::new();
            for promoted in &issues {
                match txn.get(&promoted.id)? {
                    Some(now) if now == *promoted => {
                        txn.delete(&promoted.id);
                        moved.push(promoted.id.clone());
                    }
                    Some(_) => kept.push(promoted.id.clone()),
                    None => moved.push(promoted.id.clone()),
                }
            }
            txn.set_summary(format!("promote {} issues to {}", moved.len(), to.short()));
            txn.add_trailer("Beads-Promoted-To", to.to_string());
            Ok((moved, kept))
        })?;
        out.moved.extend(removed.value.0);
        out.kept.extend(removed.value.1);
    }
    Ok(out)
}
