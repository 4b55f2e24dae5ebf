//! Queries over a view: filters, sorts, and the read commands' answers
//! (list, ready, blocked, search, stale, count, stats), computed from the
//! index alone; no blob is read here.

use crate::graph::{Analysis, Blocker, Node, ReadySort, Universe, sort_ready};
use crate::store::index::{NO_TIME, Time, status_code};
use std::collections::BTreeMap;

/// Which issues a view command shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Statuses to keep (any of). Empty: everything but closed/tombstone,
    /// unless `all` is set.
    pub statuses: Vec<String>,
    /// Include closed issues when no status is given.
    pub all: bool,
    /// Priorities to keep (any of; empty: all).
    pub priorities: Vec<u8>,
    /// Issue types to keep (any of; empty: all).
    pub types: Vec<String>,
    /// Exact assignee.
    pub assignee: Option<String>,
    /// Only issues nobody is assigned to.
    pub unassigned: bool,
    /// Every one of these labels.
    pub labels_all: Vec<String>,
    /// At least one of these labels.
    pub labels_any: Vec<String>,
    /// Case-insensitive substring of the title.
    pub title_contains: Option<String>,
    /// Case-insensitive substring of the description.
    pub desc_contains: Option<String>,
    /// Lowest priority number kept (inclusive; 0 is the most urgent).
    pub priority_min: Option<u8>,
    /// Highest priority number kept (inclusive).
    pub priority_max: Option<u8>,
    /// Created at or after this time (microseconds since the epoch).
    pub created_after: Option<i64>,
    /// Created before this time.
    pub created_before: Option<i64>,
    /// Updated at or after this time.
    pub updated_after: Option<i64>,
    /// Updated before this time.
    pub updated_before: Option<i64>,
    /// Only descendants of this issue (full ID): children over
    /// `parent-child` edges, transitively; the issue itself is not included.
    pub parent: Option<String>,
}

impl Filter {
    /// Whether node `n` passes.
    pub fn accepts(&self, u: &Universe<'_>, n: Node) -> bool {
        let (_, idx, r) = u.locate(n);
        if self.statuses.is_empty() {
            if !self.all && status_code::is_done(idx.status_code(r)) {
                return false;
            }
        } else if !self.statuses.iter().any(|s| s == idx.status(r)) {
            return false;
        }
        if !self.priorities.is_empty() && !self.priorities.contains(&idx.priority(r)) {
            return false;
        }
        if !self.types.is_empty() && !self.types.iter().any(|t| t == idx.issue_type(r)) {
            return false;
        }
        if let Some(a) = &self.assignee
            && idx.assignee(r) != Some(a.as_str())
        {
            return false;
        }
        if self.unassigned && idx.assignee(r).is_some() {
            return false;
        }
        if !self.labels_all.iter().all(|l| idx.has_label(r, l)) {
            return false;
        }
        if !self.labels_any.is_empty() && !self.labels_any.iter().any(|l| idx.has_label(r, l)) {
            return false;
        }
        if let Some(t) = &self.title_contains
            && !contains_ci(idx.title(r), t)
        {
            return false;
        }
        if let Some(t) = &self.desc_contains
            && !contains_ci(idx.description(r), t)
        {
            return false;
        }
        let p = idx.priority(r);
        if self.priority_min.is_some_and(|m| p < m) || self.priority_max.is_some_and(|m| p > m) {
            return false;
        }
        let in_range = |t: i64, after: Option<i64>, before: Option<i64>| after.is_none_or(|a| t >= a) && before.is_none_or(|b| t < b);
        if !in_range(idx.time(r, Time::Created), self.created_after, self.created_before)
            || !in_range(idx.time(r, Time::Updated), self.updated_after, self.updated_before)
        {
            return false;
        }
        if let Some(ancestor) = &self.parent
            && !descends_from(u, n, ancestor)
        {
            return false;
        }
        true
    }
}

/// Whether `n` is a descendant of `ancestor` over `parent-child` edges
/// (a cycle of parents ends the walk).
pub fn descends_from(u: &Universe<'_>, n: Node, ancestor: &str) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut frontier = vec![n];
    while let Some(x) = frontier.pop() {
        if !seen.insert(x) {
            continue;
        }
        for (target, d) in u.deps(x) {
            if !d.is_parent() {
                continue;
            }
            if d.target() == ancestor || target.is_some_and(|t| u.id(t) == ancestor) {
                return true;
            }
            if let Some(t) = target {
                frontier.push(t);
            }
        }
    }
    false
}

/// Case-insensitive substring test (Unicode lowercase; ASCII fast path).
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let n = needle.as_bytes();
        return hay.as_bytes().windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(&needle.to_lowercase())
}

/// Orders for `list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListSort {
    /// Priority, then newest first (beads' default).
    #[default]
    Priority,
    /// Newest first.
    Created,
    /// Most recently updated first.
    Updated,
    /// By title.
    Title,
    /// By ID.
    Id,
    /// By status, then priority.
    Status,
}

