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
const VERSION: u32 = 1;
const OID_LEN: usize = 20;
const SECTIONS: usize = 5;
const HEADER_SIZE: usize = 8 + 4 + 4 + OID_LEN + SECTIONS * 16;
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
    Json,
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
}

struct DraftDep {
    target: StrRef,
    type_code: u8,
    type_str: StrRef,
}

/// Accumulates rows and writes the index file bytes.
pub struct IndexBuilder {
    tree: ObjectId,
    heap: Vec<u8>,
    rows: Vec<DraftRow>,
    deps: Vec<DraftDep>,
    labels: Vec<StrRef>,
    invalid: Vec<InvalidEntry>,
}

impl IndexBuilder {
    /// An empty builder for the index of `tree`.
    pub fn new(tree: ObjectId, capacity: usize) -> Self {
        IndexBuilder {
            tree,
            heap: Vec::with_capacity(capacity * 700),
            rows: Vec::with_capacity(capacity),
            deps: Vec::with_capacity(capacity * 2),
            labels: Vec::with_capacity(capacity),
            invalid: Vec::new(),
        }
    }

    fn push_str(&mut self, s: &str) -> StrRef {
        let off = self.heap.len() as u32;
        self.heap.extend_from_slice(s.as_bytes());
        StrRef { off, len: s.len() as u32 }
    }

    /// Adds the row of a parsed issue stored in `blob`.
    pub fn push_issue(&mut self, issue: &Issue, blob: ObjectId) {
        let json = model::codec::to_beads_json(issue, model::Form::BeadsSummary);
        let json = &json[..json.len() - 1];
        let strs = [
            self.push_str(&issue.id),
            self.push_str(&issue.title),
            self.push_str(issue.status.as_str()),
            self.push_str(issue.issue_type.as_str()),
            self.push_str(issue.assignee.as_deref().unwrap_or("")),
            self.push_str(&issue.description),
            self.push_str(json),
        ];
        let l0 = self.labels.len() as u32;
        for l in &issue.labels {
            let r = self.push_str(l);
            self.labels.push(r);
        }
        let d0 = self.deps.len() as u32;
        for d in &issue.dependencies {
            let target = self.push_str(&d.id);
            let type_str = self.push_str(d.dep_type.as_str());
            self.deps.push(DraftDep { target, type_code: dep_code(&d.dep_type), type_str });
        }
        let t = |o: Option<model::Timestamp>| o.map(|t| t.as_micros()).unwrap_or(NO_TIME);
        self.rows.push(DraftRow {
            blob,
            codes: [status_to_code(&issue.status), issue.priority.get(), word_code(issue.issue_type.as_str(), IssueType::BUILTIN), 0],
            times: [issue.created_at.as_micros(), issue.updated_at.as_micros(), t(issue.closed_at), t(issue.defer_until), t(issue.due_at)],
            strs,
            labels: (l0, issue.labels.len() as u32),
            deps: (d0, issue.dependencies.len() as u32),
        });
    }

