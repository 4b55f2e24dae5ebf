//! The derived index of one namespace tree: what every query needs about
//! every issue, in a flat file that is read by mapping it, not by parsing it.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header   magic "GBEADSIX", version u32, row count u32, tree id (20 bytes),
//!          then (offset u64, length u64) for each section below
//! rows     ROW_SIZE bytes per issue, sorted by ID
//! deps     DEP_SIZE bytes per dependency; rows point at a run of them
//! labels   8 bytes (a string ref) per label; rows point at a run of them
//! heap     UTF-8 strings that the refs above point into
//! invalid  JSON: the blobs that could not be read, with the reason
//! ```
//!
//! A row holds the blob id, codes for status/type, priority, five timestamps
//! (microseconds, `i64::MIN` for none), string refs for the fields queries
//! filter and print, and the pre-rendered beads JSON of the issue (without
//! comments and without its closing brace, so views append computed fields).
//! A dependency holds the row of its target when the target is in the same
//! tree, so the ready frontier needs no hashing at query time.
//!
//! Every access is bounds-checked; a damaged file is detected when opened
//! (structure) or yields empty strings (content), never a panic, and the
//! cache layer rebuilds it.

use crate::model::{self, DepType, Issue, IssueType, Status};
use gix::ObjectId;
use std::cmp::Ordering;
use std::ops::Range;

const MAGIC: &[u8; 8] = b"GBEADSIX";
const VERSION: u32 = 6;
const OID_LEN: usize = 20;
const SECTIONS: usize = 6;
/// magic, version, rows, tree id, base tree id (zeros for a full index), section table.
const HEADER_SIZE: usize = 8 + 4 + 4 + 2 * OID_LEN + SECTIONS * 16;
const SECTION_TABLE: usize = 16 + 2 * OID_LEN;
/// blob, 4 code bytes, 5 times, 7 string refs, 2 list refs.
const ROW_SIZE: usize = OID_LEN + 4 + 5 * 8 + STR_FIELDS * 8 + 2 * 8;
const DEP_SIZE: usize = 4 + 8 + 4 + 8;
const STR_FIELDS: usize = 7;

/// `i64::MIN` marks an absent timestamp.
pub const NO_TIME: i64 = i64::MIN;
/// A dependency whose target is not in this tree.
pub const UNRESOLVED: u32 = u32::MAX;

/// Which string field of a row.
#[derive(Clone, Copy)]
#[repr(usize)]
enum Field {
    Id = 0,
    Title,
    Status,
    Type,
    Assignee,
    Description,
    JsonTail,
}

/// Which timestamp of a row.
#[derive(Clone, Copy, Debug)]
#[repr(usize)]
pub enum Time {
    Created = 0,
    Updated,
    Closed,
    DeferUntil,
    Due,
}

/// Status classes the graph and filters care about.
pub mod status_code {
    pub const OPEN: u8 = 0;
    pub const IN_PROGRESS: u8 = 1;
    pub const BLOCKED: u8 = 2;
    pub const DEFERRED: u8 = 3;
    pub const CLOSED: u8 = 4;
    pub const PINNED: u8 = 5;
    pub const TOMBSTONE: u8 = 6;
    pub const CUSTOM: u8 = 7;

    /// Closed or tombstone: blocks nothing.
    pub fn is_done(code: u8) -> bool {
        code == CLOSED || code == TOMBSTONE
    }
}

fn status_to_code(s: &Status) -> u8 {
    use status_code::*;
    match s {
        Status::Open => OPEN,
        Status::InProgress => IN_PROGRESS,
        Status::Blocked => BLOCKED,
        Status::Deferred => DEFERRED,
        Status::Closed => CLOSED,
        Status::Pinned => PINNED,
        Status::Tombstone => TOMBSTONE,
        Status::Custom(_) => CUSTOM,
    }
}

/// Row flag: a planning copy of an issue that upstream accepted
/// (`metadata["git-beads"].visibility == "canonical"`).
pub const FLAG_ACCEPTED: u8 = 1;

fn row_flags(issue: &Issue) -> u8 {
    let accepted =
        issue.metadata.get(crate::model::METADATA_KEY).and_then(|m| m.get("visibility")).and_then(|v| v.as_str()) == Some("canonical");
    if accepted { FLAG_ACCEPTED } else { 0 }
}

/// Position of a built-in word in its enum's list, 255 for custom.
fn word_code(word: &str, builtin: &[&str]) -> u8 {
    builtin.iter().position(|b| *b == word).map(|p| p as u8).unwrap_or(255)
}

/// The code of the `epic` issue type.
pub fn epic_code() -> u8 {
    word_code("epic", IssueType::BUILTIN)
}

/// The code of a dependency type name.
pub fn dep_code(t: &DepType) -> u8 {
    word_code(t.as_str(), DepType::BUILTIN)
}

/// A blob in the tree that is not a readable issue.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InvalidEntry {
    /// Path inside the namespace tree.
    pub path: String,
    /// The blob's object id (hex), empty when the entry is not a blob.
    pub blob: String,
    /// Why it was refused.
    pub error: String,
}

#[derive(Clone, Copy, Default)]
struct StrRef {
    off: u32,
    len: u32,
}

