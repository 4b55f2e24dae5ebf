//! The dependency graph: what is blocked and why, the ready frontier,
//! cycles, and dependency trees, computed with petgraph over the indexes of
//! one or more namespaces.
//!
//! Rules (see docs/design.md):
//! - `blocks`, `conditional-blocks` and `waits-for` on an issue that is not
//!   closed block; so does any dependency whose target does not resolve
//!   (reported as dangling);
//! - `parent-child` propagates: a child of a blocked parent is blocked,
//!   transitively (an open parent does not block its children). A parent
//!   counts as blocked here when it has an unfinished blocking dependency,
//!   whatever its own status, as beads_rust computes it: a parent closed over
//!   open blockers still passes the block down (the interop test against
//!   br's own numbers pins this);
//! - a parent with a child that is not closed waits for it: it is listed as
//!   blocked and is not ready (a container is done when its children are);
//! - ready = status `open`, `defer_until` not in the future, and not blocked.

use crate::store::Index;
use crate::store::index::{DepRef, NO_TIME, Time, UNRESOLVED, status_code};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{HashMap, HashSet};

/// A set of namespace indexes seen as one graph; nodes are numbered across them.
pub struct Universe<'a> {
    parts: Vec<&'a Index>,
    /// Per part, the rows that do not count (replaced by a later part).
    hidden: Vec<Option<&'a [bool]>>,
    offsets: Vec<usize>,
    total: usize,
}

/// A node: which part, which row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node(pub usize);

/// Why an issue is blocked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Blocker {
    /// A blocking dependency on an issue that is not closed.
    Dependency { id: String, dep_type: String, status: String },
    /// A dependency on an ID that resolves nowhere.
    Dangling { id: String, dep_type: String },
    /// A parent that is itself blocked.
    Parent { id: String },
    /// A child that is not closed yet.
    OpenChild { id: String, status: String },
}

impl Blocker {
    /// The ID of whatever blocks.
    pub fn id(&self) -> &str {
        match self {
            Blocker::Dependency { id, .. } | Blocker::Dangling { id, .. } | Blocker::Parent { id } | Blocker::OpenChild { id, .. } => id,
        }
    }
}

/// The result of the blocking rules over a universe.
pub struct Analysis {
    /// Blocked by a blocking dependency (directly or via a blocked parent).
    pub dep_blocked: Vec<bool>,
    /// Has at least one child that is not closed.
    pub open_children: Vec<bool>,
    /// Number of dependents (reverse edges of any type) per node.
    pub dependents: Vec<u32>,
    /// Parent -> child edges.
    family: DiGraph<(), ()>,
}

impl<'a> Universe<'a> {
    /// A universe of the given full indexes, in order.
    pub fn new(parts: Vec<&'a Index>) -> Self {
        Universe::with_hidden(parts.into_iter().map(|p| (p, None)).collect())
    }

