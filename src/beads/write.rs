//! Writes: creating issues where they belong, changing, claiming and
//! closing them, dependencies, labels and comments. Each resolves the IDs it
//! is given across the view, then runs the operation in the namespace each
//! issue lives in (a compare-and-swap, re-run on a lost race).

use super::{Beads, Result, Scope};
use crate::model::{Comment, DepType, Issue};
use crate::ops::{self, Changes, CloseOutcome, DeletePlan, DepOutcome, LabelOutcome, NewIssue};
use crate::store::{self, Namespace};
use crate::view::View;

/// An issue as an update left it, and whether the update changed it.
#[derive(Clone, Debug)]
pub struct Updated {
    /// The issue after the update.
    pub issue: Issue,
    /// Whether the update changed anything (an unchanged write makes no
    /// commit).
    pub changed: bool,
}

/// The issues a write names, grouped by the namespace each lives in, with
/// the view they were resolved in (for checks across namespaces).
pub struct Targets {
    /// Namespace by namespace, the full IDs that live there.
    pub groups: Vec<(Namespace, Vec<String>)>,
    /// The full IDs, in the order they were named.
    pub order: Vec<String>,
    /// The view the IDs were resolved in.
    pub view: View,
}

impl Targets {
    /// The other namespaces a write to `ns` looks into (dependencies, cycles,
    /// blockers across namespaces).
    pub fn scope(&self, ns: &Namespace) -> ops::Scope {
        ops::Scope {
            others: self.view.snapshots.iter().filter(|s| s.namespace != *ns).map(|s| s.index.clone()).collect(),
            trees: Vec::new(),
        }
    }
}

impl Beads {
    /// Resolves the issues a write names, grouped by namespace.
    pub fn targets(&self, inputs: &[&str]) -> Result<Targets> {
        self.require_init()?;
        self.refuse_unwritable_scope()?;
        let view = self.view_for(inputs)?;
        let mut groups: Vec<(Namespace, Vec<String>)> = Vec::new();
        let mut order = Vec::new();
        {
            let u = view.universe();
            for input in inputs {
                let n = view.resolve(&self.store, &u, input)?;
                let ns = view.namespace_of(&u, n).clone();
                let id = u.id(n).to_string();
                order.push(id.clone());
                match groups.iter_mut().find(|(g, _)| *g == ns) {
                    Some((_, ids)) => ids.push(id),
                    None => groups.push((ns, vec![id])),
                }
            }
        }
        Ok(Targets { groups, order, view })
    }

    /// Where a new issue goes, its parent and dependencies resolved across
    /// the view: the scope's namespace; else the namespace of the issue it
    /// was discovered from or of its parent (discovered work stays with its
    /// origin); else routing. Returns the namespace, the parent's ID and the
    /// other namespaces to check the new ID and dependencies against.
    fn place(&self, new: &mut NewIssue) -> Result<(Namespace, ops::Scope)> {
        let write_ns = self.write_namespace()?;
        // A plain create needs no index: the new ID is checked against the
        // other namespaces of the view by tree lookups.
        if new.parent.is_none() && new.deps.is_empty() {
            let mut trees = Vec::new();
            for other in self.view_namespaces()?.into_iter().filter(|o| *o != write_ns) {
                if let Some(tip) = self.store.tip(&other)? {
                    trees.push(tip.tree);
                }
            }
            return Ok((write_ns, ops::Scope { others: Vec::new(), trees }));
        }
        // Parent and dependencies are found wherever they live, even when the
        // scope is one namespace (which only says where the new issue goes);
        // a reference into another project not fetched here is kept as written.
        let mut view = self.view()?;
        for (_, target) in new.deps.iter_mut() {
            *target = view.dependency_target(&self.store, target)?;
        }
        if let Some(p) = &new.parent {
            view.widen_for(&self.store, &[p.as_str()])?;
        }
        view.add(&self.store, &write_ns)?;
        let u = view.universe();
        let mut origin = None;
        for (ty, target) in &new.deps {
            if *ty == DepType::DiscoveredFrom
                && origin.is_none()
                && let Some(n) = u.find(target)
            {
                origin = Some(view.namespace_of(&u, n).clone());
            }
        }
        if let Some(p) = &new.parent {
            let n = view.resolve(&self.store, &u, p)?;
            origin = origin.or_else(|| Some(view.namespace_of(&u, n).clone()));
            new.parent = Some(u.id(n).to_string());
        }
        let ns = match (&self.scope, origin) {
            (Scope::Only(ns), _) => ns.clone(),
            // Not into a namespace this clone does not write (a contributor's
            // canonical): there, routing decides.
            (_, Some(o)) if !self.store.is_readonly(&o) => o,
            (_, _) => write_ns,
        };
        let scope = ops::Scope {
            others: view.snapshots.iter().filter(|s| s.namespace != ns).map(|s| s.index.clone()).collect(),
            trees: Vec::new(),
        };
        Ok((ns, scope))
    }

