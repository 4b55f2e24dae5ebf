//! The derived-state cache: index files under `<git common dir>/beads/cache/`,
//! named by the tree id they describe.
//!
//! A tree id names its content exactly, so an index file is valid if and only
//! if its name matches the tree the ref points at now; nothing else needs
//! invalidating. A file is either a full index of its tree, or a *delta*: the
//! issues that changed since an older tree whose full index it names (see
//! `layered.rs`). A per-namespace pointer file remembers the last tree
//! indexed, so when the ref has moved (a write, a `git fetch`, a hand-made
//! `git update-ref`) the new index is derived by diffing the two trees and
//! parsing only the blobs that changed; while the changes stay small (an
//! eighth of the base, at least 1,024) they go into a new delta, else the
//! cache compacts everything into a new full index. Files are written to a
//! temporary name and renamed into place, so concurrent processes never see
//! a partial file; deleting the whole directory loses nothing but time.
//! `GIT_BEADS_NO_CACHE=1` bypasses it (the tests use that to check that both
//! paths give the same answers).

use super::bulk;
use super::index::{Bytes, Index, IndexBuilder, InvalidEntry};
use super::layered::TreeIndex;
use super::tree::{self, IssueEntry, Objects};
use super::{Error, Namespace, Result, Store, parse_blob};
use crate::model::id;
use gix::ObjectId;
use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How an index was obtained (reported to tests and benchmarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The index of this very tree was cached.
    Hit,
    /// Derived from the last index by parsing `changed` blobs.
    Incremental { changed: usize },
    /// Every blob was read.
    Cold,
}

/// Smallest delta that is never compacted.
const MIN_DELTA: usize = 1024;

/// From how many blobs on a build reads through its own pack mappings.
const BULK_READ: usize = 1024;

/// The largest delta kept before compacting into a full index:
/// `GIT_BEADS_CACHE_DELTA` when set (tests use 0 to compact every time),
/// else an eighth of the base, at least [`MIN_DELTA`].
fn delta_limit(store: &Store, base_len: usize) -> usize {
    store.options().cache_delta_limit.unwrap_or_else(|| MIN_DELTA.max(base_len / 8))
}

/// The cache directory of a repository.
pub fn dir(store: &Store) -> PathBuf {
    store.common_dir().join("beads").join("cache")
}

fn disabled(store: &Store) -> bool {
    !store.options().cache
}

fn index_path(dir: &Path, tree: &ObjectId) -> PathBuf {
    dir.join(format!("{tree}.idx"))
}

fn pointer_path(dir: &Path, ns: &Namespace) -> PathBuf {
    let escaped = ns.refname().replace('%', "%25").replace('/', "%2F");
    dir.join("ns").join(escaped)
}

/// The trees a pointer file names: the last tree indexed, and its base when
/// that index is a delta.
fn read_pointer(path: &Path) -> Vec<ObjectId> {
    fs::read_to_string(path)
        .map(|s| s.split_whitespace().filter_map(|h| ObjectId::from_hex(h.as_bytes()).ok()).collect())
        .unwrap_or_default()
}

