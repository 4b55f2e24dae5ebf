//! Reads: lists, the ready frontier, blocked work, search, and one issue in
//! full. Results own what they point into, so they outlive the graph they
//! were computed on, and they serialize to the documented JSON shapes.

use super::{Beads, Result};
use crate::graph::{Blocker, Node, ReadySort, Universe};
use crate::model::{Form, Issue, codec, json};
use crate::ops;
use crate::query::{self, Filter, ListSort};
use crate::store::{Index, Namespace};
use crate::view::{View, Visibility};
use serde::Serialize;
use std::sync::Arc;

/// What `list` shows.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// Which issues.
    pub filter: Filter,
    /// In which order.
    pub sort: ListSort,
    /// Reverse the order.
    pub reverse: bool,
    /// At most this many rows (0: all).
    pub limit: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery { filter: Filter::default(), sort: ListSort::Priority, reverse: false, limit: 0 }
    }
}

/// What `ready` shows.
#[derive(Clone, Debug)]
pub struct ReadyQuery {
    /// Which issues (of those ready).
    pub filter: Filter,
    /// In which order.
    pub sort: ReadySort,
    /// At most this many rows (0: all).
    pub limit: usize,
}

impl Default for ReadyQuery {
    fn default() -> Self {
        ReadyQuery { filter: Filter::default(), sort: ReadySort::Hybrid, limit: 0 }
    }
}

/// One issue of a listing, as the index has it (no blob read): its fields,
/// where it lives, and what the graph says of it.
#[derive(Clone)]
pub struct Row {
    index: Arc<Index>,
    row: usize,
    namespace: Arc<Namespace>,
    visibility: Visibility,
    dependents: u32,
    blockers: Option<Vec<Blocker>>,
}

impl Row {
    /// The issue's ID.
    pub fn id(&self) -> &str {
        self.index.id(self.row)
    }
    /// The title.
    pub fn title(&self) -> &str {
        self.index.title(self.row)
    }
    /// The status as stored (`open`, `in_progress`, a custom one, ...).
    pub fn status(&self) -> &str {
        self.index.status(self.row)
    }
    /// Status class (see `store::index::status_code`).
    pub fn status_code(&self) -> u8 {
        self.index.status_code(self.row)
    }
    /// 0 (most urgent) to 4.
    pub fn priority(&self) -> u8 {
        self.index.priority(self.row)
    }
    /// `task`, `bug`, `feature`, `epic`, `chore` or a custom type.
    pub fn issue_type(&self) -> &str {
        self.index.issue_type(self.row)
    }
    /// Who holds it, if anyone.
    pub fn assignee(&self) -> Option<&str> {
        self.index.assignee(self.row)
    }
    /// The namespace the issue lives in.
    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }
    /// How far it has travelled (local, proposed, canonical).
    pub fn visibility(&self) -> Visibility {
        self.visibility
    }
    /// Dependencies it has.
    pub fn dependency_count(&self) -> usize {
        self.index.dep_count(self.row)
    }
    /// Issues that depend on it.
    pub fn dependent_count(&self) -> u32 {
        self.dependents
    }
    /// The labels, sorted.
    pub fn labels(&self) -> impl Iterator<Item = &str> + '_ {
        self.index.labels(self.row)
    }
    /// The description.
    pub fn description(&self) -> &str {
        self.index.description(self.row)
    }
    /// A time field (created, updated, closed, deferred until, due), when set.
    pub fn time(&self, t: crate::store::index::Time) -> Option<crate::model::Timestamp> {
        self.index.timestamp(self.row, t)
    }
    /// What blocks it (rows of `blocked` only).
    pub fn blockers(&self) -> Option<&[Blocker]> {
        self.blockers.as_deref()
    }

    /// The issue in full, read from its blob.
    pub fn issue(&self, beads: &Beads) -> Result<Issue> {
        Ok(beads.store().read_issue(&self.namespace, &crate::model::id::blob_path(self.id()), self.index.blob(self.row))?)
    }

    /// Appends the row's JSON object: the issue's beads JSON (without
    /// comments) as the index pre-rendered it, then the computed fields.
    /// Every value is serde's; only the object's braces and commas are
    /// put in here.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        self.index.write_json_open(self.row, out);
        let _ = write!(out, ",\"dependency_count\":{},\"dependent_count\":{},\"namespace\":", self.dependency_count(), self.dependents);
        json::write(&mut *out, self.namespace.short()).expect("strings serialize into memory");
        out.extend_from_slice(b",\"visibility\":");
        json::write(&mut *out, self.visibility.as_str()).expect("strings serialize into memory");
        if let Some(bs) = &self.blockers {
            let ids: Vec<&str> = bs.iter().map(Blocker::id).collect();
            out.extend_from_slice(b",\"blocked_by\":");
            json::write(&mut *out, &ids).expect("strings serialize into memory");
            let _ = write!(out, ",\"blocked_by_count\":{},\"blockers\":", bs.len());
            json::write(&mut *out, bs).expect("plain data serializes into memory");
        }
        out.push(b'}');
    }

    /// The row's JSON object.
    pub fn json(&self) -> String {
        let mut out = Vec::with_capacity(1024);
        self.write_json(&mut out);
        String::from_utf8(out).expect("the index and serde write UTF-8")
    }
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row").field("id", &self.id()).field("namespace", &self.namespace.short()).finish()
    }
}

