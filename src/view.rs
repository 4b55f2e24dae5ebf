//! A view: the namespaces a command reads together (by default the current
//! branch's, the canonical one, and planning), with the graph over all of
//! them, each issue's namespace and visibility, and ID resolution with seed
//! 002's grammar:
//!
//! | typed | means |
//! |---|---|
//! | `bd-a3f2`, `a3f2`, `a3f` | that issue (any unique prefix), current branch first |
//! | `fix-auth-a3f2` | hash `a3f2` in branch `fix-auth`'s namespace |
//! | `proj:c4d8` | hash `c4d8` in project `proj`'s canonical namespace (this project, or a remote named `proj`) |
//! | `proj:fix-auth-a3f2` | hash `a3f2` in branch `fix-auth` of project `proj` |
//!
//! When one ID names copies of the same issue in several namespaces (the
//! same blob, or a planning or branch copy that upstream accepted), the view shows
//! the most authoritative copy only. Different issues under one ID in
//! several namespaces are all shown, and typing that ID is an error that
//! names them and asks for the qualified form (unless the current branch's
//! namespace has it: the current context wins).

use crate::graph::{Node, Universe};
use crate::model::{self, Issue, id};
use crate::store::{Error, Kind, Namespace, REF_ROOT, Result, Snapshot, Store, TreeIndex};
use std::collections::HashSet;

/// Several namespace snapshots read as one.
pub struct View {
    /// In precedence order: the current context first.
    pub snapshots: Vec<Snapshot>,
    /// Per universe part: rows hidden (replaced by a delta, or a duplicate
    /// copy of an issue shown from a more authoritative namespace).
    hidden: Vec<Vec<bool>>,
    /// IDs currently offered in a proposal (local or fetched).
    proposed: HashSet<String>,
    /// Proposal namespaces that could not be read, and why.
    skipped: Vec<(Namespace, String)>,
    canonical: Namespace,
    project: String,
    prefix: String,
}

/// Where a node lives.
pub struct Located<'v> {
    pub snapshot: &'v Snapshot,
    pub row: usize,
}

/// How far an issue has travelled (seed 000's visibility states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only in a branch or planning namespace.
    Local,
    /// Offered in a proposal.
    Proposed,
    /// In the canonical namespace (or a planning copy that upstream accepted).
    Canonical,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Local => "local",
            Visibility::Proposed => "proposed",
            Visibility::Canonical => "canonical",
        }
    }
}

/// How authoritative a namespace is when copies of one issue appear in several.
fn authority(ns: &Namespace, canonical: &Namespace) -> u8 {
    if ns == canonical {
        return 0;
    }
    match ns.kind() {
        Kind::Branch(_) => 1,
        Kind::Planning(_) => 2,
        Kind::Proposal(_) => 3,
        _ => 4,
    }
}

impl View {
    /// The view of the given namespaces (current context first), each at its current tip.
    pub fn open(store: &Store, namespaces: &[Namespace]) -> Result<View> {
        let mut seen = HashSet::new();
        let snapshots =
            namespaces.iter().filter(|ns| seen.insert((*ns).clone())).map(|ns| store.snapshot(ns)).collect::<Result<Vec<_>>>()?;
        let mut proposed = HashSet::new();
        let mut skipped = Vec::new();
        for ns in store.namespaces()? {
            let is_proposal = match ns.kind() {
                Kind::Proposal(_) => true,
                Kind::Tracking { rest, .. } => rest.starts_with("proposals/"),
                _ => false,
            };
            if is_proposal {
                // A proposal ref that cannot be read (a fetched ref that is
                // not a namespace) only loses its "proposed" marks.
                match store.snapshot(&ns) {
                    Ok(snap) => proposed.extend(snap.index.ids().map(str::to_string)),
                    Err(e) => skipped.push((ns.clone(), crate::store::cache::error_chain(&e))),
                }
            }
        }
        let mut view = View {
            snapshots,
            hidden: Vec::new(),
            proposed,
            skipped,
            canonical: store.canonical()?,
            project: store.project(),
            prefix: store.prefix(),
        };
        view.dedupe();
        Ok(view)
    }