/// The index of `tree` (the tree of namespace `ns`), from the cache or built.
pub fn load(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<TreeIndex> {
    load_reporting(store, ns, tree).map(|(idx, _)| idx)
}

/// Like [`load`], also saying how the index was obtained.
pub fn load_reporting(store: &Store, ns: &Namespace, tree: ObjectId) -> Result<(TreeIndex, Source)> {
    if disabled(store) {
        return Ok((TreeIndex::full(Arc::new(build_cold_index(store, ns, tree)?)), Source::Cold));
    }
    let dir = dir(store);
    if let Some(idx) = open_tree_index(&dir, tree) {
        remember(&dir, ns, &idx);
        return Ok((idx, Source::Hit));
    }
    let old = read_pointer(&pointer_path(&dir, ns));
    let previous = old.first().and_then(|t| open_tree_index(&dir, *t));
    let (parts, source) = match previous.as_ref().map(|prev| derive(store, ns, prev, tree)).transpose()? {
        Some(Some((parts, changed))) => (parts, Source::Incremental { changed }),
        _ => (build_cold(store, ns, tree)?, Source::Cold),
    };
    drop(previous);
    let path = index_path(&dir, &tree);
    match write_index(&dir, &path, parts)? {
        None => {
            let idx = open_tree_index(&dir, tree)
                .ok_or_else(|| Error::Internal { what: format!("the index just written to {} does not read back", path.display()) })?;
            remember(&dir, ns, &idx);
            let keep: Vec<ObjectId> = std::iter::once(idx.tree()).chain(idx.delta().map(|_| idx.base().tree())).collect();
            for t in old.into_iter().filter(|t| !keep.contains(t)) {
                forget_unreferenced(&dir, &t);
            }
            Ok((idx, source))
        }
        // The cache directory is not writable (a read-only repository): use
        // the index from memory (a delta needs its base from the cache).
        Some(bytes) => {
            let idx = Arc::new(open_owned(bytes)?);
            let idx = match idx.base_tree() {
                None => TreeIndex::full(idx),
                Some(b) => match open_file(&index_path(&dir, &b), b) {
                    Some(base) => TreeIndex::layered(Arc::new(base), idx),
                    None => TreeIndex::full(Arc::new(build_cold_index(store, ns, tree)?)),
                },
            };
            Ok((idx, source))
        }
    }
}

/// Opens the cached index of `tree`: a full one, or a delta with its base.
fn open_tree_index(dir: &Path, tree: ObjectId) -> Option<TreeIndex> {
    let idx = Arc::new(open_file(&index_path(dir, &tree), tree)?);
    match idx.base_tree() {
        None => Some(TreeIndex::full(idx)),
        Some(b) => {
            let base = open_file(&index_path(dir, &b), b)?;
            base.base_tree().is_none().then(|| TreeIndex::layered(Arc::new(base), idx))
        }
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
/// commits old, and counting a delta's rows twice): enough to choose an ID
/// length without building an index.
pub fn approx_len(store: &Store, ns: &Namespace) -> Option<usize> {
    use std::io::Read;
    if disabled(store) {
        return None;
    }
    let dir = dir(store);
    let mut n = 0;
    for t in read_pointer(&pointer_path(&dir, ns)) {
        let mut f = fs::File::open(index_path(&dir, &t)).ok()?;
        let mut head = [0u8; 16];
        f.read_exact(&mut head).ok()?;
        if &head[..8] != b"GBEADSIX" {
            return None;
        }
        n += u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as usize;
    }
    (n > 0).then_some(n)
}

fn open_owned(bytes: Vec<u8>) -> Result<Index> {
    Index::open(Bytes::Owned(bytes)).map_err(|e| Error::Internal { what: format!("a freshly built index was refused: {e}") })
}

fn open_file(path: &Path, tree: ObjectId) -> Option<Index> {
    let file = fs::File::open(path).ok()?;
    let stamp = Stamp::of(&file)?;
    // SAFETY: index files are never modified in place: they are written under
    // a temporary name and renamed, and replaced files stay intact for readers
    // that still map them. A file truncated by someone else would fault, which
    // is why the cache directory is ours alone.
    // The crate's one exception to `deny(unsafe_code)`.
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let stamp_path = stamp_path(path);
    // The checksum is checked once per state of the file: a file written,
    // replaced or touched since has another stamp and is checked again.
    let idx = if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.line().as_str()) {
        Index::open(Bytes::Mapped(map)).ok()?
    } else {
        let idx = Index::open_verified(Bytes::Mapped(map)).ok()?;
        if let Some(dir) = path.parent() {
            let _ = write_atomic(dir, &stamp_path, stamp.line().as_bytes());
        }
        idx
    };
    (idx.tree() == tree).then_some(idx)
}

/// Where the stamp of a verified index file is kept.
fn stamp_path(index: &Path) -> PathBuf {
    index.with_extension("ok")
}

/// What identifies one state of a file: its inode, size, and modification
/// and change times to the nanosecond. Any write to the file, a rename of
/// another file over it, or a `touch` changes the change time, which no
/// user tool can set back; so an index whose stamp matches is the very
/// file whose checksum was checked.
struct Stamp {
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    fn of(file: &fs::File) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = file.metadata().ok()?;
        Some(Stamp { ino: m.ino(), size: m.size(), mtime: (m.mtime(), m.mtime_nsec()), ctime: (m.ctime(), m.ctime_nsec()) })
    }

    fn line(&self) -> String {
        format!("{} {} {}.{} {}.{}\n", self.ino, self.size, self.mtime.0, self.mtime.1, self.ctime.0, self.ctime.1)
    }
}

fn remember(dir: &Path, ns: &Namespace, idx: &TreeIndex) {
    let p = pointer_path(dir, ns);
    let mut content = idx.tree().to_string();
    if idx.delta().is_some() {
        content.push(' ');
        content.push_str(&idx.base().tree().to_string());
    }
    content.push('\n');
    if fs::read_to_string(&p).is_ok_and(|s| s == content) {
        return;
    }
    let _ = write_atomic(&dir.join("ns"), &p, content.as_bytes());
}

/// Removes the index of `tree` unless some namespace pointer still names it
/// (as its tree, or as the base of its delta).
fn forget_unreferenced(dir: &Path, tree: &ObjectId) {
    let referenced =
        fs::read_dir(dir.join("ns")).map(|rd| rd.filter_map(|e| e.ok()).any(|e| read_pointer(&e.path()).contains(tree))).unwrap_or(true);
    if !referenced {
        let path = index_path(dir, tree);
        let _ = fs::remove_file(stamp_path(&path));
        let _ = fs::remove_file(path);
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
fn parse_parts(
    store: &Store,
    ns: &Namespace,
    tree: ObjectId,
    entries: &[IssueEntry],
    packs: Option<&bulk::Packs>,
) -> Result<Vec<IndexBuilder>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let spill = (!disabled(store)).then(|| dir(store)).filter(|d| fs::create_dir_all(d).is_ok());
    let spill = spill.as_deref();
    let parse_chunk = |mut repo: &gix::Repository, chunk: &[IssueEntry]| -> Result<IndexBuilder> {
        let mut part = match spill {
            Some(d) if chunk.len() >= 4096 => IndexBuilder::spilling(tree, chunk.len(), d),
            _ => IndexBuilder::new(tree, chunk.len()),
        };
        let mut buf = Vec::new();
        let mut reader = packs.map(|p| p.reader(repo));
        for e in chunk {
            let read = match reader.as_mut() {
                Some(r) => r.read(&e.blob, gix::objs::Kind::Blob, &mut buf),
                None => repo.read(&e.blob, gix::objs::Kind::Blob, &mut buf),
            };
            let parsed = match read {
                Ok(data) => parse_blob(ns, &e.path, e.blob, data),
                Err(e @ Error::WrongObjectKind { .. }) => Err(e),
                Err(other) => return Err(other),
            };
            match parsed {
                Ok(issue) => part.push_issue(&issue, e.blob),
                Err(err) => {
                    // The entry already names the path and the blob: keep only why.
                    let error = match &err {
                        Error::InvalidBlob { source, .. } => error_chain(source),
                        other => error_chain(other),
                    };
                    part.push_invalid(InvalidEntry { path: e.path.clone(), blob: e.blob.to_string(), error })
                }
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
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| Error::Internal { what: "a parser thread panicked".into() })?)
            .collect::<Result<Vec<_>>>()
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
    // Trees and blobs through mappings of the build's own, released when it
    // is done (see `bulk`).
    let packs = bulk::Packs::open(store.repo());
    let (entries, invalid) = tree::list_issues_from(&mut packs.reader(store.repo()), store.repo(), ns.refname(), &tree)?;
    let mut parts = parse_parts(store, ns, tree, &entries, Some(&packs))?;
    drop(packs);
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
/// parsing only the blobs that differ: a new delta over `prev`'s base while
/// the changes stay small, else a full index. `None` when the layout itself
/// changed (then everything is read again).
fn derive(store: &Store, ns: &Namespace, prev: &TreeIndex, tree: ObjectId) -> Result<Option<(Vec<IndexBuilder>, usize)>> {
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
                Some(found) if id::blob_path(found) == c.path => added.push(IssueEntry { blob: new, path: c.path.clone() }),
                _ => stray.push(InvalidEntry {
                    path: c.path.clone(),
                    blob: new.to_string(),
                    error: "not an issue blob in the namespace layout (expected issues/<a>/<b>/<id>.json)".into(),
                }),
            }
        }
    }
    let base = prev.base();
    let as_delta = prev.delta_weight() + changes.len() <= delta_limit(store, base.len());
    let mut b = if as_delta {
        let mut b = IndexBuilder::new(tree, prev.delta().map_or(0, |d| d.len()) + added.len());
        b.set_base(base.tree());
        // The rows the previous delta carried, unless changed again.
        if let Some(d) = prev.delta() {
            for r in 0..d.len() {
                if !touched_ids.contains(d.id(r)) {
                    b.push_row_of(d, r);
                }
            }
            for gone in d.removed() {
                if !touched_ids.contains(gone.as_str()) {
                    b.push_removed(&gone);
                }
            }
        }
        // Base issues that are gone now, or will be replaced by a parsed row.
        for found in &touched_ids {
            if base.find(found).is_some() {
                b.push_removed(found);
            }
        }
        b
    } else {
        let mut b =
            if prev.len() >= 4096 { IndexBuilder::spilling(tree, prev.len(), &dir(store)) } else { IndexBuilder::new(tree, prev.len()) };
        for row in prev.rows() {
            if !touched_ids.contains(row.index.id(row.row)) {
                b.push_row_of(row.index, row.row);
            }
        }
        b
    };
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
    let packs = (added.len() >= BULK_READ).then(|| bulk::Packs::open(store.repo()));
    parts.extend(parse_parts(store, ns, tree, &added, packs.as_ref())?);
    Ok(Some((parts, changes.len())))
}