struct DraftRow {
    blob: ObjectId,
    codes: [u8; 4],
    times: [i64; 5],
    strs: [StrRef; STR_FIELDS],
    labels: (u32, u32),
    deps: (u32, u32),
    /// The ID again, in the key arena (for sorting).
    key: StrRef,
}

struct DraftDep {
    target: StrRef,
    type_code: u8,
    type_str: StrRef,
    /// The target again, in the key arena (for resolving it to a row).
    key: StrRef,
}

/// Where a builder's strings go: memory, or a temporary file next to the
/// cache (so building the index of 100,000 issues does not hold all their
/// text in memory at once).
enum Heap {
    Memory(Vec<u8>),
    Spill { file: std::io::BufWriter<std::fs::File>, len: u64 },
}

/// Accumulates rows and writes the index file bytes. Several builders (one
/// per parsing thread) can be finished into one file together.
pub struct IndexBuilder {
    tree: ObjectId,
    heap: Heap,
    /// IDs and dependency targets: what finishing needs to look at.
    keys: Vec<u8>,
    rows: Vec<DraftRow>,
    deps: Vec<DraftDep>,
    labels: Vec<StrRef>,
    invalid: Vec<InvalidEntry>,
    /// For a delta: the tree of the full index it applies to.
    base: Option<ObjectId>,
    /// For a delta: IDs of the base that the tree no longer has.
    removed: Vec<String>,
    /// The first error writing a spilled heap (reported by `finish_parts`).
    spill_error: Option<std::io::Error>,
}

/// The beads JSON of a row without the part the index can rebuild: the
/// `{"id":..,"title":..` head and the description (stored once, spliced in
/// when printing) are left out, as is the closing brace.
fn json_tail(issue: &Issue) -> String {
    let json = model::codec::to_beads_json(issue, model::Form::IndexRow);
    let head_len = json_head(&issue.id, &issue.title).len();
    debug_assert!(json.len() > head_len && json.starts_with(&json_head(&issue.id, &issue.title)));
    json[head_len..json.len() - 1].to_string()
}

fn json_head(id: &str, title: &str) -> String {
    let mut head = String::with_capacity(16 + id.len() + title.len());
    head.push_str("{\"id\":");
    head.push_str(&model::json::to_string(id));
    head.push_str(",\"title\":");
    head.push_str(&model::json::to_string(title));
    head
}

impl IndexBuilder {
    /// An empty builder for the index of `tree`, keeping its strings in memory.
    pub fn new(tree: ObjectId, capacity: usize) -> Self {
        IndexBuilder::with_heap(tree, capacity, Heap::Memory(Vec::with_capacity(capacity * 256)))
    }

    /// An empty builder whose strings go to an anonymous temporary file in
    /// `dir` (in memory if no file can be made there).
    pub fn spilling(tree: ObjectId, capacity: usize, dir: &std::path::Path) -> Self {
        match tempfile::tempfile_in(dir) {
            Ok(f) => {
                IndexBuilder::with_heap(tree, capacity, Heap::Spill { file: std::io::BufWriter::with_capacity(256 * 1024, f), len: 0 })
            }
            Err(_) => IndexBuilder::new(tree, capacity),
        }
    }

    fn with_heap(tree: ObjectId, capacity: usize, heap: Heap) -> Self {
        IndexBuilder {
            tree,
            heap,
            keys: Vec::with_capacity(capacity * 24),
            rows: Vec::with_capacity(capacity),
            deps: Vec::with_capacity(capacity * 2),
            labels: Vec::with_capacity(capacity),
            invalid: Vec::new(),
            base: None,
            removed: Vec::new(),
            spill_error: None,
        }
    }

    /// Makes this builder a delta over the full index of tree `base`.
    pub fn set_base(&mut self, base: ObjectId) {
        self.base = Some(base);
    }

    /// Records an ID of the base that the tree no longer holds.
    pub fn push_removed(&mut self, id: &str) {
        self.removed.push(id.to_string());
    }

    fn heap_len(&self) -> u64 {
        match &self.heap {
            Heap::Memory(v) => v.len() as u64,
            Heap::Spill { len, .. } => *len,
        }
    }

    fn push_str(&mut self, s: &str) -> StrRef {
        let off = self.heap_len() as u32;
        match &mut self.heap {
            Heap::Memory(v) => v.extend_from_slice(s.as_bytes()),
            Heap::Spill { file, len } => {
                if let Err(e) = std::io::Write::write_all(file, s.as_bytes()) {
                    self.spill_error.get_or_insert(e);
                }
                *len += s.len() as u64;
            }
        }
        StrRef { off, len: s.len() as u32 }
    }

    fn push_key(&mut self, s: &str) -> StrRef {
        let off = self.keys.len() as u32;
        self.keys.extend_from_slice(s.as_bytes());
        StrRef { off, len: s.len() as u32 }
    }

    fn key(&self, r: StrRef) -> &[u8] {
        &self.keys[r.off as usize..(r.off + r.len) as usize]
    }

    fn push_dep(&mut self, target: &str, type_code: u8, dep_type: &str) {
        let t = self.push_str(target);
        let type_str = self.push_str(dep_type);
        let key = self.push_key(target);
        self.deps.push(DraftDep { target: t, type_code, type_str, key });
    }