    /// Creates an issue where it belongs: the scope's namespace; else the
    /// namespace of the issue it was discovered from or of its parent
    /// (discovered work stays with its origin); else the repository's
    /// routing (canonical for a maintainer, planning for a contributor). Its
    /// new ID is unique across the namespaces the view reads. `new.parent` and the
    /// targets of `new.deps` may be any form of ID.
    pub fn create(&self, mut new: NewIssue) -> Result<Issue> {
        let (ns, scope) = self.place(&mut new)?;
        Ok(ops::create(&self.store, &ns, &self.actor(), &new, &scope)?.value)
    }

    /// The issue [`Beads::create`] would write, after the same checks,
    /// without writing (`create --dry-run`). A generated ID is only a
    /// sample: the real create draws its own.
    pub fn create_preview(&self, mut new: NewIssue) -> Result<Issue> {
        let (ns, scope) = self.place(&mut new)?;
        Ok(ops::create::preview(&self.store, &ns, &self.actor(), &new, &scope)?)
    }

    /// Updates each of `ids` with `changes` (a parent given by any form of
    /// ID, wherever it lives); returns the issues as written, unchanged ones
    /// included, in the order given.
    pub fn update(&self, ids: &[&str], changes: &Changes) -> Result<Vec<Updated>> {
        let t = self.targets(ids)?;
        let mut changes = changes.clone();
        if let Some(p) = changes.parent.as_deref().filter(|p| !p.is_empty()) {
            let u = t.view.universe();
            let n = t.view.resolve(&self.store, &u, p)?;
            changes.parent = Some(u.id(n).to_string());
        }
        let mut out = Vec::new();
        for (ns, group) in &t.groups {
            let done = ops::update(&self.store, ns, &self.actor(), group, &changes, &t.scope(ns))?;
            let changed = done.commit.is_some();
            out.extend(done.value.into_iter().map(|issue| Updated { issue, changed }));
        }
        if t.groups.len() > 1 {
            out.sort_by_key(|u| t.order.iter().position(|o| *o == u.issue.id).unwrap_or(usize::MAX));
        }
        Ok(out)
    }

    /// Claims `id` atomically: assignee = the actor, status in_progress.
    /// Fails with [`super::ErrorKind::AlreadyClaimed`] if someone else holds
    /// it, [`super::ErrorKind::Blocked`] if open work blocks it.
    pub fn claim(&self, id: &str) -> Result<Issue> {
        let changes = Changes { claim: true, ..Default::default() };
        Ok(self.update(&[id], &changes)?.remove(0).issue)
    }

    /// Closes `ids`, refusing any still blocked by open work (blockers closed
    /// by the same call do not count).
    pub fn close(&self, ids: &[&str], reason: Option<&str>) -> Result<CloseOutcome> {
        self.close_with(ids, reason, false)
    }

    /// [`Beads::close`]; with `force`, closes blocked issues too.
    pub fn close_with(&self, ids: &[&str], reason: Option<&str>, force: bool) -> Result<CloseOutcome> {
        let t = self.targets(ids)?;
        let mut out = CloseOutcome::default();
        for (ns, group) in &t.groups {
            let done = ops::close(&self.store, ns, &self.actor(), group, reason, force, &t.scope(ns))?.value;
            out.closed.extend(done.closed);
            out.already_closed.extend(done.already_closed);
        }
        Ok(out)
    }

    /// Reopens `ids`; a reason is kept as a comment.
    pub fn reopen(&self, ids: &[&str], reason: Option<&str>) -> Result<Vec<Issue>> {
        let t = self.targets(ids)?;
        let mut out = Vec::new();
        for (ns, group) in &t.groups {
            out.extend(ops::reopen(&self.store, ns, &self.actor(), group, reason)?.value);
        }
        Ok(order_like(out, &t, ids))
    }

    /// Defers `ids` until `until` (indefinitely when `None`).
    pub fn defer(&self, ids: &[&str], until: Option<crate::model::Timestamp>) -> Result<Vec<Issue>> {
        let t = self.targets(ids)?;
        let mut out = Vec::new();
        for (ns, group) in &t.groups {
            out.extend(ops::defer(&self.store, ns, &self.actor(), group, until)?.value);
        }
        Ok(order_like(out, &t, ids))
    }

    /// Makes deferred `ids` open again.
    pub fn undefer(&self, ids: &[&str]) -> Result<Vec<Issue>> {
        let t = self.targets(ids)?;
        let mut out = Vec::new();
        for (ns, group) in &t.groups {
            out.extend(ops::undefer(&self.store, ns, &self.actor(), group)?.value);
        }
        Ok(order_like(out, &t, ids))
    }

    /// Deletes `ids` and the dependencies other issues have on them (with
    /// `apply == false`, only what would go). An issue whose blob cannot be
    /// read is deleted by its ID too.
    pub fn delete(&self, ids: &[&str], apply: bool) -> Result<DeletePlan> {
        let (readable, unreadable) = self.split_unreadable(ids)?;
        let mut groups = if readable.is_empty() { Vec::new() } else { self.targets(&readable)?.groups };
        for (ns, id) in unreadable {
            match groups.iter_mut().find(|(g, _)| *g == ns) {
                Some((_, ids)) => ids.push(id),
                None => groups.push((ns, vec![id])),
            }
        }
        let mut plan = DeletePlan::default();
        for (ns, group) in &groups {
            let p = ops::delete(&self.store, ns, &self.actor(), group, apply)?.value;
            plan.deleted.extend(p.deleted);
            plan.dependents.extend(p.dependents);
            plan.dependencies_removed += p.dependencies_removed;
        }
        Ok(plan)
    }