    /// A universe of the given namespace indexes (full or layered).
    pub fn of(trees: &[&'a crate::store::TreeIndex]) -> Self {
        Universe::with_hidden(trees.iter().flat_map(|t| t.parts()).collect())
    }

    /// A universe of indexes, each with the rows it hides (if any).
    pub fn with_hidden(parts: Vec<(&'a Index, Option<&'a [bool]>)>) -> Self {
        let mut offsets = Vec::with_capacity(parts.len());
        let mut total = 0;
        for (p, _) in &parts {
            offsets.push(total);
            total += p.len();
        }
        let (parts, hidden) = parts.into_iter().unzip();
        Universe { parts, hidden, offsets, total }
    }

    /// The size of node numbering (for tables indexed by node).
    pub fn slots(&self) -> usize {
        self.total
    }

    /// Number of issues.
    pub fn len(&self) -> usize {
        self.nodes().count()
    }

    /// Whether there are no issues.
    pub fn is_empty(&self) -> bool {
        self.nodes().next().is_none()
    }

    /// The index and row of a node.
    pub fn locate(&self, n: Node) -> (usize, &'a Index, usize) {
        let part = match self.offsets.binary_search(&n.0) {
            Ok(p) => {
                // Several empty parts can share an offset; take the last one that holds n.
                let mut p = p;
                while p + 1 < self.parts.len() && self.offsets[p + 1] == n.0 {
                    p += 1;
                }
                p
            }
            Err(p) => p - 1,
        };
        (part, self.parts[part], n.0 - self.offsets[part])
    }

    fn is_hidden(&self, part: usize, row: usize) -> bool {
        self.hidden[part].is_some_and(|h| h.get(row).copied().unwrap_or(false))
    }

    /// The node of `row` in part `part`, unless it is hidden.
    pub fn node_at(&self, part: usize, row: usize) -> Option<Node> {
        (part < self.parts.len() && row < self.parts[part].len() && !self.is_hidden(part, row)).then(|| Node(self.offsets[part] + row))
    }

    /// All nodes (issues), in part order.
    pub fn nodes(&self) -> impl Iterator<Item = Node> + '_ {
        (0..self.parts.len()).flat_map(move |p| {
            let off = self.offsets[p];
            (0..self.parts[p].len()).filter(move |&r| !self.is_hidden(p, r)).map(move |r| Node(off + r))
        })
    }

    /// The node of `id`, searching parts in order.
    pub fn find(&self, id: &str) -> Option<Node> {
        for (p, idx) in self.parts.iter().enumerate() {
            if let Some(r) = idx.find(id)
                && !self.is_hidden(p, r)
            {
                return Some(Node(self.offsets[p] + r));
            }
        }
        None
    }