    /// Adds the row of a parsed issue stored in `blob`.
    pub fn push_issue(&mut self, issue: &Issue, blob: ObjectId) {
        let tail = json_tail(issue);
        let strs = [
            self.push_str(&issue.id),
            self.push_str(&issue.title),
            self.push_str(issue.status.as_str()),
            self.push_str(issue.issue_type.as_str()),
            self.push_str(issue.assignee.as_deref().unwrap_or("")),
            self.push_str(&issue.description),
            self.push_str(&tail),
        ];
        let key = self.push_key(&issue.id);
        let l0 = self.labels.len() as u32;
        for l in &issue.labels {
            let r = self.push_str(l);
            self.labels.push(r);
        }
        let d0 = self.deps.len() as u32;
        for d in &issue.dependencies {
            self.push_dep(&d.id, dep_code(&d.dep_type), d.dep_type.as_str());
        }
        let t = |o: Option<model::Timestamp>| o.map(|t| t.as_micros()).unwrap_or(NO_TIME);
        self.rows.push(DraftRow {
            blob,
            codes: [
                status_to_code(&issue.status),
                issue.priority.get(),
                word_code(issue.issue_type.as_str(), IssueType::BUILTIN),
                row_flags(issue),
            ],
            times: [issue.created_at.as_micros(), issue.updated_at.as_micros(), t(issue.closed_at), t(issue.defer_until), t(issue.due_at)],
            strs,
            labels: (l0, issue.labels.len() as u32),
            deps: (d0, issue.dependencies.len() as u32),
            key,
        });
    }

    /// Copies row `i` of another index unchanged (incremental refresh).
    pub fn push_row_of(&mut self, other: &Index, i: usize) {
        let strs = [Field::Id, Field::Title, Field::Status, Field::Type, Field::Assignee, Field::Description, Field::JsonTail]
            .map(|f| self.push_str(other.field(i, f)));
        let key = self.push_key(other.id(i));
        let l0 = self.labels.len() as u32;
        let mut nl = 0;
        for l in other.labels(i) {
            let r = self.push_str(l);
            self.labels.push(r);
            nl += 1;
        }
        let d0 = self.deps.len() as u32;
        let mut nd = 0;
        for d in other.deps(i) {
            self.push_dep(d.target(), d.type_code, d.dep_type());
            nd += 1;
        }
        let row = other.row(i);
        let mut codes = [0u8; 4];
        codes.copy_from_slice(row.get(OID_LEN..OID_LEN + 4).unwrap_or(&[0; 4]));
        let times = [Time::Created, Time::Updated, Time::Closed, Time::DeferUntil, Time::Due].map(|t| other.time(i, t));
        self.rows.push(DraftRow { blob: other.blob(i), codes, times, strs, labels: (l0, nl), deps: (d0, nd), key });
    }

    /// Records a blob that could not be read.
    pub fn push_invalid(&mut self, entry: InvalidEntry) {
        self.invalid.push(entry);
    }