impl ListSort {
    /// Parses beads' names (`created`, `created_at`, ...).
    pub fn parse(s: &str) -> Option<ListSort> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "priority" => ListSort::Priority,
            "created" | "created_at" | "created-at" => ListSort::Created,
            "updated" | "updated_at" | "updated-at" => ListSort::Updated,
            "title" => ListSort::Title,
            "id" => ListSort::Id,
            "status" => ListSort::Status,
            _ => return None,
        })
    }
}

/// Sorts `nodes` for `list`; `created`/`updated` put the newest first.
pub fn sort_list(u: &Universe<'_>, nodes: &mut [Node], sort: ListSort, reverse: bool) {
    nodes.sort_by(|&a, &b| {
        let (_, ia, ra) = u.locate(a);
        let (_, ib, rb) = u.locate(b);
        let by_id = || ia.id(ra).cmp(ib.id(rb));
        let o = match sort {
            ListSort::Priority => ia.priority(ra).cmp(&ib.priority(rb)).then(ib.time(rb, Time::Created).cmp(&ia.time(ra, Time::Created))),
            ListSort::Created => ib.time(rb, Time::Created).cmp(&ia.time(ra, Time::Created)),
            ListSort::Updated => ib.time(rb, Time::Updated).cmp(&ia.time(ra, Time::Updated)),
            ListSort::Title => ia.title(ra).to_lowercase().cmp(&ib.title(rb).to_lowercase()),
            ListSort::Id => std::cmp::Ordering::Equal,
            ListSort::Status => ia.status_code(ra).cmp(&ib.status_code(rb)).then(ia.status(ra).cmp(ib.status(rb))),
        }
        .then_with(by_id);
        if reverse { o.reverse() } else { o }
    });
}

/// Keeps the first `limit` entries (0: all).
pub fn truncate<T>(v: &mut Vec<T>, limit: usize) {
    if limit != 0 && v.len() > limit {
        v.truncate(limit);
    }
}

/// The issues `list` shows.
pub fn list(u: &Universe<'_>, filter: &Filter, sort: ListSort, reverse: bool, limit: usize) -> (Vec<Node>, usize) {
    let mut nodes: Vec<Node> = u.nodes().filter(|&n| filter.accepts(u, n)).collect();
    let total = nodes.len();
    sort_list(u, &mut nodes, sort, reverse);
    truncate(&mut nodes, limit);
    (nodes, total)
}

/// The ready frontier under `filter`, ordered by `sort`.
pub fn ready(u: &Universe<'_>, a: &Analysis, filter: &Filter, sort: ReadySort, now_us: i64, limit: usize) -> (Vec<Node>, usize) {
    let mut nodes: Vec<Node> = u.nodes().filter(|&n| u.is_ready(a, n, now_us) && filter.accepts(u, n)).collect();
    let total = nodes.len();
    sort_ready(u, &mut nodes, sort, now_us);
    truncate(&mut nodes, limit);
    (nodes, total)
}

/// Blocked issues with their blockers: priority first, then most blockers,
/// then oldest.
pub fn blocked(u: &Universe<'_>, a: &Analysis, filter: &Filter, limit: usize) -> (Vec<(Node, Vec<Blocker>)>, usize) {
    let mut out: Vec<(Node, Vec<Blocker>)> =
        u.nodes().filter(|&n| u.is_blocked(a, n) && filter.accepts(u, n)).map(|n| (n, u.blockers(a, n))).collect();
    let total = out.len();
    out.sort_by(|(x, bx), (y, by)| {
        let (_, ix, rx) = u.locate(*x);
        let (_, iy, ry) = u.locate(*y);
        ix.priority(rx)
            .cmp(&iy.priority(ry))
            .then(by.len().cmp(&bx.len()))
            .then(ix.time(rx, Time::Created).cmp(&iy.time(ry, Time::Created)))
            .then(ix.id(rx).cmp(iy.id(ry)))
    });
    truncate(&mut out, limit);
    (out, total)
}

/// Issues whose ID, title or description contains `text` (case-insensitive).
pub fn search(u: &Universe<'_>, text: &str, filter: &Filter, sort: ListSort, limit: usize) -> (Vec<Node>, usize) {
    let mut nodes: Vec<Node> = u
        .nodes()
        .filter(|&n| {
            let (_, idx, r) = u.locate(n);
            filter.accepts(u, n)
                && (contains_ci(idx.id(r), text) || contains_ci(idx.title(r), text) || contains_ci(idx.description(r), text))
        })
        .collect();
    let total = nodes.len();
    sort_list(u, &mut nodes, sort, false);
    truncate(&mut nodes, limit);
    (nodes, total)
}

/// Issues not updated for `days` days, least recently updated first.
pub fn stale(u: &Universe<'_>, filter: &Filter, days: u32, now_us: i64, limit: usize) -> (Vec<Node>, usize) {
    let cutoff = now_us - i64::from(days) * 86_400_000_000;
    let mut nodes: Vec<Node> = u
        .nodes()
        .filter(|&n| {
            let (_, idx, r) = u.locate(n);
            filter.accepts(u, n) && idx.time(r, Time::Updated) < cutoff
        })
        .collect();
    let total = nodes.len();
    nodes.sort_by(|&a, &b| {
        let (_, ia, ra) = u.locate(a);
        let (_, ib, rb) = u.locate(b);
        ia.time(ra, Time::Updated).cmp(&ib.time(rb, Time::Updated)).then(ia.id(ra).cmp(ib.id(rb)))
    });
    truncate(&mut nodes, limit);
    (nodes, total)
}