    /// Adds the namespace `ns` to the view (if not there), last in precedence.
    pub fn add(&mut self, store: &Store, ns: &Namespace) -> Result<()> {
        if !self.snapshots.iter().any(|s| s.namespace == *ns) {
            self.snapshots.push(store.snapshot(ns)?);
            self.dedupe();
        }
        Ok(())
    }

    /// Hides, per ID, every copy but the most authoritative one when the
    /// copies are the same issue (same blob, or an accepted planning or branch copy).
    fn dedupe(&mut self) {
        self.hidden = self
            .snapshots
            .iter()
            .flat_map(|s| s.index.parts().into_iter().map(|(idx, h)| h.map(<[bool]>::to_vec).unwrap_or_else(|| vec![false; idx.len()])))
            .collect();
        if self.snapshots.len() < 2 {
            return;
        }
        // First part of each snapshot in the part list.
        let mut first_part = Vec::new();
        let mut p = 0;
        for s in &self.snapshots {
            first_part.push(p);
            p += s.index.parts().len();
        }
        let part_of = |si: usize, t: &TreeIndex, row: crate::store::layered::Row<'_>| {
            let k = if t.delta().is_some_and(|d| std::ptr::eq(&**d, row.index)) { 1 } else { 0 };
            first_part[si] + k
        };
        let mut hide = Vec::new();
        for (i, a) in self.snapshots.iter().enumerate() {
            for (j, b) in self.snapshots.iter().enumerate().skip(i + 1) {
                // Walk the smaller namespace, look up in the larger one.
                let (small, si, large, li) = if a.index.len() <= b.index.len() { (a, i, b, j) } else { (b, j, a, i) };
                for row in small.index.rows() {
                    let id = row.index.id(row.row);
                    let Some(other) = large.index.find(id) else { continue };
                    let same_blob = row.index.blob(row.row) == other.index.blob(other.row);
                    let accepted_copy = |s: &Snapshot, r: crate::store::layered::Row<'_>| {
                        matches!(s.namespace.kind(), Kind::Planning(_) | Kind::Branch(_)) && r.index.is_accepted_copy(r.row)
                    };
                    let (sa, la) = (authority(&small.namespace, &self.canonical), authority(&large.namespace, &self.canonical));
                    let (loser, lrow) = if same_blob || (accepted_copy(small, row) && la == 0) || (accepted_copy(large, other) && sa == 0) {
                        if sa <= la { (li, other) } else { (si, row) }
                    } else {
                        continue;
                    };
                    let snap = &self.snapshots[loser];
                    hide.push((part_of(loser, &snap.index, lrow), lrow.row));
                }
            }
        }
        for (part, row) in hide {
            if let Some(slot) = self.hidden.get_mut(part).and_then(|h| h.get_mut(row)) {
                *slot = true;
            }
        }
    }

    /// The graph over every issue in the view.
    pub fn universe(&self) -> Universe<'_> {
        let parts: Vec<_> = self
            .snapshots
            .iter()
            .flat_map(|s| s.index.parts().into_iter().map(|(idx, _)| idx))
            .zip(self.hidden.iter())
            .map(|(idx, h)| (idx, Some(h.as_slice())))
            .collect();
        Universe::with_hidden(parts)
    }

    /// The index part a node lives in, shared (it outlives the universe),
    /// and the node's row in it.
    pub fn shared_index(&self, u: &Universe<'_>, n: Node) -> (std::sync::Arc<crate::store::Index>, usize) {
        let (part, _, row) = u.locate(n);
        let mut first = 0;
        for s in &self.snapshots {
            let mut arcs = vec![s.index.base().clone()];
            arcs.extend(s.index.delta().cloned());
            if part < first + arcs.len() {
                return (arcs.swap_remove(part - first), row);
            }
            first += arcs.len();
        }
        unreachable!("every universe part belongs to a snapshot of the view")
    }

    /// The snapshot a node belongs to, and its row in its index part.
    pub fn locate<'v>(&'v self, u: &Universe<'_>, n: Node) -> Located<'v> {
        let (part, _, row) = u.locate(n);
        // Each snapshot contributes one part, or two (a base and a delta).
        let mut first = 0;
        for s in &self.snapshots {
            let parts = s.index.parts().len();
            if part < first + parts {
                return Located { snapshot: s, row };
            }
            first += parts;
        }
        unreachable!("every universe part belongs to a snapshot of the view")
    }

    /// The namespace a node is in.
    pub fn namespace_of<'v>(&'v self, u: &Universe<'_>, n: Node) -> &'v Namespace {
        &self.locate(u, n).snapshot.namespace
    }

    /// How far the issue at `n` has travelled.
    pub fn visibility(&self, u: &Universe<'_>, n: Node) -> Visibility {
        let ns = self.namespace_of(u, n);
        if *ns == self.canonical {
            return Visibility::Canonical;
        }
        if matches!(ns.kind(), Kind::Proposal(_)) {
            return Visibility::Proposed;
        }
        let (_, idx, row) = u.locate(n);
        if idx.is_accepted_copy(row) {
            Visibility::Canonical
        } else if self.proposed.contains(idx.id(row)) {
            Visibility::Proposed
        } else {
            Visibility::Local
        }
    }

    /// Whether the view reads more than one namespace.
    pub fn is_multi(&self) -> bool {
        self.snapshots.len() > 1
    }

    /// The qualified form of `id` in `ns` (seed 002): `branch-hash` for a
    /// branch namespace, the plain ID for the canonical one.
    pub fn qualified(&self, ns: &Namespace, id: &str) -> String {
        match ns.kind() {
            // Canonical too: the plain ID is what was ambiguous.
            Kind::Branch(b) => format!("{b}-{}", id::hash_part(id)),
            _ => format!("{id} (--ns {})", ns.short()),
        }
    }

    /// Adds to the view the namespaces that `inputs` name explicitly
    /// (`branch-hash`, `project:...`) or that hold an ID the view lacks, so
    /// that [`View::resolve`] can find them.
    pub fn widen_for(&mut self, store: &Store, inputs: &[&str]) -> Result<()> {
        for input in inputs {
            let input = input.trim();
            if let Some((ns, _)) = self.qualified_target(store, input)? {
                self.add(store, &ns)?;
                continue;
            }
            if self.names_something(input) || id::validate_id(input).is_err() {
                continue;
            }
            // Stays reachable by its full ID from any local namespace.
            for ns in store.issue_namespaces()? {
                if store.tip(&ns)?.is_some() && store.snapshot(&ns)?.index.find(input).is_some() {
                    self.add(store, &ns)?;
                }
            }
        }
        Ok(())
    }

    /// For a qualified input, the namespace it names and the part left to
    /// match there. `None` for plain input.
    fn qualified_target(&self, store: &Store, input: &str) -> Result<Option<(Namespace, String)>> {
        if let Some((project, rest)) = input.split_once(':') {
            let ours = project.eq_ignore_ascii_case(&self.project) || project.eq_ignore_ascii_case(&self.prefix);
            let remote_ns = |branch: &str| Namespace::from_ref(&format!("{REF_ROOT}remotes/{project}/heads/{branch}"));
            let (branch, needle) = match split_branch(rest, |b| {
                if ours {
                    Namespace::branch(b).ok().is_some_and(|ns| store.tip(&ns).ok().flatten().is_some())
                } else {
                    remote_ns(b).ok().is_some_and(|ns| store.tip(&ns).ok().flatten().is_some())
                }
            }) {
                Some((b, h)) => (Some(b), h),
                None => (None, rest.to_string()),
            };
            let ns = if ours {
                match branch {
                    Some(b) => Namespace::branch(&b)?,
                    None => self.canonical.clone(),
                }
            } else {
                let branch = match branch {
                    Some(b) => b,
                    None => remote_default_branch(store, project)?,
                };
                remote_ns(&branch)?
            };
            return Ok(Some((ns, needle)));
        }
        // `branch-hash` when the plain form names nothing.
        if self.names_something(input) {
            return Ok(None);
        }
        Ok(split_branch(input, |b| Namespace::branch(b).ok().is_some_and(|ns| store.tip(&ns).ok().flatten().is_some()))
            .map(|(b, h)| (Namespace::branch(&b).expect("checked by split_branch"), h)))
    }

    /// Whether `input` is a qualified reference into another project
    /// (`other:f6g7`, where `other` is neither this project's name nor its
    /// prefix). A dependency on one is kept as written when the other
    /// project is not fetched here.
    pub fn is_foreign(&self, input: &str) -> bool {
        input.trim().split_once(':').is_some_and(|(p, _)| !p.eq_ignore_ascii_case(&self.project) && !p.eq_ignore_ascii_case(&self.prefix))
    }

    /// What a dependency on `input` is stored as: the ID it resolves to; or
    /// for a reference into another project that cannot be resolved here,
    /// the reference as written. Widens the view as needed.
    pub fn dependency_target(&mut self, store: &Store, input: &str) -> Result<String> {
        let input = input.trim();
        let foreign = self.is_foreign(input);
        match self.widen_for(store, &[input]) {
            Err(_) if foreign => return Ok(input.to_string()),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        let u = self.universe();
        match self.resolve(store, &u, input) {
            Ok(n) => Ok(u.id(n).to_string()),
            Err(Error::NotFound { .. }) if foreign => Ok(input.to_string()),
            Err(e) => Err(e),
        }
    }

    /// Whether plain `input` matches an ID of the view (exactly, by hash or
    /// as a prefix), hidden copies included: one lookup per namespace when
    /// it is a whole ID, else a byte scan.
    fn names_something(&self, input: &str) -> bool {
        self.snapshots.iter().any(|s| s.index.find(input).is_some())
            || self.snapshots.iter().any(|s| s.index.id_bytes().any(|i| id::matches_bytes(input.as_bytes(), i).is_some()))
    }

    /// Resolves a typed ID (see the module documentation) to a node.
    pub fn resolve(&self, store: &Store, u: &Universe<'_>, input: &str) -> Result<Node> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Error::Id(model::id::IdError { id: String::new(), reason: "it is empty" }));
        }
        let (only, needle) = match self.qualified_target(store, input)? {
            Some((ns, needle)) => (Some(ns), needle),
            None => (None, input.to_string()),
        };
        // Matches per namespace, in view order.
        let mut found: Vec<(usize, Node)> = Vec::new();
        for (si, s) in self.snapshots.iter().enumerate() {
            if only.as_ref().is_some_and(|ns| *ns != s.namespace) {
                continue;
            }
            if let Some(n) = s.index.find(&needle).and_then(|r| self.node_of(u, si, r)) {
                found.push((si, n));
                continue;
            }
            // Match bytes first; only the few matches are checked for visibility.
            let visible = s
                .index
                .rows()
                .filter(|r| id::matches_bytes(needle.as_bytes(), r.index.id_bytes(r.row)).is_some())
                .filter(|r| self.node_of(u, si, *r).is_some())
                .map(|r| r.index.id_bytes(r.row));
            match id::resolve_bytes(&needle, visible) {
                id::Resolution::Found(id) => {
                    if let Some(n) = s.index.find(&id).and_then(|r| self.node_of(u, si, r)) {
                        found.push((si, n));
                    }
                }
                id::Resolution::NotFound => {}
                id::Resolution::Ambiguous(candidates) => return Err(Error::Ambiguous { input: input.to_string(), candidates }),
            }
        }
        match found.as_slice() {
            [] => Err(self.not_found(input)),
            [(_, n)] => Ok(*n),
            // The current context wins (seed 002: `a3f2` is the current branch's).
            [(0, n), ..]
                if only.is_none()
                    && matches!(self.snapshots[0].namespace.kind(), Kind::Branch(_))
                    && self.snapshots[0].namespace != self.canonical =>
            {
                Ok(*n)
            }
            many => {
                let ids: HashSet<&str> = many.iter().map(|(_, n)| u.id(*n)).collect();
                if ids.len() > 1 {
                    let mut candidates: Vec<String> = ids.into_iter().map(str::to_string).collect();
                    candidates.sort();
                    return Err(Error::Ambiguous { input: input.to_string(), candidates });
                }
                let places: Vec<String> = many.iter().map(|(si, _)| self.snapshots[*si].namespace.to_string()).collect();
                let forms: Vec<String> = many.iter().map(|(si, n)| self.qualified(&self.snapshots[*si].namespace, u.id(*n))).collect();
                Err(Error::InSeveralNamespaces { id: u.id(many[0].1).to_string(), namespaces: places, forms })
            }
        }
    }

    /// The node of a row of snapshot `si`, unless the view hides it.
    pub fn node_of(&self, u: &Universe<'_>, si: usize, row: crate::store::layered::Row<'_>) -> Option<Node> {
        let first: usize = self.snapshots[..si].iter().map(|s| s.index.parts().len()).sum();
        let s = &self.snapshots[si];
        let k = if s.index.delta().is_some_and(|d| std::ptr::eq(&**d, row.index)) { 1 } else { 0 };
        u.node_at(first + k, row.row)
    }

    fn not_found(&self, input: &str) -> Error {
        // An ID whose blob exists but cannot be read gets a precise error.
        for snap in &self.snapshots {
            for e in snap.index.invalid() {
                if model::id::id_from_path(&e.path).is_some_and(|id| id.eq_ignore_ascii_case(input)) {
                    return Error::Unreadable {
                        id: input.to_string(),
                        namespace: snap.namespace.to_string(),
                        path: e.path,
                        blob: e.blob,
                        reason: e.error,
                    };
                }
            }
        }
        let names: Vec<&str> = self.snapshots.iter().map(|s| s.namespace.refname()).collect();
        Error::NotFound { id: input.to_string(), namespace: names.join(", ") }
    }

    /// The full issue behind a node (reads its blob).
    pub fn issue(&self, store: &Store, u: &Universe<'_>, n: Node) -> Result<Issue> {
        let loc = self.locate(u, n);
        let (_, idx, row) = u.locate(n);
        let id = idx.id(row);
        store.read_issue(&loc.snapshot.namespace, &model::id::blob_path(id), idx.blob(row))
    }

    /// Namespaces the view looked at for proposal marks but could not read.
    pub fn skipped(&self) -> &[(Namespace, String)] {
        &self.skipped
    }

    /// Blobs that could not be read, per namespace.
    pub fn invalid(&self) -> Vec<(Namespace, crate::store::index::InvalidEntry)> {
        self.snapshots.iter().flat_map(|s| s.index.invalid().into_iter().map(move |e| (s.namespace.clone(), e))).collect()
    }
}