impl Serialize for Row {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// A listing: the rows shown, and how many there were before the limit.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// The rows, in the order asked for.
    pub rows: Vec<Row>,
    /// Matching issues before the limit.
    pub total: usize,
    /// Whether the view read several namespaces (rows then say which).
    pub multi: bool,
}

impl Rows {
    fn of(
        view: &View,
        u: &Universe<'_>,
        dependents: &[u32],
        nodes: impl IntoIterator<Item = (Node, Option<Vec<Blocker>>)>,
        total: usize,
    ) -> Rows {
        let namespaces: Vec<Arc<Namespace>> = view.snapshots.iter().map(|s| Arc::new(s.namespace.clone())).collect();
        let rows = nodes
            .into_iter()
            .map(|(n, blockers)| {
                let (index, row) = view.shared_index(u, n);
                let ns = view.namespace_of(u, n);
                let namespace = namespaces.iter().find(|a| ***a == *ns).cloned().unwrap_or_else(|| Arc::new(ns.clone()));
                Row { index, row, namespace, visibility: view.visibility(u, n), dependents: dependents[n.0], blockers }
            })
            .collect();
        Rows { rows, total, multi: view.is_multi() }
    }

    /// The rows as one JSON array, one object per line.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (k, r) in self.rows.iter().enumerate() {
            out.extend_from_slice(if k == 0 { b"\n" } else { b",\n" });
            r.write_json(out);
        }
        out.extend_from_slice(if self.rows.is_empty() { b"]\n" } else { b"\n]\n" });
    }
}

impl Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.rows.serialize(s)
    }
}

/// A dependency or dependent of an issue, with the other issue's headline
/// (absent when the target resolves nowhere).
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    /// The other issue's ID, as written in the dependency.
    pub id: String,
    /// `blocks`, `parent-child`, `related`, ... (`dependency_type` in JSON, as
    /// bd writes it).
    #[serde(rename = "dependency_type")]
    pub dep_type: String,
    /// The other issue's title.
    pub title: Option<String>,
    /// The other issue's status.
    pub status: Option<String>,
    /// The other issue's priority.
    pub priority: Option<u8>,
}

/// One issue in full, as `show` has it.
#[derive(Clone, Debug)]
pub struct IssueDetail {
    /// The issue as stored.
    pub issue: Issue,
    /// The namespace it lives in.
    pub namespace: Namespace,
    /// Whether it is canonical, local to this branch, or proposed.
    pub visibility: Visibility,
    /// What it depends on.
    pub dependencies: Vec<Link>,
    /// What depends on it.
    pub dependents: Vec<Link>,
}

impl IssueDetail {
    /// The documented JSON: the issue's beads JSON (comments included),
    /// each dependency with the target's title, status and priority, then
    /// `dependents`, `parent`, `namespace` and `visibility`.
    pub fn json(&self) -> String {
        // bd's shape too: each dependency names the target as `id` and its
        // kind as `dependency_type` (beads-mcp reads those two).
        let headline = |d: &crate::model::Dependency| {
            let mut s = format!(",\"id\":{},\"dependency_type\":{}", json::to_string(&d.id), json::to_string(d.dep_type.as_str()));
            if let Some(l) = self.dependencies.iter().find(|l| l.id == d.id) {
                s.push_str(&format!(
                    ",\"title\":{},\"status\":{},\"priority\":{}",
                    json::to_string(&l.title),
                    json::to_string(&l.status),
                    json::to_string(&l.priority)
                ));
            }
            s
        };
        let mut s = codec::to_beads_json_open(&self.issue, Form::Beads, &headline);
        s.push_str(",\"dependents\":");
        s.push_str(&json::to_string(&self.dependents));
        if let Some(p) = self.issue.parent() {
            s.push_str(",\"parent\":");
            s.push_str(&json::to_string(&p));
        }
        s.push_str(",\"namespace\":");
        s.push_str(&json::to_string(self.namespace.short()));
        s.push_str(",\"visibility\":");
        s.push_str(&json::to_string(self.visibility.as_str()));
        s.push('}');
        s
    }
}