    pub fn id(&self, n: Node) -> &'a str {
        let (_, idx, r) = self.locate(n);
        idx.id(r)
    }

    pub fn status_code(&self, n: Node) -> u8 {
        let (_, idx, r) = self.locate(n);
        idx.status_code(r)
    }

    pub fn status(&self, n: Node) -> &'a str {
        let (_, idx, r) = self.locate(n);
        idx.status(r)
    }

    fn is_done(&self, n: Node) -> bool {
        status_code::is_done(self.status_code(n))
    }

    /// The dependencies of `n`, each with the node it resolves to (if any).
    pub fn deps(&self, n: Node) -> impl Iterator<Item = (Option<Node>, DepRef<'a>)> + '_ {
        let (p, idx, r) = self.locate(n);
        idx.deps(r).map(move |d| {
            let target = if d.target_row != UNRESOLVED && !self.is_hidden(p, d.target_row as usize) {
                Some(Node(self.offsets[p] + d.target_row as usize))
            } else if self.parts.len() > 1 {
                self.find(d.target())
            } else {
                None
            };
            (target, d)
        })
    }

    /// Applies the blocking rules to every node.
    pub fn analyze(&self) -> Analysis {
        let n = self.total;
        // Hidden slots stay isolated nodes that nothing refers to.
        let mut done = vec![false; n];
        for (p, idx) in self.parts.iter().enumerate() {
            for r in 0..idx.len() {
                done[self.offsets[p] + r] = status_code::is_done(idx.status_code(r));
            }
        }
        let mut direct = vec![false; n];
        let mut open_children = vec![false; n];
        let mut dependents = vec![0u32; n];
        // Parent -> child edges, for propagation.
        let mut edges: Vec<(u32, u32)> = Vec::new();
        for (p, idx) in self.parts.iter().enumerate() {
            let off = self.offsets[p];
            for r in (0..idx.len()).filter(|&r| !self.is_hidden(p, r)) {
                let node = off + r;
                for d in idx.deps(r) {
                    let target = if d.target_row != UNRESOLVED && !self.is_hidden(p, d.target_row as usize) {
                        Some(off + d.target_row as usize)
                    } else if self.parts.len() > 1 {
                        self.find(d.target()).map(|t| t.0)
                    } else {
                        None
                    };
                    if let Some(t) = target {
                        dependents[t] += 1;
                    }
                    if d.is_parent() {
                        match target {
                            Some(parent) => {
                                edges.push((parent as u32, node as u32));
                                if !done[node] {
                                    open_children[parent] = true;
                                }
                            }
                            None => direct[node] = true,
                        }
                    } else if d.is_blocking() && !target.is_some_and(|t| done[t]) {
                        direct[node] = true;
                    }
                }
            }
        }
        let mut family: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
        for _ in 0..n {
            family.add_node(());
        }
        family.extend_with_edges(edges);
        // Propagate down parent -> child edges from every directly blocked node.
        let mut dep_blocked = vec![false; n];
        let starts: Vec<usize> = (0..n).filter(|&i| direct[i]).collect();
        let mut queue: std::collections::VecDeque<usize> = starts.into_iter().collect();
        for &s in &queue {
            dep_blocked[s] = true;
        }
        while let Some(x) = queue.pop_front() {
            for child in family.neighbors(NodeIndex::new(x)) {
                let c = child.index();
                if !dep_blocked[c] {
                    dep_blocked[c] = true;
                    queue.push_back(c);
                }
            }
        }
        for i in 0..n {
            if direct[i] {
                dep_blocked[i] = true;
            }
        }
        Analysis { dep_blocked, open_children, dependents, family }
    }

    /// Why `n` is blocked (empty when it is not), given an analysis.
    pub fn blockers(&self, a: &Analysis, n: Node) -> Vec<Blocker> {
        if self.is_done(n) {
            return Vec::new();
        }
        let mut out = self.dependency_blockers(n, |parent| a.dep_blocked[parent.0]);
        if a.open_children[n.0] {
            for child in self.children(a, n) {
                if !self.is_done(child) {
                    out.push(Blocker::OpenChild { id: self.id(child).to_string(), status: self.status(child).to_string() });
                }
            }
        }
        out
    }

    /// Why `n` is blocked, computed for `n` alone (its ancestors and its
    /// children) instead of for the whole graph: what a write that checks one
    /// issue needs. Gives the same answer as [`Universe::blockers`].
    pub fn blockers_of(&self, n: Node) -> Vec<Blocker> {
        if self.is_done(n) {
            return Vec::new();
        }
        let mut out = self.dependency_blockers(n, |parent| self.dep_blocked_from(parent, &mut HashSet::new()));
        let mut children: Vec<Node> =
            self.nodes().filter(|&m| !self.is_done(m) && self.deps(m).any(|(t, d)| t == Some(n) && d.is_parent())).collect();
        children.sort_by(|a, b| self.id(*a).cmp(self.id(*b)));
        children.dedup();
        for c in children {
            out.push(Blocker::OpenChild { id: self.id(c).to_string(), status: self.status(c).to_string() });
        }
        out
    }

    /// The blockers of `n` through its own dependencies: dangling targets,
    /// unfinished blocking ones, and a parent `parent_blocked` says is blocked.
    fn dependency_blockers(&self, n: Node, parent_blocked: impl Fn(Node) -> bool) -> Vec<Blocker> {
        let mut out = Vec::new();
        for (target, d) in self.deps(n) {
            let (id, ty) = (d.target(), d.dep_type());
            match target {
                None if d.is_blocking() || d.is_parent() => out.push(Blocker::Dangling { id: id.to_string(), dep_type: ty.to_string() }),
                Some(t) if d.is_parent() && parent_blocked(t) => out.push(Blocker::Parent { id: id.to_string() }),
                Some(t) if d.is_blocking() && !self.is_done(t) => {
                    out.push(Blocker::Dependency { id: id.to_string(), dep_type: ty.to_string(), status: self.status(t).to_string() })
                }
                _ => {}
            }
        }
        out
    }

    /// Whether `n` has an unfinished blocking dependency, itself or through
    /// its ancestors (the `dep_blocked` of [`Analysis`]).
    fn dep_blocked_from(&self, n: Node, seen: &mut HashSet<Node>) -> bool {
        if !seen.insert(n) {
            return false;
        }
        let mut parents = Vec::new();
        for (target, d) in self.deps(n) {
            match target {
                None if d.is_blocking() || d.is_parent() => return true,
                Some(t) if d.is_blocking() && !self.is_done(t) => return true,
                Some(t) if d.is_parent() => parents.push(t),
                _ => {}
            }
        }
        parents.into_iter().any(|p| self.dep_blocked_from(p, seen))
    }

    /// The nodes with a `parent-child` dependency on `n`, by ID.
    pub fn children(&self, a: &Analysis, n: Node) -> Vec<Node> {
        let mut out: Vec<Node> = a.family.neighbors(NodeIndex::new(n.0)).map(|c| Node(c.index())).collect();
        out.sort_by(|x, y| self.id(*x).cmp(self.id(*y)));
        out.dedup();
        out
    }

    /// Whether `n` is blocked under the rules (by dependencies, a parent, or open children).
    pub fn is_blocked(&self, a: &Analysis, n: Node) -> bool {
        !self.is_done(n) && (a.dep_blocked[n.0] || a.open_children[n.0])
    }

    /// Whether `n` is ready at `now_us` (microseconds since the epoch).
    pub fn is_ready(&self, a: &Analysis, n: Node, now_us: i64) -> bool {
        let (_, idx, r) = self.locate(n);
        if idx.status_code(r) != status_code::OPEN {
            return false;
        }
        let defer = idx.time(r, Time::DeferUntil);
        if defer != NO_TIME && defer > now_us {
            return false;
        }
        !a.dep_blocked[n.0] && !a.open_children[n.0]
    }

    /// The dependency graph over blocking and parent-child edges (issue -> what it depends on).
    fn blocking_graph(&self) -> DiGraph<(), ()> {
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(self.total, self.total);
        for _ in 0..self.total {
            g.add_node(());
        }
        for node in self.nodes() {
            for (target, d) in self.deps(node) {
                if let Some(t) = target
                    && (d.is_blocking() || d.is_parent())
                {
                    g.add_edge(NodeIndex::new(node.0), NodeIndex::new(t.0), ());
                }
            }
        }
        g
    }

    /// Every dependency cycle (over blocking and parent-child edges), each as
    /// a closed walk of IDs starting at its smallest ID, sorted.
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let g = self.blocking_graph();
        let mut out = Vec::new();
        for scc in petgraph::algo::tarjan_scc(&g) {
            let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let members: HashSet<NodeIndex> = scc.iter().copied().collect();
            let start = *scc.iter().min_by(|a, b| self.id(Node(a.index())).cmp(self.id(Node(b.index())))).expect("non-empty scc");
            let path = path_within(&g, start, start, &members).unwrap_or_else(|| vec![start, start]);
            out.push(path.into_iter().map(|x| self.id(Node(x.index())).to_string()).collect::<Vec<_>>());
        }
        out.sort();
        out
    }

    /// The cycle that an edge `from -> to` (from depends on to) would close, if any.
    pub fn would_cycle(&self, from: Node, to: Node) -> Option<Vec<String>> {
        if from == to {
            return Some(vec![self.id(from).to_string(), self.id(from).to_string()]);
        }
        let g = self.blocking_graph();
        let all: HashSet<NodeIndex> = g.node_indices().collect();
        let back = path_within(&g, NodeIndex::new(to.0), NodeIndex::new(from.0), &all)?;
        let mut cycle = vec![self.id(from).to_string()];
        cycle.extend(back.into_iter().map(|x| self.id(Node(x.index())).to_string()));
        Some(cycle)
    }
}