/// Splits `branch-hash` at a `-` such that `exists(branch)`, trying the
/// longest branch first (branch names may hold dashes; hashes do not).
fn split_branch(input: &str, exists: impl Fn(&str) -> bool) -> Option<(String, String)> {
    let mut cut = input.len();
    while let Some(pos) = input[..cut].rfind('-') {
        let (branch, hash) = (&input[..pos], &input[pos + 1..]);
        if !branch.is_empty() && !hash.is_empty() && !hash.contains('-') && exists(branch) {
            return Some((branch.to_string(), hash.to_string()));
        }
        cut = pos;
    }
    None
}

/// The canonical branch of another project fetched as remote `remote`: the
/// branch its `HEAD` names, else `main`, `master`, or its only namespace.
fn remote_default_branch(store: &Store, remote: &str) -> Result<String> {
    if let Ok(Some(r)) = store.repo().try_find_reference(format!("refs/remotes/{remote}/HEAD").as_str())
        && let gix::refs::TargetRef::Symbolic(name) = r.target()
        && let Some(b) = name.as_bstr().to_string().strip_prefix(&format!("refs/remotes/{remote}/"))
    {
        return Ok(b.to_string());
    }
    let prefix = format!("remotes/{remote}/heads/");
    let heads: Vec<String> = store.namespaces()?.iter().filter_map(|n| n.short().strip_prefix(&prefix).map(str::to_string)).collect();
    for b in ["main", "master"] {
        if heads.iter().any(|h| h == b) {
            return Ok(b.to_string());
        }
    }
    match heads.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(Error::UnknownProject { name: remote.to_string() }),
        _ => Ok("main".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_hash_splits_at_the_longest_existing_branch() {
        let branches = ["fix-auth", "fix", "main"];
        let exists = |b: &str| branches.contains(&b);
        assert_eq!(split_branch("fix-auth-a3f2", exists), Some(("fix-auth".into(), "a3f2".into())));
        assert_eq!(split_branch("main-b7c9", exists), Some(("main".into(), "b7c9".into())));
        assert_eq!(split_branch("other-b7c9", exists), None);
        assert_eq!(split_branch("a3f2", exists), None);
    }
}