    /// Encodes the index into a buffer.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        IndexBuilder::finish_parts(vec![self], &mut out).expect("writing into memory cannot fail");
        out
    }

    /// Encodes the rows of all `parts` (which describe the same tree) as one
    /// index, streamed to `out`: rows sorted by ID, dependency targets
    /// resolved to rows, the heaps concatenated.
    pub fn finish_parts(parts: Vec<IndexBuilder>, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut hashing = Checksummed::new(out);
        IndexBuilder::write_parts(parts, &mut hashing)?;
        hashing.finish()
    }

    fn write_parts(mut parts: Vec<IndexBuilder>, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for p in &mut parts {
            if let Some(e) = p.spill_error.take() {
                return Err(e);
            }
        }
        let tree = parts.first().map(|p| p.tree).unwrap_or_else(|| ObjectId::empty_tree(gix::hash::Kind::Sha1));
        let base = parts.iter().find_map(|p| p.base);
        let mut removed: Vec<&str> = parts.iter().flat_map(|p| p.removed.iter().map(String::as_str)).collect();
        removed.sort_unstable();
        removed.dedup();
        let removed = serde_json::to_vec(&removed).expect("strings serialize");
        // Global heap offset of each part.
        let mut bases = Vec::with_capacity(parts.len());
        let mut heap_total: u64 = 0;
        for p in &parts {
            bases.push(heap_total as u32);
            heap_total += p.heap_len();
        }
        if heap_total > u64::from(u32::MAX) {
            return Err(std::io::Error::other("the index text exceeds 4 GiB"));
        }
        let n: usize = parts.iter().map(|p| p.rows.len()).sum();
        let n_deps: usize = parts.iter().map(|p| p.deps.len()).sum();
        let n_labels: usize = parts.iter().map(|p| p.labels.len()).sum();
        let mut order: Vec<(u32, u32)> =
            parts.iter().enumerate().flat_map(|(pi, p)| (0..p.rows.len() as u32).map(move |r| (pi as u32, r))).collect();
        let id_of = |(pi, r): (u32, u32)| {
            let p = &parts[pi as usize];
            p.key(p.rows[r as usize].key)
        };
        order.sort_unstable_by(|&a, &b| id_of(a).cmp(id_of(b)));
        // Duplicate IDs cannot occur within one tree (the ID is the file name).
        let position: std::collections::HashMap<&[u8], u32> = order.iter().enumerate().map(|(i, &k)| (id_of(k), i as u32)).collect();
        let invalid: Vec<&InvalidEntry> = parts.iter().flat_map(|p| p.invalid.iter()).collect();
        let invalid = serde_json::to_vec(&invalid).expect("plain data serializes");

        let rows_len = (n * ROW_SIZE) as u64;
        let sections = {
            let mut at = HEADER_SIZE as u64;
            let mut s = [(0u64, 0u64); SECTIONS];
            for (i, len) in
                [rows_len, (n_deps * DEP_SIZE) as u64, (n_labels * 8) as u64, heap_total, invalid.len() as u64, removed.len() as u64]
                    .into_iter()
                    .enumerate()
            {
                s[i] = (at, len);
                at += len;
            }
            s
        };
        let mut header = Vec::with_capacity(HEADER_SIZE);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&(n as u32).to_le_bytes());
        header.extend_from_slice(tree.as_slice());
        match base {
            Some(b) => header.extend_from_slice(b.as_slice()),
            None => header.extend_from_slice(&[0; OID_LEN]),
        }
        for (off, len) in sections {
            header.extend_from_slice(&off.to_le_bytes());
            header.extend_from_slice(&len.to_le_bytes());
        }
        out.write_all(&header)?;

        // Rows, each pointing at its runs of dependencies and labels in
        // sorted-row order.
        let (mut dep_at, mut label_at) = (0u32, 0u32);
        let mut buf = Vec::with_capacity(ROW_SIZE);
        for &(pi, r) in &order {
            let base = bases[pi as usize];
            let row = &parts[pi as usize].rows[r as usize];
            buf.clear();
            buf.extend_from_slice(row.blob.as_slice());
            buf.extend_from_slice(&row.codes);
            for t in row.times {
                buf.extend_from_slice(&t.to_le_bytes());
            }
            for s in row.strs {
                buf.extend_from_slice(&(s.off + base).to_le_bytes());
                buf.extend_from_slice(&s.len.to_le_bytes());
            }
            buf.extend_from_slice(&label_at.to_le_bytes());
            buf.extend_from_slice(&row.labels.1.to_le_bytes());
            buf.extend_from_slice(&dep_at.to_le_bytes());
            buf.extend_from_slice(&row.deps.1.to_le_bytes());
            label_at += row.labels.1;
            dep_at += row.deps.1;
            out.write_all(&buf)?;
        }
        for &(pi, r) in &order {
            let p = &parts[pi as usize];
            let base = bases[pi as usize];
            let row = &p.rows[r as usize];
            for d in &p.deps[row.deps.0 as usize..(row.deps.0 + row.deps.1) as usize] {
                let target_row = position.get(p.key(d.key)).copied().unwrap_or(UNRESOLVED);
                buf.clear();
                buf.extend_from_slice(&target_row.to_le_bytes());
                buf.extend_from_slice(&(d.target.off + base).to_le_bytes());
                buf.extend_from_slice(&d.target.len.to_le_bytes());
                buf.extend_from_slice(&[d.type_code, 0, 0, 0]);
                buf.extend_from_slice(&(d.type_str.off + base).to_le_bytes());
                buf.extend_from_slice(&d.type_str.len.to_le_bytes());
                out.write_all(&buf)?;
            }
        }
        for &(pi, r) in &order {
            let p = &parts[pi as usize];
            let base = bases[pi as usize];
            let row = &p.rows[r as usize];
            for l in &p.labels[row.labels.0 as usize..(row.labels.0 + row.labels.1) as usize] {
                out.write_all(&(l.off + base).to_le_bytes())?;
                out.write_all(&l.len.to_le_bytes())?;
            }
        }
        drop(position);
        for p in parts {
            match p.heap {
                Heap::Memory(v) => out.write_all(&v)?,
                Heap::Spill { file, .. } => {
                    use std::io::Seek;
                    let mut f = file.into_inner().map_err(|e| e.into_error())?;
                    f.seek(std::io::SeekFrom::Start(0))?;
                    std::io::copy(&mut f, out)?;
                }
            }
        }
        out.write_all(&invalid)?;
        out.write_all(&removed)
    }
}

/// The integrity check: the file ends with a 64-bit checksum, the xxh3 of
/// the xxh3 digests of its 1 MiB blocks (so large files are checked on
/// several cores). A flipped bit anywhere, a truncated or a foreign file is
/// refused when the file is opened, and the index is rebuilt from the tree.
const CHECK_BLOCK: usize = 1 << 20;
const CHECK_LEN: usize = 8;

/// A writer that checksums what passes through it (see [`CHECK_BLOCK`]).
struct Checksummed<'w, W: std::io::Write> {
    out: &'w mut W,
    block: xxhash_rust::xxh3::Xxh3,
    in_block: usize,
    digests: Vec<u8>,
}