/// Fields `count --by` groups on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One group per status.
    Status,
    /// One group per priority (`P0` ... `P4`).
    Priority,
    /// One group per issue type.
    Type,
    /// One group per assignee (and one for none).
    Assignee,
    /// One group per label: an issue with two labels counts in both.
    Label,
}

impl GroupBy {
    /// Reads a field name as `count --by` takes it (`type` or `issue_type`,
    /// `label` or `labels`, any case).
    pub fn parse(s: &str) -> Option<GroupBy> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "status" => GroupBy::Status,
            "priority" => GroupBy::Priority,
            "type" | "issue_type" => GroupBy::Type,
            "assignee" => GroupBy::Assignee,
            "label" | "labels" => GroupBy::Label,
            _ => return None,
        })
    }
}

/// One group of a count.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    /// The key (a status, `P1`, a type, an assignee, a label).
    pub group: String,
    /// Issues in the group.
    pub count: usize,
}

/// Counts the issues `filter` keeps, grouped by `by` (sorted by key).
/// With `Label`, an issue counts once per label (and `(no labels)` when it has none).
pub fn count_by(u: &Universe<'_>, filter: &Filter, by: GroupBy) -> (usize, Vec<Group>) {
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for n in u.nodes().filter(|&n| filter.accepts(u, n)) {
        total += 1;
        let (_, idx, r) = u.locate(n);
        let mut bump = |k: String| *groups.entry(k).or_default() += 1;
        match by {
            GroupBy::Status => bump(idx.status(r).to_string()),
            GroupBy::Priority => bump(format!("P{}", idx.priority(r))),
            GroupBy::Type => bump(idx.issue_type(r).to_string()),
            GroupBy::Assignee => bump(idx.assignee(r).unwrap_or("(unassigned)").to_string()),
            GroupBy::Label => {
                let mut any = false;
                for l in idx.labels(r) {
                    any = true;
                    bump(l.to_string());
                }
                if !any {
                    bump("(no labels)".into());
                }
            }
        }
    }
    (total, groups.into_iter().map(|(group, count)| Group { group, count }).collect())
}

/// The numbers `stats` reports.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Every issue but tombstones.
    pub total_issues: usize,
    /// Status `open`.
    pub open_issues: usize,
    /// Status `in_progress`.
    pub in_progress_issues: usize,
    /// Issues that are not closed and wait on an open blocker.
    pub blocked_issues: usize,
    /// Status `deferred`.
    pub deferred_issues: usize,
    /// Status `closed`.
    pub closed_issues: usize,
    /// The ready frontier's size.
    pub ready_issues: usize,
    /// Deleted issues kept as tombstones.
    pub tombstone_issues: usize,
    /// Status `pinned`.
    pub pinned_issues: usize,
    /// Open epics with at least one child, all of them closed.
    pub epics_eligible_for_closure: usize,
    /// Mean hours from creation to close, over closed issues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_lead_time_hours: Option<f64>,
}

/// Computes [`Summary`] at `now_us`.
pub fn summary(u: &Universe<'_>, a: &Analysis, now_us: i64) -> Summary {
    let mut s = Summary::default();
    let (mut lead_sum, mut lead_n) = (0f64, 0usize);
    let mut has_children = vec![false; u.slots()];
    for n in u.nodes() {
        for (t, d) in u.deps(n) {
            if let Some(t) = t.filter(|_| d.is_parent()) {
                has_children[t.0] = true;
            }
        }
    }
    for n in u.nodes() {
        let (_, idx, r) = u.locate(n);
        let code = idx.status_code(r);
        if code == status_code::TOMBSTONE {
            s.tombstone_issues += 1;
            continue;
        }
        s.total_issues += 1;
        match code {
            status_code::OPEN => s.open_issues += 1,
            status_code::IN_PROGRESS => s.in_progress_issues += 1,
            status_code::DEFERRED => s.deferred_issues += 1,
            status_code::CLOSED => s.closed_issues += 1,
            status_code::PINNED => s.pinned_issues += 1,
            _ => {}
        }
        if u.is_blocked(a, n) {
            s.blocked_issues += 1;
        }
        if u.is_ready(a, n, now_us) {
            s.ready_issues += 1;
        }
        if idx.is_epic(r) && code == status_code::OPEN && has_children[n.0] && !a.open_children[n.0] {
            s.epics_eligible_for_closure += 1;
        }
        let closed = idx.time(r, Time::Closed);
        if code == status_code::CLOSED && closed != NO_TIME {
            lead_sum += (closed - idx.time(r, Time::Created)) as f64 / 3_600_000_000.0;
            lead_n += 1;
        }
    }
    if lead_n > 0 {
        s.average_lead_time_hours = Some((lead_sum / lead_n as f64 * 10.0).round() / 10.0);
    }
    s
}