/// A shortest path from `start` to `goal` (at least one edge) staying inside `allowed`.
fn path_within(g: &DiGraph<(), ()>, start: NodeIndex, goal: NodeIndex, allowed: &HashSet<NodeIndex>) -> Option<Vec<NodeIndex>> {
    let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = std::collections::VecDeque::new();
    for next in g.neighbors(start) {
        if allowed.contains(&next) && !prev.contains_key(&next) {
            prev.insert(next, start);
            queue.push_back(next);
        }
    }
    while let Some(x) = queue.pop_front() {
        if x == goal {
            let mut path = vec![goal];
            let mut cur = goal;
            loop {
                let p = prev[&cur];
                path.push(p);
                if p == start {
                    break;
                }
                cur = p;
            }
            path.reverse();
            return Some(path);
        }
        for next in g.neighbors(x) {
            if allowed.contains(&next) && !prev.contains_key(&next) {
                prev.insert(next, x);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Orders for the ready list, as beads defines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReadySort {
    /// Issues created in the last 48 hours first, by priority; then older
    /// ones, oldest first (so nothing starves).
    #[default]
    Hybrid,
    /// Most urgent first, newest first within a priority.
    Priority,
    /// Oldest first.
    Oldest,
}

/// Sorts `nodes` by `policy` at time `now_us`; ties go to the smaller ID.
pub fn sort_ready(u: &Universe<'_>, nodes: &mut [Node], policy: ReadySort, now_us: i64) {
    const RECENT_US: i64 = 48 * 3600 * 1_000_000;
    let mut keyed: Vec<(u8, i64, Node)> = nodes
        .iter()
        .map(|&n| {
            let (_, idx, r) = u.locate(n);
            (idx.priority(r), idx.time(r, Time::Created), n)
        })
        .collect();
    keyed.sort_by(|&(pa, ca, a), &(pb, cb, b)| {
        let by_id = || u.id(a).cmp(u.id(b));
        match policy {
            ReadySort::Oldest => ca.cmp(&cb).then_with(by_id),
            ReadySort::Priority => pa.cmp(&pb).then(cb.cmp(&ca)).then_with(by_id),
            ReadySort::Hybrid => {
                let ra = now_us - ca <= RECENT_US;
                let rb = now_us - cb <= RECENT_US;
                rb.cmp(&ra).then_with(|| if ra && rb { pa.cmp(&pb) } else { std::cmp::Ordering::Equal }).then(ca.cmp(&cb)).then_with(by_id)
            }
        }
    });
    for (slot, (_, _, n)) in nodes.iter_mut().zip(keyed) {
        *slot = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepType, Dependency, Issue, IssueType, Status, Timestamp};
    use crate::store::index::{Bytes, IndexBuilder};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    struct Fixture(Vec<Issue>);

    impl Fixture {
        fn new() -> Self {
            Fixture(Vec::new())
        }
        fn add(&mut self, id: &str, status: Status, deps: &[(&str, DepType)]) -> &mut Issue {
            let mut i = Issue::new(id.into(), id.into(), t("2026-01-01T00:00:00Z"));
            i.set_status(status, t("2026-01-02T00:00:00Z"));
            for (d, ty) in deps {
                i.add_dependency(Dependency::new(*d, ty.clone()));
            }
            self.0.push(i);
            self.0.last_mut().unwrap()
        }
        fn index(&self) -> Index {
            let mut b = IndexBuilder::new(gix::ObjectId::empty_tree(gix::hash::Kind::Sha1), self.0.len());
            for i in &self.0 {
                b.push_issue(i, gix::ObjectId::null(gix::hash::Kind::Sha1));
            }
            Index::open(Bytes::Owned(b.finish())).unwrap()
        }
    }

    fn sets(idx: &Index, now: &str) -> (Vec<String>, Vec<String>) {
        let u = Universe::new(vec![idx]);
        let a = u.analyze();
        let now = t(now).as_micros();
        let ready = u.nodes().filter(|&n| u.is_ready(&a, n, now)).map(|n| u.id(n).to_string()).collect();
        let blocked = u.nodes().filter(|&n| u.is_blocked(&a, n)).map(|n| u.id(n).to_string()).collect();
        (ready, blocked)
    }

    use DepType::*;
    use Status::*;

    #[test]
    fn blocks_until_closed() {
        let mut f = Fixture::new();
        f.add("a", Open, &[("b", Blocks)]);
        f.add("b", Open, &[]);
        f.add("c", Open, &[("d", Blocks)]);
        f.add("d", Closed, &[]);
        f.add("e", Open, &[("b", Related), ("b2", DiscoveredFrom)]);
        let (ready, blocked) = sets(&f.index(), "2026-06-01T00:00:00Z");
        assert_eq!(ready, ["b", "c", "e"]);
        assert_eq!(blocked, ["a"]);
    }

    #[test]
    fn in_progress_blocks_and_is_not_ready() {
        let mut f = Fixture::new();
        f.add("a", Open, &[("b", WaitsFor)]);
        f.add("b", InProgress, &[]);
        let (ready, blocked) = sets(&f.index(), "2026-06-01T00:00:00Z");
        assert!(ready.is_empty());
        assert_eq!(blocked, ["a"]);
    }

    #[test]
    fn dangling_dependencies_block() {
        let mut f = Fixture::new();
        f.add("a", Open, &[("nowhere-1", Blocks)]);
        let idx = f.index();
        let u = Universe::new(vec![&idx]);
        let a = u.analyze();
        assert!(u.is_blocked(&a, Node(0)));
        assert_eq!(u.blockers(&a, Node(0)), [Blocker::Dangling { id: "nowhere-1".into(), dep_type: "blocks".into() }]);
    }

    #[test]
    fn blocked_parent_blocks_children_transitively_open_parent_does_not() {
        let mut f = Fixture::new();
        f.add("blocker", Open, &[]);
        f.add("epic", Open, &[("blocker", Blocks)]).issue_type = IssueType::Epic;
        f.add("child", Open, &[("epic", ParentChild)]);
        f.add("grandchild", Open, &[("child", ParentChild)]);
        f.add("epic2", Open, &[]).issue_type = IssueType::Epic;
        f.add("child2", Open, &[("epic2", ParentChild)]);
        let idx = f.index();
        let (ready, blocked) = sets(&idx, "2026-06-01T00:00:00Z");
        assert_eq!(ready, ["blocker", "child2"]);
        assert_eq!(blocked, ["child", "epic", "epic2", "grandchild"]);
        let u = Universe::new(vec![&idx]);
        let a = u.analyze();
        let gc = u.find("grandchild").unwrap();
        assert_eq!(u.blockers(&a, gc), [Blocker::Parent { id: "child".into() }]);
        let e2 = u.find("epic2").unwrap();
        assert_eq!(u.blockers(&a, e2), [Blocker::OpenChild { id: "child2".into(), status: "open".into() }]);
    }

    #[test]
    fn parent_is_ready_once_children_close() {
        let mut f = Fixture::new();
        f.add("epic", Open, &[]).issue_type = IssueType::Epic;
        f.add("c1", Closed, &[("epic", ParentChild)]);
        f.add("c2", Closed, &[("epic", ParentChild)]);
        let (ready, blocked) = sets(&f.index(), "2026-06-01T00:00:00Z");
        assert_eq!(ready, ["epic"]);
        assert!(blocked.is_empty());
    }

    #[test]
    fn deferral_hides_from_ready_until_its_time() {
        let mut f = Fixture::new();
        f.add("later", Open, &[]).defer_until = Some(t("2026-07-01T00:00:00Z"));
        f.add("parked", Deferred, &[]);
        assert!(sets(&f.index(), "2026-06-01T00:00:00Z").0.is_empty());
        assert_eq!(sets(&f.index(), "2026-07-02T00:00:00Z").0, ["later"]);
    }

    #[test]
    fn a_parent_closed_over_open_blockers_still_blocks_its_children() {
        // br's rule: the parent's blockers count whatever the parent's status.
        let mut f = Fixture::new();
        f.add("x", Open, &[]);
        f.add("gp", Open, &[("x", Blocks)]);
        f.add("p", Closed, &[("gp", ParentChild)]);
        f.add("c", Open, &[("p", ParentChild)]);
        f.add("q", Closed, &[]);
        f.add("d", Open, &[("q", ParentChild)]);
        let (ready, blocked) = sets(&f.index(), "2026-06-01T00:00:00Z");
        assert_eq!(ready, ["d", "x"]);
        assert_eq!(blocked, ["c", "gp"]);
    }

    #[test]
    fn local_blockers_agree_with_the_whole_graph_analysis() {
        let mut rng = fastrand::Rng::with_seed(11);
        for round in 0..200 {
            let mut f = Fixture::new();
            let n = rng.usize(2..14);
            let names: Vec<String> = (0..n).map(|i| format!("i{i:02}")).collect();
            for name in &names {
                let status = match rng.u8(0..5) {
                    0 => Closed,
                    1 => InProgress,
                    _ => Open,
                };
                let mut deps = Vec::new();
                for _ in 0..rng.usize(0..3) {
                    let target = if rng.u8(0..10) == 0 { "missing".to_string() } else { names[rng.usize(0..n)].clone() };
                    let ty = match rng.u8(0..4) {
                        0 => ParentChild,
                        1 => Related,
                        2 => WaitsFor,
                        _ => Blocks,
                    };
                    deps.push((target, ty));
                }
                let deps: Vec<(&str, DepType)> = deps.iter().map(|(t, ty)| (t.as_str(), ty.clone())).collect();
                f.add(name, status, &deps);
            }
            let idx = f.index();
            let u = Universe::new(vec![&idx]);
            let a = u.analyze();
            for node in u.nodes() {
                assert_eq!(u.blockers_of(node), u.blockers(&a, node), "round {round}, {}", u.id(node));
            }
        }
    }

    #[test]
    fn cycles_are_found_and_would_be_cycles_named() {
        let mut f = Fixture::new();
        f.add("a", Open, &[("b", Blocks)]);
        f.add("b", Open, &[("c", Blocks)]);
        f.add("c", Open, &[("a", WaitsFor)]);
        f.add("d", Open, &[("e", Related)]);
        f.add("e", Open, &[("d", Related)]);
        f.add("f", Open, &[]);
        let idx = f.index();
        let u = Universe::new(vec![&idx]);
        assert_eq!(u.cycles(), vec![vec!["a", "b", "c", "a"]]);
        let (fnode, anode) = (u.find("f").unwrap(), u.find("a").unwrap());
        assert_eq!(u.would_cycle(anode, fnode), None);
        assert_eq!(u.would_cycle(fnode, fnode), Some(vec!["f".into(), "f".into()]));
        let b = u.find("b").unwrap();
        // c already depends on a; making a depend on... b -> a: b depends on a closes b->c->a->b.
        assert_eq!(u.would_cycle(b, anode), Some(vec!["b".into(), "a".into(), "b".into()]));
    }

    #[test]
    fn hybrid_sort_puts_recent_by_priority_then_oldest() {
        let mut f = Fixture::new();
        let mk = |f: &mut Fixture, id: &str, p: u8, created: &str| {
            let i = f.add(id, Open, &[]);
            i.priority = crate::model::Priority::new(p).unwrap();
            i.created_at = t(created);
        };
        mk(&mut f, "old-p3", 3, "2026-01-01T00:00:00Z");
        mk(&mut f, "old-p0", 0, "2026-02-01T00:00:00Z");
        mk(&mut f, "new-p2", 2, "2026-06-01T10:00:00Z");
        mk(&mut f, "new-p1", 1, "2026-06-01T11:00:00Z");
        let idx = f.index();
        let u = Universe::new(vec![&idx]);
        let now = t("2026-06-02T00:00:00Z").as_micros();
        let order = |p| {
            let mut v: Vec<Node> = u.nodes().collect();
            sort_ready(&u, &mut v, p, now);
            v.into_iter().map(|n| u.id(n)).collect::<Vec<_>>()
        };
        assert_eq!(order(ReadySort::Hybrid), ["new-p1", "new-p2", "old-p3", "old-p0"]);
        assert_eq!(order(ReadySort::Priority), ["old-p0", "new-p1", "new-p2", "old-p3"]);
        assert_eq!(order(ReadySort::Oldest), ["old-p3", "old-p0", "new-p2", "new-p1"]);
    }
}