    /// Splits typed IDs into those the view resolves and the unreadable
    /// issues (namespace, full ID) the others name.
    fn split_unreadable<'a>(&self, inputs: &[&'a str]) -> Result<(Vec<&'a str>, Vec<(Namespace, String)>)> {
        use crate::model::id;
        self.require_init()?;
        let view = self.view_for(inputs)?;
        let u = view.universe();
        let bad: Vec<(Namespace, String)> = view
            .invalid()
            .into_iter()
            .filter_map(|(ns, e)| {
                let found = id::id_from_path(&e.path)?;
                (id::blob_path(found) == e.path).then(|| (ns, found.to_string()))
            })
            .collect();
        let (mut readable, mut unreadable) = (Vec::new(), Vec::new());
        for input in inputs {
            let resolves = view.resolve(&self.store, &u, input).is_ok();
            let matching: Vec<&(Namespace, String)> = bad.iter().filter(|(_, b)| b == input || b.starts_with(*input)).collect();
            match (resolves, matching.as_slice()) {
                (false, [one]) => unreadable.push((*one).clone()),
                _ => readable.push(*input),
            }
        }
        Ok((readable, unreadable))
    }

    /// Makes `issue` depend on `on` (any form of ID, or a qualified one into
    /// another project), refusing an edge that closes a cycle.
    pub fn dep_add(&self, issue: &str, on: &str, ty: DepType) -> Result<DepOutcome> {
        let mut t = self.targets(&[issue])?;
        let target = t.view.dependency_target(&self.store, on)?;
        let (ns, ids) = t.groups.remove(0);
        Ok(ops::dep_add(&self.store, &ns, &self.actor(), &ids[0], &target, ty, &t.scope(&ns))?.value)
    }

    /// Removes the dependency of `issue` on `on`.
    pub fn dep_remove(&self, issue: &str, on: &str) -> Result<DepOutcome> {
        let mut t = self.targets(&[issue])?;
        // The stored target, or what the typed one resolves to in the view.
        let target = {
            let u = t.view.universe();
            t.view.resolve(&self.store, &u, on).map(|n| u.id(n).to_string()).unwrap_or_else(|_| on.to_string())
        };
        let (ns, ids) = t.groups.remove(0);
        Ok(ops::dep_remove(&self.store, &ns, &self.actor(), &ids[0], &target)?.value)
    }

    /// Adds (`add`) or removes `label` on each of `ids`.
    pub fn label(&self, ids: &[&str], label: &str, add: bool) -> Result<Vec<LabelOutcome>> {
        let t = self.targets(ids)?;
        let mut out = Vec::new();
        for (ns, group) in &t.groups {
            out.extend(ops::label(&self.store, ns, &self.actor(), group, label, add)?.value);
        }
        Ok(out)
    }

    /// Adds a comment to `issue` (by `author`, else the actor); returns the
    /// issue's full ID and the comment.
    pub fn comment(&self, issue: &str, text: &str, author: Option<&str>) -> Result<(String, Comment)> {
        let mut t = self.targets(&[issue])?;
        let (ns, ids) = t.groups.remove(0);
        Ok(ops::comment(&self.store, &ns, &self.actor(), &ids[0], text, author)?.value)
    }

    /// Imports beads JSONL `text` as one commit into the write namespace.
    pub fn import(&self, text: &str, source: &str, skip_existing: bool, dry_run: bool) -> Result<ops::ImportReport> {
        let ns = self.write_namespace()?;
        let issues = ops::parse_jsonl(text).map_err(|lines| ops::Error::ImportRefused { source_name: source.to_string(), lines })?;
        Ok(ops::import(&self.store, &ns, &self.actor(), &issues, skip_existing, dry_run, source)?.value)
    }

    /// Every issue of the view in full, sorted by ID (copies of one issue
    /// in several namespaces once). Fails when an issue cannot be read,
    /// unless `skip_unreadable`: a backup must not be silently incomplete.
    pub fn export(&self, skip_unreadable: bool) -> Result<Vec<Issue>> {
        let view = self.view()?;
        let unreadable = view.invalid();
        if !unreadable.is_empty() && !skip_unreadable {
            return Err(store::Error::Unreadables { action: "the export would be incomplete".into(), entries: unreadable }.into());
        }
        let u = view.universe();
        let mut out = Vec::with_capacity(u.len());
        for n in u.nodes() {
            out.push(view.issue(&self.store, &u, n)?);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        Ok(out)
    }
}

/// Issues from several namespace groups, back in the order they were named.
fn order_like(mut issues: Vec<Issue>, t: &Targets, _inputs: &[&str]) -> Vec<Issue> {
    if t.groups.len() > 1 {
        issues.sort_by_key(|i| t.order.iter().position(|o| *o == i.id).unwrap_or(usize::MAX));
    }
    issues
}
