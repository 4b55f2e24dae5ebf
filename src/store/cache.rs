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
        return Ok((Arc::new(build_cold_index(store, ns, tree)?), Source::Cold));
    }
    let dir = dir(store);
    if let Some(idx) = open_file(&index_path(&dir, &tree), tree) {
        remember(&dir, ns, &tree);
        return Ok((Arc::new(idx), Source::Hit));
    }
    let old_tree = fs::read_to_string(pointer_path(&dir, ns)).ok().and_then(|s| ObjectId::from_hex(s.trim().as_bytes()).ok());
    let previous = old_tree.and_then(|prev| open_file(&index_path(&dir, &prev), prev));
    let (parts, source) = match previous.as_ref().map(|prev| build_incremental(store, ns, prev, tree)).transpose()? {
        Some(Some((parts, changed))) => (parts, Source::Incremental { changed }),
        _ => (build_cold(store, ns, tree)?, Source::Cold),
    };
    drop(previous);
    let path = index_path(&dir, &tree);
    match write_index(&dir, &path, parts) {
        Ok(None) => {
            remember(&dir, ns, &tree);
            if let Some(old) = old_tree.filter(|old| *old != tree) {
                forget_unreferenced(&dir, &old);
            }
            let idx = open_file(&path, tree).ok_or_else(|| {
                Error::Invalid(format!("internal error: the index just written to {} does not read back", path.display()))
            })?;
            Ok((Arc::new(idx), source))
        }
        // The cache directory is not writable (a read-only repository): use
        // the index from memory.
        Ok(Some(bytes)) => Ok((Arc::new(open_owned(bytes)?), source)),
        Err(e) => Err(e),
    }
}

/// Streams the index to its file; when the cache directory cannot be
/// written, returns the encoded bytes instead.
fn write_index(dir: &Path, path: &Path, parts: Vec<IndexBuilder>) -> Result<Option<Vec<u8>>> {
    let tmp = fs::create_dir_all(dir).and_then(|_| tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir));
    let Ok(tmp) = tmp else {
        let mut bytes = Vec::new();
        IndexBuilder::finish_parts(parts, &mut bytes).map_err(|e| Error::io("could not encode the index", e))?;
        return Ok(Some(bytes));
    };
    let mut w = std::io::BufWriter::with_capacity(256 * 1024, tmp);
    IndexBuilder::finish_parts(parts, &mut w).map_err(|e| Error::io(format!("could not write the index cache in {}", dir.display()), e))?;
    let tmp = w.into_inner().map_err(|e| Error::io("could not write the index cache", e.into_error()))?;
    tmp.persist(path).map_err(|e| Error::io(format!("could not write {}", path.display()), e.error))?;
    Ok(None)
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

/// Parses `entries` (in parallel where it pays) into index rows, one
/// builder per thread. No parsed issue outlives its row, so memory follows
/// the index size, not the issues'.
fn parse_parts(store: &Store, ns: &Namespace, tree: ObjectId, entries: &[IssueEntry]) -> Result<Vec<IndexBuilder>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let parse_chunk = |repo: &gix::Repository, chunk: &[IssueEntry]| -> Result<IndexBuilder> {
        let mut part = IndexBuilder::new(tree, chunk.len());
        let mut buf = Vec::new();
        for e in chunk {
            let parsed = match tree::read_object(repo, &e.blob, gix::objs::Kind::Blob, &mut buf) {
                Ok(data) => parse_blob(ns, &e.path, e.blob, data),
                Err(Error::WrongObjectKind { .. }) => Err(Error::Invalid("not a blob".into())),
                Err(other) => return Err(other),
            };
            match parsed {
                Ok(issue) => part.push_issue(&issue, e.blob),
                Err(err) => part.push_invalid(InvalidEntry { path: e.path.clone(), blob: e.blob.to_string(), error: error_chain(&err) }),
            }
        }
        Ok(part)
    };
    if threads <= 1 || entries.len() < 512 {
        return Ok(vec![parse_chunk(store.repo(), entries)?]);
    }
    let size = entries.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(size)
            .map(|chunk| {
                let repo = store.repo().clone();
                s.spawn(move || parse_chunk(&repo, chunk))
            })
            .collect();
        handles.into_iter().map(|h| h.join().map_err(|_| Error::Invalid("a parser thread panicked".into()))?).collect::<Result<Vec<_>>>()
    })
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

/// The parts of the index of `tree`, from reading every issue blob.
pub fn build_cold(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<Vec<IndexBuilder>> {
    let (entries, invalid) = tree::list_issues(store.repo(), ns.refname(), &tree)?;
    let mut parts = parse_parts(store, ns, tree, &entries)?;
    let mut strays = IndexBuilder::new(tree, 0);
    for inv in invalid {
        strays.push_invalid(inv);
    }
    parts.push(strays);
    Ok(parts)
}

/// The index of `tree` in memory, built from scratch (no cache involved).
pub fn build_cold_index(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<Index> {
    let mut bytes = Vec::new();
    IndexBuilder::finish_parts(build_cold(store, ns, tree)?, &mut bytes).map_err(|e| Error::io("could not encode the index", e))?;
    open_owned(bytes)
}

/// Derives the index of `tree` from `prev` (the index of an older tree) by
/// parsing only the blobs that differ. `None` when the layout itself changed.
fn build_incremental(store: &Store, ns: &Namespace, prev: &Index, tree: ObjectId) -> Result<Option<(Vec<IndexBuilder>, usize)>> {
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
        // Only a blob at its own canonical path is that issue; a copy under
        // another path is a stray entry and must not hide the real one.
        if let Some(found) = id::id_from_path(&c.path).filter(|f| id::blob_path(f) == c.path) {
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
    let mut b = IndexBuilder::new(tree, prev.len());
    for i in 0..prev.len() {
        if !touched_ids.contains(prev.id(i)) {
            b.push_row_of(prev, i);
        }
    }
    for inv in prev.invalid() {
        // A stray tree is listed by its own path; its contents change below it.
        let below = format!("{}/", inv.path);
        if !touched.contains(inv.path.as_str()) && !touched.iter().any(|t| t.starts_with(&below)) {
            b.push_invalid(inv);
        }
    }
    for inv in stray {
        b.push_invalid(inv);
    }
    let mut parts = vec![b];
    parts.extend(parse_parts(store, ns, tree, &added)?);
    Ok(Some((parts, changes.len())))
}
