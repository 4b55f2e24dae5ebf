//! A view: the namespaces a command reads together (for now the canonical
//! one), with ID resolution across them and the graph over all of them.

use crate::graph::{Node, Universe};
use crate::model::{self, Issue};
use crate::store::{Error, Namespace, Result, Snapshot, Store};

/// Several namespace snapshots read as one.
pub struct View {
    pub snapshots: Vec<Snapshot>,
}

/// Where a node lives.
pub struct Located<'v> {
    pub snapshot: &'v Snapshot,
    pub row: usize,
}

impl View {
    /// The view of the given namespaces, each at its current tip.
    pub fn open(store: &Store, namespaces: &[Namespace]) -> Result<View> {
        let snapshots = namespaces.iter().map(|ns| store.snapshot(ns)).collect::<Result<Vec<_>>>()?;
        Ok(View { snapshots })
    }

    /// The graph over every issue in the view.
    pub fn universe(&self) -> Universe<'_> {
        let trees: Vec<&crate::store::TreeIndex> = self.snapshots.iter().map(|s| &s.index).collect();
        Universe::of(&trees)
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

    /// Resolves a typed ID to a node: an exact ID first, then a unique prefix
    /// across all namespaces of the view.
    pub fn resolve(&self, u: &Universe<'_>, input: &str) -> Result<Node> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Error::Id(model::id::IdError { id: String::new(), reason: "it is empty" }));
        }
        if let Some(n) = u.find(input) {
            return Ok(n);
        }
        let ids = self.snapshots.iter().flat_map(|s| s.index.ids());
        match model::id::resolve(input, ids) {
            model::id::Resolution::Found(id) => u.find(&id).ok_or_else(|| self.not_found(input)),
            model::id::Resolution::NotFound => Err(self.not_found(input)),
            model::id::Resolution::Ambiguous(mut candidates) => {
                candidates.dedup();
                if candidates.len() == 1 {
                    return u.find(&candidates[0]).ok_or_else(|| self.not_found(input));
                }
                Err(Error::Ambiguous { input: input.to_string(), candidates })
            }
        }
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

    /// Blobs that could not be read, per namespace.
    pub fn invalid(&self) -> Vec<(Namespace, crate::store::index::InvalidEntry)> {
        self.snapshots.iter().flat_map(|s| s.index.invalid().into_iter().map(move |e| (s.namespace.clone(), e))).collect()
    }
}
