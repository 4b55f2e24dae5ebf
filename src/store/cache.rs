//! The derived-state cache: one index file per namespace tree, under
//! `<git common dir>/beads/cache/`, named by the tree id it describes.
//!
//! A tree id names its content exactly, so an index file is valid if and only
//! if its name matches the tree the ref points at now; nothing else needs
//! invalidating. A per-namespace pointer file remembers the last tree indexed,
//! so when the ref has moved (a write, a `git fetch`, a hand-made
//! `git update-ref`) the new index is derived from the old one by diffing the
//! two trees and parsing only the blobs that changed. Files are written to a
//! temporary name and renamed into place, so concurrent processes never see a
//! partial file; deleting the whole directory loses nothing but time.
//! `GIT_BEADS_NO_CACHE=1` bypasses it (the tests use that to check that both
//! paths give the same answers).

use super::index::{Bytes, Index, IndexBuilder, InvalidEntry};
use super::tree::{self, IssueEntry};
use super::{Error, Namespace, Result, Store, parse_blob};
use crate::model::id;
use gix::ObjectId;
use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How an index was obtained (reported by `--debug-cache` style tooling and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Hit,
    Incremental { changed: usize },
    Cold,
}

/// The cache directory of a repository.
pub fn dir(store: &Store) -> PathBuf {
    store.common_dir().join("beads").join("cache")
}

fn disabled() -> bool {
    std::env::var_os("GIT_BEADS_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0")
}

fn index_path(dir: &Path, tree: &ObjectId) -> PathBuf {
    dir.join(format!("{tree}.idx"))
}

fn pointer_path(dir: &Path, ns: &Namespace) -> PathBuf {
    let escaped = ns.refname().replace('%', "%25").replace('/', "%2F");
    dir.join("ns").join(escaped)
}

/// The index of `tree` (the tree of namespace `ns`), from the cache or built.
pub fn load(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<Arc<Index>> {
    load_reporting(store, ns, tree).map(|(idx, _)| idx)
}

/// Like [`load`], also saying whether the cache was hit.
pub fn load_reporting(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<(Arc<Index>, Source)> {
    if disabled() {
        let bytes = build_cold(store, ns, tree)?;
        return Ok((Arc::new(open_owned(bytes)?), Source::Cold));
    }
    let dir = dir(store);
    if let Some(idx) = open_file(&index_path(&dir, &tree), tree) {
        remember(&dir, ns, &tree);
        return Ok((Arc::new(idx), Source::Hit));
    }
    let previous = fs::read_to_string(pointer_path(&dir, ns))
        .ok()
        .and_then(|s| ObjectId::from_hex(s.trim().as_bytes()).ok())
        .and_then(|prev| open_file(&index_path(&dir, &prev), prev));
    let (bytes, source) = match previous {
        Some(prev) => match build_incremental(store, ns, &prev, tree)? {
            Some((bytes, changed)) => (bytes, Source::Incremental { changed }),
            None => (build_cold(store, ns, tree)?, Source::Cold),
        },
        None => (build_cold(store, ns, tree)?, Source::Cold),
    };
    let old_tree = fs::read_to_string(pointer_path(&dir, ns)).ok();
    if write_atomic(&dir, &index_path(&dir, &tree), &bytes).is_ok() {
        remember(&dir, ns, &tree);
        if let Some(old) = old_tree.and_then(|s| ObjectId::from_hex(s.trim().as_bytes()).ok())
            && old != tree
        {
            forget_unreferenced(&dir, &old);
        }
    }
    Ok((Arc::new(open_owned(bytes)?), source))
}

/// The issue count of the last index written for `ns` (possibly a few
/// commits old): enough to choose an ID length without building an index.
pub fn approx_len(store: &Store, ns: &Namespace) -> Option<usize> {
    use std::io::Read;
    if disabled() {
        return None;
    }
    let dir = dir(store);
    let hex = fs::read_to_string(pointer_path(&dir, ns)).ok()?;
    let mut f = fs::File::open(dir.join(format!("{}.idx", hex.trim()))).ok()?;
    let mut head = [0u8; 16];
    f.read_exact(&mut head).ok()?;
    (&head[..8] == b"GBEADSIX").then(|| u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as usize)
}

fn open_owned(bytes: Vec<u8>) -> Result<Index> {
    Index::open(Bytes::Owned(bytes)).map_err(|e| Error::Invalid(format!("internal error: freshly built index refused: {e}")))
}

fn open_file(path: &Path, tree: ObjectId) -> Option<Index> {
    let file = fs::File::open(path).ok()?;
    // SAFETY: index files are never modified in place: they are written under
    // a temporary name and renamed, and replaced files stay intact for readers
    // that still map them. A file truncated by someone else would fault, which
    // is why the cache directory is ours alone.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let idx = Index::open(Bytes::Mapped(map)).ok()?;
    (idx.tree() == tree).then_some(idx)
}

fn remember(dir: &Path, ns: &Namespace, tree: &ObjectId) {
    let p = pointer_path(dir, ns);
    let hex = tree.to_string();
    if fs::read_to_string(&p).is_ok_and(|s| s.trim() == hex) {
        return;
    }
    let _ = write_atomic(&dir.join("ns"), &p, format!("{hex}\n").as_bytes());
}

/// Removes the index of `tree` unless some namespace pointer still names it.
fn forget_unreferenced(dir: &Path, tree: &ObjectId) {
    let hex = tree.to_string();
    let referenced = fs::read_dir(dir.join("ns"))
        .map(|rd| rd.filter_map(|e| e.ok()).any(|e| fs::read_to_string(e.path()).is_ok_and(|s| s.trim() == hex)))
        .unwrap_or(true);
    if !referenced {
        let _ = fs::remove_file(index_path(dir, tree));
    }
}

fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Parses `entries` (in parallel where it pays) into rows of `builder`.
fn parse_into(store: &Store, ns: &Namespace, entries: &[IssueEntry], builder: &mut IndexBuilder) -> Result<()> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let parse_chunk =
        |repo: &gix::Repository, chunk: &[IssueEntry]| -> Result<Vec<std::result::Result<crate::model::Issue, InvalidEntry>>> {
            let mut buf = Vec::new();
            let mut out = Vec::with_capacity(chunk.len());
            for e in chunk {
                let data = tree::read_object(repo, &e.blob, gix::objs::Kind::Blob, &mut buf);
                let parsed = match data {
                    Ok(data) => parse_blob(ns, &e.path, e.blob, data),
                    Err(Error::WrongObjectKind { .. }) => Err(Error::Invalid("not a blob".into())),
                    Err(other) => return Err(other),
                };
                out.push(parsed.map_err(|err| InvalidEntry { path: e.path.clone(), blob: e.blob.to_string(), error: error_chain(&err) }));
            }
            Ok(out)
        };
    let results: Vec<_> = if threads <= 1 || entries.len() < 512 {
        parse_chunk(store.repo(), entries)?
    } else {
        let size = entries.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .chunks(size)
                .map(|chunk| {
                    let repo = store.repo().clone();
                    s.spawn(move || parse_chunk(&repo, chunk))
                })
                .collect();
            let mut all = Vec::with_capacity(entries.len());
            for h in handles {
                all.extend(h.join().map_err(|_| Error::Invalid("a parser thread panicked".into()))??);
            }
            Ok::<_, Error>(all)
        })?
    };
    for (e, r) in entries.iter().zip(results) {
        match r {
            Ok(issue) => builder.push_issue(&issue, e.blob),
            Err(inv) => builder.push_invalid(inv),
        }
    }
    Ok(())
}