impl<'w, W: std::io::Write> Checksummed<'w, W> {
    fn new(out: &'w mut W) -> Self {
        Checksummed { out, block: xxhash_rust::xxh3::Xxh3::new(), in_block: 0, digests: Vec::new() }
    }

    /// Writes the trailer.
    fn finish(mut self) -> std::io::Result<()> {
        if self.in_block > 0 {
            self.digests.extend_from_slice(&self.block.digest().to_le_bytes());
        }
        self.out.write_all(&xxhash_rust::xxh3::xxh3_64(&self.digests).to_le_bytes())
    }
}

impl<W: std::io::Write> std::io::Write for Checksummed<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(CHECK_BLOCK - self.in_block);
        let n = self.out.write(&buf[..n])?;
        self.block.update(&buf[..n]);
        self.in_block += n;
        if self.in_block == CHECK_BLOCK {
            self.digests.extend_from_slice(&self.block.digest().to_le_bytes());
            self.block.reset();
            self.in_block = 0;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The checksum of `data` as [`Checksummed`] computes it, on up to
/// `threads` cores.
fn checksum(data: &[u8], threads: usize) -> u64 {
    let blocks: Vec<&[u8]> = data.chunks(CHECK_BLOCK).collect();
    let mut digests = vec![0u64; blocks.len()];
    let threads = threads.clamp(1, 8).min(blocks.len().div_ceil(4).max(1));
    if threads <= 1 {
        for (d, b) in digests.iter_mut().zip(&blocks) {
            *d = xxhash_rust::xxh3::xxh3_64(b);
        }
    } else {
        let per = blocks.len().div_ceil(threads);
        std::thread::scope(|s| {
            for (ds, bs) in digests.chunks_mut(per).zip(blocks.chunks(per)) {
                s.spawn(move || {
                    for (d, b) in ds.iter_mut().zip(bs) {
                        *d = xxhash_rust::xxh3::xxh3_64(b);
                    }
                });
            }
        });
    }
    let bytes: Vec<u8> = digests.iter().flat_map(|d| d.to_le_bytes()).collect();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// The bytes behind an index: a mapped file or an owned buffer.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// Why index bytes were refused.
#[derive(Debug, thiserror::Error)]
#[error("damaged index: {0}")]
pub struct IndexError(&'static str);

/// A read-only view of an index file.
pub struct Index {
    bytes: Bytes,
    n: usize,
    tree: ObjectId,
    rows: Range<usize>,
    deps: Range<usize>,
    labels: Range<usize>,
    heap: Range<usize>,
    invalid: Range<usize>,
    base: Option<ObjectId>,
    removed: Range<usize>,
}

/// Codes of the dependency types the graph looks at (positions in
/// `DepType::BUILTIN`; a unit test pins them).
pub mod dep_code {
    pub const BLOCKS: u8 = 0;
    pub const PARENT_CHILD: u8 = 1;
    pub const CONDITIONAL_BLOCKS: u8 = 2;
    pub const WAITS_FOR: u8 = 3;
    /// A type outside the built-in list (never blocks).
    pub const CUSTOM: u8 = 255;

    /// `blocks`, `conditional-blocks`, `waits-for`.
    pub fn is_blocking(code: u8) -> bool {
        code == BLOCKS || code == CONDITIONAL_BLOCKS || code == WAITS_FOR
    }
}

/// One dependency as the index stores it; its strings are read on demand.
#[derive(Clone, Copy)]
pub struct DepRef<'a> {
    index: &'a Index,
    at: usize,
    /// The target's row in the same index, or [`UNRESOLVED`].
    pub target_row: u32,
    /// See [`dep_code`].
    pub type_code: u8,
}

impl<'a> DepRef<'a> {
    /// The ID depended on.
    pub fn target(&self) -> &'a str {
        let b: &[u8] = &self.index.bytes;
        self.index.heap_str(le_u32(b, self.at + 4), le_u32(b, self.at + 8))
    }

    /// The dependency type as stored.
    pub fn dep_type(&self) -> &'a str {
        let b: &[u8] = &self.index.bytes;
        self.index.heap_str(le_u32(b, self.at + 16), le_u32(b, self.at + 20))
    }

    /// `blocks`, `conditional-blocks`, `waits-for`.
    pub fn is_blocking(&self) -> bool {
        dep_code::is_blocking(self.type_code)
    }

    /// `parent-child`.
    pub fn is_parent(&self) -> bool {
        self.type_code == dep_code::PARENT_CHILD
    }
}

impl std::fmt::Debug for DepRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DepRef")
            .field("target", &self.target())
            .field("type", &self.dep_type())
            .field("target_row", &self.target_row)
            .finish()
    }
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes"))).unwrap_or(0)
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().expect("8 bytes"))).unwrap_or(0)
}

fn le_i64(b: &[u8], at: usize) -> i64 {
    b.get(at..at + 8).map(|s| i64::from_le_bytes(s.try_into().expect("8 bytes"))).unwrap_or(NO_TIME)
}

impl Index {
    /// An index of an empty tree.
    pub fn empty(tree: ObjectId) -> Index {
        Index::open(Bytes::Owned(IndexBuilder::new(tree, 0).finish())).expect("an empty index is well-formed")
    }