    /// Copies row `i` of another index unchanged (incremental refresh).
    pub fn push_row_of(&mut self, other: &Index, i: usize) {
        let strs = [
            self.push_str(other.id(i)),
            self.push_str(other.title(i)),
            self.push_str(other.status(i)),
            self.push_str(other.issue_type(i)),
            self.push_str(other.assignee(i).unwrap_or("")),
            self.push_str(other.description(i)),
            self.push_str(other.json_open(i)),
        ];
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
            let target = self.push_str(d.target());
            let type_str = self.push_str(d.dep_type());
            self.deps.push(DraftDep { target, type_code: d.type_code, type_str });
            nd += 1;
        }
        let row = other.row(i);
        let mut codes = [0u8; 4];
        codes.copy_from_slice(row.get(OID_LEN..OID_LEN + 4).unwrap_or(&[0; 4]));
        let times = [Time::Created, Time::Updated, Time::Closed, Time::DeferUntil, Time::Due].map(|t| other.time(i, t));
        self.rows.push(DraftRow { blob: other.blob(i), codes, times, strs, labels: (l0, nl), deps: (d0, nd) });
    }

    /// Records a blob that could not be read.
    pub fn push_invalid(&mut self, entry: InvalidEntry) {
        self.invalid.push(entry);
    }

    /// Number of rows so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no rows were added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn heap_str(&self, r: StrRef) -> &[u8] {
        &self.heap[r.off as usize..(r.off + r.len) as usize]
    }

    /// Sorts the rows by ID, resolves dependency targets to rows, and encodes the file.
    pub fn finish(self) -> Vec<u8> {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by(|&a, &b| self.heap_str(self.rows[a].strs[0]).cmp(self.heap_str(self.rows[b].strs[0])));
        // Duplicate IDs cannot occur within one tree (the ID is the file name).
        let sorted_ids: Vec<&[u8]> = order.iter().map(|&r| self.heap_str(self.rows[r].strs[0])).collect();

        let mut out = Vec::with_capacity(HEADER_SIZE + self.rows.len() * ROW_SIZE + self.heap.len() + self.deps.len() * DEP_SIZE);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        out.extend_from_slice(self.tree.as_slice());
        let table_at = out.len();
        out.resize(HEADER_SIZE, 0);
        let mut sections = [(0u64, 0u64); SECTIONS];

        // rows, with their dependency runs renumbered in sorted order
        let start = out.len();
        let mut deps_out: Vec<u8> = Vec::with_capacity(self.deps.len() * DEP_SIZE);
        let mut labels_out: Vec<u8> = Vec::with_capacity(self.labels.len() * 8);
        for &r in &order {
            let row = &self.rows[r];
            out.extend_from_slice(row.blob.as_slice());
            out.extend_from_slice(&row.codes);
            for t in row.times {
                out.extend_from_slice(&t.to_le_bytes());
            }
            for s in row.strs {
                out.extend_from_slice(&s.off.to_le_bytes());
                out.extend_from_slice(&s.len.to_le_bytes());
            }
            let l0 = (labels_out.len() / 8) as u32;
            for l in &self.labels[row.labels.0 as usize..(row.labels.0 + row.labels.1) as usize] {
                labels_out.extend_from_slice(&l.off.to_le_bytes());
                labels_out.extend_from_slice(&l.len.to_le_bytes());
            }
            out.extend_from_slice(&l0.to_le_bytes());
            out.extend_from_slice(&row.labels.1.to_le_bytes());
            let d0 = (deps_out.len() / DEP_SIZE) as u32;
            for d in &self.deps[row.deps.0 as usize..(row.deps.0 + row.deps.1) as usize] {
                let target = self.heap_str(d.target);
                let target_row = sorted_ids.binary_search(&target).map(|p| p as u32).unwrap_or(UNRESOLVED);
                deps_out.extend_from_slice(&target_row.to_le_bytes());
                deps_out.extend_from_slice(&d.target.off.to_le_bytes());
                deps_out.extend_from_slice(&d.target.len.to_le_bytes());
                deps_out.extend_from_slice(&[d.type_code, 0, 0, 0]);
                deps_out.extend_from_slice(&d.type_str.off.to_le_bytes());
                deps_out.extend_from_slice(&d.type_str.len.to_le_bytes());
            }
            out.extend_from_slice(&d0.to_le_bytes());
            out.extend_from_slice(&row.deps.1.to_le_bytes());
        }
        sections[0] = (start as u64, (out.len() - start) as u64);
        let invalid = serde_json::to_vec(&self.invalid).expect("plain data serializes");
        for (n, bytes) in [(1, &deps_out), (2, &labels_out), (3, &self.heap), (4, &invalid)] {
            let at = out.len();
            out.extend_from_slice(bytes);
            sections[n] = (at as u64, bytes.len() as u64);
        }
        for (n, (off, len)) in sections.iter().enumerate() {
            let at = table_at + n * 16;
            out[at..at + 8].copy_from_slice(&off.to_le_bytes());
            out[at + 8..at + 16].copy_from_slice(&len.to_le_bytes());
        }
        out
    }
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
        let b: &[u8] = &bytes;
        if b.len() < HEADER_SIZE || &b[..8] != MAGIC {
            return Err(IndexError("bad magic"));
        }
        if le_u32(b, 8) != VERSION {
            return Err(IndexError("unknown version"));
        }
        let n = le_u32(b, 12) as usize;
        let tree = ObjectId::try_from(&b[16..16 + OID_LEN]).map_err(|_| IndexError("bad tree id"))?;
        let mut secs: [Range<usize>; SECTIONS] = std::array::from_fn(|_| 0..0);
        for (i, sec) in secs.iter_mut().enumerate() {
            let at = 16 + OID_LEN + i * 16;
            let (off, len) = (le_u64(b, at) as usize, le_u64(b, at + 8) as usize);
            let end = off.checked_add(len).ok_or(IndexError("section overflow"))?;
            if off < HEADER_SIZE || end > b.len() {
                return Err(IndexError("section out of bounds"));
            }
            *sec = off..end;
        }
        let [rows, deps, labels, heap, invalid] = secs;
        if rows.len() != n * ROW_SIZE || deps.len() % DEP_SIZE != 0 || labels.len() % 8 != 0 {
            return Err(IndexError("section sizes disagree"));
        }
        // Row contents are not checked here (that would cost a pass over every
        // row on every command); every accessor is bounds-checked instead and
        // yields empty values rather than panicking on damaged data.
        Ok(Index { bytes, n, tree, rows, deps, labels, heap, invalid })
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
    /// The issue's beads JSON without its closing `}`.
    pub fn json_open(&self, i: usize) -> &str {
        self.field(i, Field::Json)
    }

    /// The blob the issue is stored in.
    pub fn blob(&self, i: usize) -> ObjectId {
        self.row(i).get(..OID_LEN).and_then(|b| ObjectId::try_from(b).ok()).unwrap_or_else(|| ObjectId::null(gix::hash::Kind::Sha1))
    }

    /// Status class (see [`status_code`]).
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

    /// A timestamp in microseconds, [`NO_TIME`] if unset.
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

    fn list(&self, i: usize, which: usize) -> (usize, usize) {
        let row = self.row(i);
        let at = OID_LEN + 4 + 40 + STR_FIELDS * 8 + which * 8;
        (le_u32(row, at) as usize, le_u32(row, at + 4) as usize)
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

    /// All IDs in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.n).map(move |i| self.id(i))
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
        let rows_off = le_u64(&good, 16 + OID_LEN) as usize;
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
