//! The index of one namespace tree as queries see it: a full index, or the
//! full index of an older tree plus a small delta holding the issues that
//! changed since (and the IDs that went away).
//!
//! A delta lets a write followed by a read cost the size of the change, not
//! of the namespace: after `close` at 100,000 issues the next command parses
//! one blob and writes a few kilobytes instead of rewriting the whole index.
//! When a delta grows past a fraction of its base, the cache compacts it
//! into a new full index.

use super::index::{Index, InvalidEntry};
use gix::ObjectId;
use std::sync::Arc;

/// A namespace tree's index: `base`, with `delta` on top when present.
#[derive(Clone)]
pub struct TreeIndex {
    tree: ObjectId,
    base: Arc<Index>,
    delta: Option<Arc<Index>>,
    /// Base rows that the delta replaces or removes.
    hidden: Arc<Vec<bool>>,
    hidden_count: usize,
}

/// One live row: the index it is in and its row number there.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    pub index: &'a Index,
    pub row: usize,
}

impl TreeIndex {
    /// A full index.
    pub fn full(index: Arc<Index>) -> TreeIndex {
        let n = index.len();
        TreeIndex { tree: index.tree(), base: index, delta: None, hidden: Arc::new(vec![false; n]), hidden_count: 0 }
    }

    /// The index of an empty tree.
    pub fn empty(tree: ObjectId) -> TreeIndex {
        TreeIndex::full(Arc::new(Index::empty(tree)))
    }

    /// A full `base` with `delta` (whose base tree must be `base`'s tree) on top.
    pub fn layered(base: Arc<Index>, delta: Arc<Index>) -> TreeIndex {
        let mut hidden = vec![false; base.len()];
        let mut hidden_count = 0;
        let mut hide = |id: &str| {
            if let Some(r) = base.find(id)
                && !hidden[r]
            {
                hidden[r] = true;
                hidden_count += 1;
            }
        };
        for id in delta.ids() {
            hide(id);
        }
        for id in delta.removed() {
            hide(&id);
        }
        TreeIndex { tree: delta.tree(), base, delta: Some(delta), hidden: Arc::new(hidden), hidden_count }
    }

    /// The tree this describes.
    pub fn tree(&self) -> ObjectId {
        self.tree
    }

    /// The full index underneath.
    pub fn base(&self) -> &Arc<Index> {
        &self.base
    }

    /// The delta on top, if any.
    pub fn delta(&self) -> Option<&Arc<Index>> {
        self.delta.as_ref()
    }

    /// Number of issues.
    pub fn len(&self) -> usize {
        self.base.len() - self.hidden_count + self.delta.as_ref().map_or(0, |d| d.len())
    }

    /// Whether the tree holds no issues.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows the delta carries plus base rows it hides: how far this is from a full index.
    pub fn delta_weight(&self) -> usize {
        self.delta.as_ref().map_or(0, |d| d.len()) + self.hidden_count
    }

    /// The indexes and their hidden rows, for the graph over them.
    pub fn parts(&self) -> Vec<(&Index, Option<&[bool]>)> {
        let mut out = vec![(&*self.base, (self.hidden_count > 0).then_some(self.hidden.as_slice()))];
        if let Some(d) = &self.delta {
            out.push((&**d, None));
        }
        out
    }

    /// The live row of `id`.
    pub fn find(&self, id: &str) -> Option<Row<'_>> {
        if let Some(d) = &self.delta
            && let Some(row) = d.find(id)
        {
            return Some(Row { index: d, row });
        }
        self.base.find(id).filter(|&r| !self.hidden[r]).map(|row| Row { index: &self.base, row })
    }

    /// Every live row.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        let base = (0..self.base.len()).filter(|&r| !self.hidden[r]).map(|row| Row { index: &self.base, row });
        let delta = self.delta.iter().flat_map(|d| (0..d.len()).map(move |row| Row { index: d, row }));
        base.chain(delta)
    }

    /// Every live ID.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.rows().map(|r| r.index.id(r.row))
    }

    /// Every live ID as stored (for scans that match bytes).
    pub fn id_bytes(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.rows().map(|r| r.index.id_bytes(r.row))
    }

    /// Blobs of the tree that could not be read.
    pub fn invalid(&self) -> Vec<InvalidEntry> {
        match &self.delta {
            Some(d) => d.invalid(),
            None => self.base.invalid(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Issue, Timestamp};
    use crate::store::index::{Bytes, IndexBuilder};

    fn oid(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    fn issue(id: &str, title: &str) -> Issue {
        Issue::new(id.into(), title.into(), Timestamp::parse("2026-01-01T00:00:00Z").unwrap())
    }

    #[test]
    fn a_delta_replaces_adds_and_removes() {
        let mut b = IndexBuilder::new(oid(1), 3);
        for id in ["bd-a", "bd-b", "bd-c"] {
            b.push_issue(&issue(id, "old"), oid(2));
        }
        let base = Arc::new(Index::open(Bytes::Owned(b.finish())).unwrap());
        let mut d = IndexBuilder::new(oid(5), 2);
        d.set_base(oid(1));
        d.push_issue(&issue("bd-b", "new"), oid(3));
        d.push_issue(&issue("bd-d", "added"), oid(4));
        d.push_removed("bd-c");
        let delta = Arc::new(Index::open(Bytes::Owned(d.finish())).unwrap());
        assert_eq!(delta.base_tree(), Some(oid(1)));
        let t = TreeIndex::layered(base, delta);
        assert_eq!(t.tree(), oid(5));
        assert_eq!(t.len(), 3);
        let mut ids: Vec<&str> = t.ids().collect();
        ids.sort();
        assert_eq!(ids, ["bd-a", "bd-b", "bd-d"]);
        let b_row = t.find("bd-b").unwrap();
        assert_eq!(b_row.index.title(b_row.row), "new");
        assert!(t.find("bd-c").is_none());
        assert_eq!(t.delta_weight(), 4);
    }
}