    /// Checks the structure of `bytes` and wraps them.
    pub fn open(bytes: Bytes) -> Result<Index, IndexError> {
        let all: &[u8] = &bytes;
        if all.len() < HEADER_SIZE + CHECK_LEN || &all[..8] != MAGIC {
            return Err(IndexError("bad magic"));
        }
        if le_u32(all, 8) != VERSION {
            return Err(IndexError("unknown version"));
        }
        let b = &all[..all.len() - CHECK_LEN];
        let n = le_u32(b, 12) as usize;
        let tree = ObjectId::try_from(&b[16..16 + OID_LEN]).map_err(|_| IndexError("bad tree id"))?;
        let base_bytes = &b[16 + OID_LEN..16 + 2 * OID_LEN];
        let base = if base_bytes.iter().all(|&x| x == 0) {
            None
        } else {
            Some(ObjectId::try_from(base_bytes).map_err(|_| IndexError("bad base tree id"))?)
        };
        let mut secs: [Range<usize>; SECTIONS] = std::array::from_fn(|_| 0..0);
        for (i, sec) in secs.iter_mut().enumerate() {
            let at = SECTION_TABLE + i * 16;
            let (off, len) = (le_u64(b, at) as usize, le_u64(b, at + 8) as usize);
            let end = off.checked_add(len).ok_or(IndexError("section overflow"))?;
            if off < HEADER_SIZE || end > b.len() {
                return Err(IndexError("section out of bounds"));
            }
            *sec = off..end;
        }
        let [rows, deps, labels, heap, invalid, removed] = secs;
        if rows.len() != n * ROW_SIZE || deps.len() % DEP_SIZE != 0 || labels.len() % 8 != 0 {
            return Err(IndexError("section sizes disagree"));
        }
        // Row contents are not parsed here; the checksum (see `verified`)
        // proves them intact, and every accessor is bounds-checked besides.
        Ok(Index { bytes, n, tree, rows, deps, labels, heap, invalid, base, removed })
    }

    /// [`Index::open`], after checking the file's checksum: what every index
    /// read from disk goes through. Costs one pass over the file (about
    /// 0.5 ms per 10 MB here, split over the cores).
    pub fn open_verified(bytes: Bytes) -> Result<Index, IndexError> {
        let b: &[u8] = &bytes;
        if b.len() < HEADER_SIZE + CHECK_LEN {
            return Err(IndexError("truncated"));
        }
        let (data, trailer) = b.split_at(b.len() - CHECK_LEN);
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        if checksum(data, threads).to_le_bytes() != trailer {
            return Err(IndexError("checksum mismatch"));
        }
        Index::open(bytes)
    }

    /// The tree this index describes.
    pub fn tree(&self) -> ObjectId {
        self.tree
    }