impl Serialize for IssueDetail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

fn links(u: &Universe<'_>, n: Node) -> (Vec<Link>, Vec<Link>) {
    let headline = |m: Node| {
        let (_, idx, r) = u.locate(m);
        (idx.title(r).to_string(), idx.status(r).to_string(), idx.priority(r))
    };
    let deps = ops::dependencies_of(u, n)
        .into_iter()
        .map(|(id, ty, target)| {
            let h = target.map(headline);
            Link {
                id,
                dep_type: ty,
                title: h.as_ref().map(|h| h.0.clone()),
                status: h.as_ref().map(|h| h.1.clone()),
                priority: h.map(|h| h.2),
            }
        })
        .collect();
    let dependents = ops::dependents_of(u, n)
        .into_iter()
        .map(|(m, ty)| {
            let h = headline(m);
            Link { id: u.id(m).to_string(), dep_type: ty, title: Some(h.0), status: Some(h.1), priority: Some(h.2) }
        })
        .collect();
    (deps, dependents)
}

impl Beads {
    /// Issues matching `q.filter`, in `q.sort` order.
    pub fn list(&self, q: &ListQuery) -> Result<Rows> {
        self.list_in(&self.view()?, q)
    }

    /// [`Beads::list`] over a view the caller opened (to warn about what it
    /// could not read).
    pub fn list_in(&self, view: &View, q: &ListQuery) -> Result<Rows> {
        let u = view.universe();
        let (nodes, total) = query::list(&u, &q.filter, q.sort, q.reverse, q.limit);
        Ok(Rows::of(view, &u, &u.analyze().dependents, nodes.into_iter().map(|n| (n, None)), total))
    }

    /// The ready frontier: work that can start now.
    pub fn ready(&self, q: &ReadyQuery) -> Result<Rows> {
        self.ready_in(&self.view()?, q)
    }

    /// [`Beads::ready`] over a view the caller opened.
    pub fn ready_in(&self, view: &View, q: &ReadyQuery) -> Result<Rows> {
        let u = view.universe();
        let an = u.analyze();
        let (nodes, total) = query::ready(&u, &an, &q.filter, q.sort, self.store.now().as_micros(), q.limit);
        Ok(Rows::of(view, &u, &an.dependents, nodes.into_iter().map(|n| (n, None)), total))
    }

    /// Work that cannot start, each row with what blocks it.
    pub fn blocked(&self, filter: &Filter, limit: usize) -> Result<Rows> {
        self.blocked_in(&self.view()?, filter, limit)
    }

    /// [`Beads::blocked`] over a view the caller opened.
    pub fn blocked_in(&self, view: &View, filter: &Filter, limit: usize) -> Result<Rows> {
        let u = view.universe();
        let an = u.analyze();
        let (rows, total) = query::blocked(&u, &an, filter, limit);
        Ok(Rows::of(view, &u, &an.dependents, rows.into_iter().map(|(n, bs)| (n, Some(bs))), total))
    }

    /// Issues whose ID, title or description contains `text` (any case).
    pub fn search_in(&self, view: &View, text: &str, q: &ListQuery) -> Result<Rows> {
        let u = view.universe();
        let (nodes, total) = query::search(&u, text, &q.filter, q.sort, q.limit);
        Ok(Rows::of(view, &u, &u.analyze().dependents, nodes.into_iter().map(|n| (n, None)), total))
    }

    /// Issues not updated for `days` days, oldest first.
    pub fn stale_in(&self, view: &View, filter: &Filter, days: u32, limit: usize) -> Result<Rows> {
        let u = view.universe();
        let (nodes, total) = query::stale(&u, filter, days, self.store.now().as_micros(), limit);
        Ok(Rows::of(view, &u, &u.analyze().dependents, nodes.into_iter().map(|n| (n, None)), total))
    }

    /// One issue in full: by any unique prefix of its ID or a qualified
    /// form, wherever it lives.
    pub fn show(&self, id: &str) -> Result<IssueDetail> {
        Ok(self.show_all(&[id])?.pop().expect("one input, one issue"))
    }

    /// Several issues in full, in the order given.
    pub fn show_all(&self, ids: &[&str]) -> Result<Vec<IssueDetail>> {
        let view = self.view_for(ids)?;
        let u = view.universe();
        let mut out = Vec::with_capacity(ids.len());
        for typed in ids {
            let n = view.resolve(&self.store, &u, typed)?;
            let issue = view.issue(&self.store, &u, n)?;
            let (dependencies, dependents) = links(&u, n);
            out.push(IssueDetail {
                issue,
                namespace: view.namespace_of(&u, n).clone(),
                visibility: view.visibility(&u, n),
                dependencies,
                dependents,
            });
        }
        Ok(out)
    }
}