/// The message of an error and its causes, on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// Builds the index of `tree` by reading every issue blob.
pub fn build_cold(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<Vec<u8>> {
    let (entries, invalid) = tree::list_issues(store.repo(), ns.refname(), &tree)?;
    let mut b = IndexBuilder::new(tree, entries.len());
    parse_into(store, ns, &entries, &mut b)?;
    for inv in invalid {
        b.push_invalid(inv);
    }
    Ok(b.finish())
}

/// Derives the index of `tree` from `prev` (the index of an older tree) by
/// parsing only the blobs that differ. `None` when the layout itself changed.
fn build_incremental(store: &Store, ns: &Namespace, prev: &Index, tree: ObjectId) -> Result<Option<(Vec<u8>, usize)>> {
    let changes = tree::diff(store.repo(), &prev.tree(), &tree)?;
    if changes.iter().any(|c| !c.path.starts_with("issues/")) {
        return Ok(None);
    }
    let mut touched: HashSet<&str> = HashSet::new();
    let mut touched_ids: HashSet<&str> = HashSet::new();
    let mut added = Vec::new();
    let mut stray = Vec::new();
    for c in &changes {
        touched.insert(c.path.as_str());
        if let Some(found) = id::id_from_path(&c.path) {
            touched_ids.insert(found);
        }
        if let Some(new) = c.new {
            match id::id_from_path(&c.path) {
                Some(found) if id::blob_path(found) == c.path => {
                    added.push(IssueEntry { id: found.to_string(), blob: new, path: c.path.clone() })
                }
                _ => stray.push(InvalidEntry {
                    path: c.path.clone(),
                    blob: new.to_string(),
                    error: "not an issue blob in the namespace layout (expected issues/<a>/<b>/<id>.json)".into(),
                }),
            }
        }
    }
    let mut b = IndexBuilder::new(tree, prev.len() + added.len());
    for i in 0..prev.len() {
        if !touched_ids.contains(prev.id(i)) {
            b.push_row_of(prev, i);
        }
    }
    parse_into(store, ns, &added, &mut b)?;
    for inv in prev.invalid() {
        if !touched.contains(inv.path.as_str()) {
            b.push_invalid(inv);
        }
    }
    for inv in stray {
        b.push_invalid(inv);
    }
    Ok(Some((b.finish(), changes.len())))
}