    /// Number of issues.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the tree holds no issues.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn row(&self, i: usize) -> &[u8] {
        let at = self.rows.start + i * ROW_SIZE;
        self.bytes.get(at..at + ROW_SIZE).unwrap_or(&[])
    }

    fn heap_str(&self, off: u32, len: u32) -> &str {
        let start = self.heap.start + off as usize;
        self.bytes.get(start..start + len as usize).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }

    fn field_bytes(&self, i: usize, f: Field) -> &[u8] {
        let row = self.row(i);
        let at = OID_LEN + 4 + 40 + (f as usize) * 8;
        let start = self.heap.start + le_u32(row, at) as usize;
        self.bytes.get(start..start + le_u32(row, at + 4) as usize).unwrap_or(&[])
    }

    fn field(&self, i: usize, f: Field) -> &str {
        let row = self.row(i);
        let at = OID_LEN + 4 + 40 + (f as usize) * 8;
        self.heap_str(le_u32(row, at), le_u32(row, at + 4))
    }

    /// The issue's ID.
    pub fn id(&self, i: usize) -> &str {
        self.field(i, Field::Id)
    }
    pub fn title(&self, i: usize) -> &str {
        self.field(i, Field::Title)
    }
    pub fn status(&self, i: usize) -> &str {
        self.field(i, Field::Status)
    }
    pub fn issue_type(&self, i: usize) -> &str {
        self.field(i, Field::Type)
    }
    pub fn assignee(&self, i: usize) -> Option<&str> {
        Some(self.field(i, Field::Assignee)).filter(|s| !s.is_empty())
    }
    pub fn description(&self, i: usize) -> &str {
        self.field(i, Field::Description)
    }
    /// Appends the issue's beads JSON, without its closing `}`, to `out`.
    /// The pre-rendered part is copied as bytes (it was written as UTF-8 JSON
    /// and is not looked at), the rest escaped now.
    pub fn write_json_open(&self, i: usize, out: &mut Vec<u8>) {
        let put = |out: &mut Vec<u8>, s: &str| model::json::write(&mut *out, s).expect("strings serialize into memory");
        out.extend_from_slice(b"{\"id\":");
        put(out, self.id(i));
        out.extend_from_slice(b",\"title\":");
        put(out, self.title(i));
        let d = self.description(i);
        if !d.is_empty() {
            out.extend_from_slice(b",\"description\":");
            put(out, d);
        }
        out.extend_from_slice(self.field_bytes(i, Field::JsonTail));
    }

    /// The issue's beads JSON without its closing `}`.
    pub fn json_open(&self, i: usize) -> String {
        let mut s = Vec::new();
        self.write_json_open(i, &mut s);
        String::from_utf8_lossy(&s).into_owned()
    }

    /// The blob the issue is stored in.
    pub fn blob(&self, i: usize) -> ObjectId {
        self.row(i).get(..OID_LEN).and_then(|b| ObjectId::try_from(b).ok()).unwrap_or_else(|| ObjectId::null(gix::hash::Kind::Sha1))
    }

    /// Status class (see `status_code`).
    pub fn status_code(&self, i: usize) -> u8 {
        self.row(i).get(OID_LEN).copied().unwrap_or(status_code::CUSTOM)
    }
    /// Priority 0..=4.
    pub fn priority(&self, i: usize) -> u8 {
        self.row(i).get(OID_LEN + 1).copied().unwrap_or(4)
    }
    /// Whether the issue is an epic.
    pub fn is_epic(&self, i: usize) -> bool {
        self.row(i).get(OID_LEN + 2).copied() == Some(epic_code())
    }

    /// Whether the issue is a planning copy marked as accepted upstream.
    pub fn is_accepted_copy(&self, i: usize) -> bool {
        self.row(i).get(OID_LEN + 3).copied().unwrap_or(0) & FLAG_ACCEPTED != 0
    }

    /// A timestamp in microseconds, `NO_TIME` if unset.
    pub fn time(&self, i: usize, t: Time) -> i64 {
        le_i64(self.row(i), OID_LEN + 4 + (t as usize) * 8)
    }

    /// A timestamp, if set.
    pub fn timestamp(&self, i: usize, t: Time) -> Option<model::Timestamp> {
        match self.time(i, t) {
            NO_TIME => None,
            us => model::Timestamp::from_micros(us),
        }
    }

    /// A row's run in the label (0) or dependency (1) table, clamped to the
    /// table so that damaged data can never make a loop run away.
    fn list(&self, i: usize, which: usize) -> (usize, usize) {
        let row = self.row(i);
        let at = OID_LEN + 4 + 40 + STR_FIELDS * 8 + which * 8;
        let total = if which == 0 { self.labels.len() / 8 } else { self.deps.len() / DEP_SIZE };
        let start = (le_u32(row, at) as usize).min(total);
        let len = (le_u32(row, at + 4) as usize).min(total - start);
        (start, len)
    }

    /// The issue's labels, sorted.
    pub fn labels(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let (l0, n) = self.list(i, 0);
        (l0..l0 + n).map(move |l| {
            let at = self.labels.start + l * 8;
            self.heap_str(le_u32(&self.bytes, at), le_u32(&self.bytes, at + 4))
        })
    }

    /// Whether the issue carries `label`.
    pub fn has_label(&self, i: usize, label: &str) -> bool {
        self.labels(i).any(|l| l == label)
    }

    /// The issue's dependencies, sorted by target.
    pub fn deps(&self, i: usize) -> impl Iterator<Item = DepRef<'_>> + '_ {
        let (d0, n) = self.list(i, 1);
        (d0..d0 + n).map(move |d| self.dep_at(d))
    }

    /// Number of dependencies of the issue.
    pub fn dep_count(&self, i: usize) -> usize {
        self.list(i, 1).1
    }

    fn dep_at(&self, d: usize) -> DepRef<'_> {
        let b: &[u8] = &self.bytes;
        let at = self.deps.start + d * DEP_SIZE;
        let row = le_u32(b, at);
        DepRef {
            index: self,
            at,
            target_row: if (row as usize) < self.n { row } else { UNRESOLVED },
            type_code: b.get(at + 12).copied().unwrap_or(dep_code::CUSTOM),
        }
    }

    /// All dependencies of all issues, as (owner row, dependency).
    pub fn all_deps(&self) -> impl Iterator<Item = (usize, DepRef<'_>)> + '_ {
        (0..self.n).flat_map(move |i| self.deps(i).map(move |d| (i, d)))
    }

    /// The row of `id`, if present.
    pub fn find(&self, id: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0usize, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.id(mid).cmp(id) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The issue's ID as stored, without UTF-8 validation (for scans).
    pub fn id_bytes(&self, i: usize) -> &[u8] {
        self.field_bytes(i, Field::Id)
    }

    /// All IDs in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.n).map(move |i| self.id(i))
    }

    /// For a delta, the tree of the full index it applies to.
    pub fn base_tree(&self) -> Option<ObjectId> {
        self.base
    }

    /// For a delta, the IDs of the base that its tree no longer holds.
    pub fn removed(&self) -> Vec<String> {
        self.bytes.get(self.removed.clone()).and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default()
    }

    /// Blobs of the tree that could not be read.
    pub fn invalid(&self) -> Vec<InvalidEntry> {
        self.bytes.get(self.invalid.clone()).and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dependency, Priority, Timestamp};

    fn issue(id: &str, deps: &[(&str, DepType)]) -> Issue {
        let mut i = Issue::new(id.into(), format!("title of {id}"), Timestamp::parse("2026-01-02T03:04:05Z").unwrap());
        for (t, ty) in deps {
            i.add_dependency(Dependency::new(*t, ty.clone()));
        }
        i.labels.insert("b".into());
        i.labels.insert("a".into());
        i.priority = Priority::new(1).unwrap();
        i
    }

    fn oid(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn rows_round_trip_sorted_with_resolved_targets() {
        let mut b = IndexBuilder::new(oid(9), 3);
        b.push_issue(&issue("bd-c", &[("bd-a", DepType::Blocks), ("gone-1", DepType::Related)]), oid(3));
        b.push_issue(&issue("bd-a", &[]), oid(1));
        b.push_invalid(InvalidEntry { path: "issues/x/y/bd-x.json".into(), blob: "ab".into(), error: "bad".into() });
        let idx = Index::open(Bytes::Owned(b.finish())).unwrap();
        assert_eq!(idx.tree(), oid(9));
        assert_eq!(idx.ids().collect::<Vec<_>>(), ["bd-a", "bd-c"]);
        assert_eq!(idx.find("bd-c"), Some(1));
        assert_eq!(idx.find("bd-b"), None);
        assert_eq!(idx.blob(1), oid(3));
        assert_eq!(idx.priority(1), 1);
        assert_eq!(idx.labels(1).collect::<Vec<_>>(), ["a", "b"]);
        let deps: Vec<_> = idx.deps(1).map(|d| (d.target_row, d.target(), d.dep_type())).collect();
        assert_eq!(deps, [(0, "bd-a", "blocks"), (UNRESOLVED, "gone-1", "related")]);
        assert_eq!(idx.timestamp(1, Time::Created).unwrap().to_canonical(), "2026-01-02T03:04:05Z");
        assert_eq!(idx.timestamp(1, Time::Closed), None);
        assert!(idx.json_open(1).starts_with(r#"{"id":"bd-c","#));
        assert!(!idx.json_open(1).ends_with('}'));
        assert_eq!(idx.invalid().len(), 1);
    }

    #[test]
    fn copying_rows_preserves_everything() {
        let mut b = IndexBuilder::new(oid(9), 2);
        b.push_issue(&issue("bd-c", &[("bd-a", DepType::Blocks)]), oid(3));
        b.push_issue(&issue("bd-a", &[]), oid(1));
        let first = Index::open(Bytes::Owned(b.finish())).unwrap();
        let mut b2 = IndexBuilder::new(oid(8), 2);
        for i in 0..first.len() {
            b2.push_row_of(&first, i);
        }
        let second = Index::open(Bytes::Owned(b2.finish())).unwrap();
        for i in 0..2 {
            assert_eq!(first.json_open(i), second.json_open(i));
            assert_eq!(first.blob(i), second.blob(i));
            assert_eq!(first.status_code(i), second.status_code(i));
            assert_eq!(first.time(i, Time::Updated), second.time(i, Time::Updated));
            assert_eq!(first.deps(i).map(|d| d.target_row).collect::<Vec<_>>(), second.deps(i).map(|d| d.target_row).collect::<Vec<_>>());
        }
    }

    #[test]
    fn dep_codes_match_the_builtin_order() {
        assert_eq!(dep_code(&DepType::Blocks), dep_code::BLOCKS);
        assert_eq!(dep_code(&DepType::ParentChild), dep_code::PARENT_CHILD);
        assert_eq!(dep_code(&DepType::ConditionalBlocks), dep_code::CONDITIONAL_BLOCKS);
        assert_eq!(dep_code(&DepType::WaitsFor), dep_code::WAITS_FOR);
        assert_eq!(dep_code(&DepType::Custom("x".into())), dep_code::CUSTOM);
        for t in DepType::BUILTIN {
            assert_eq!(dep_code::is_blocking(dep_code(&DepType::from_word(t))), DepType::from_word(t).is_blocking(), "{t}");
        }
    }

    #[test]
    fn damaged_bytes_are_refused_or_read_safely() {
        let mut b = IndexBuilder::new(oid(9), 1);
        b.push_issue(&issue("bd-a", &[("bd-b", DepType::Blocks)]), oid(1));
        let good = b.finish();
        assert!(Index::open(Bytes::Owned(good[..good.len() - 3].to_vec())).is_err());
        assert!(Index::open(Bytes::Owned(b"GBEADSIX".to_vec())).is_err());
        let mut bad = good.clone();
        // Point the first string ref of row 0 far outside the heap: reads give "".
        let rows_off = le_u64(&good, SECTION_TABLE) as usize;
        let at = rows_off + OID_LEN + 4 + 40;
        bad[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let idx = Index::open(Bytes::Owned(bad)).unwrap();
        assert_eq!(idx.id(0), "");
        // Every single-byte corruption either fails to open or reads without panicking.
        for pos in (0..good.len()).step_by(7) {
            let mut c = good.clone();
            c[pos] ^= 0x5a;
            if let Ok(idx) = Index::open(Bytes::Owned(c)) {
                for i in 0..idx.len() {
                    let _ = (idx.id(i), idx.json_open(i), idx.labels(i).count(), idx.invalid());
                    for d in idx.deps(i) {
                        let _ = (d.target(), d.dep_type(), d.is_blocking());
                    }
                }
            }
        }
    }
}
