//! Reading namespace trees: the root `format` blob, the fan-out of issue
//! blobs under `issues/`, path lookups, and the difference between two trees.
//!
//! The diff is written for this layout rather than taken from gix's general
//! tree diff (which needs the `blob-diff` feature and its attribute stack):
//! it walks two sorted entry lists side by side and descends only into
//! subtrees whose ids differ, so a one-issue change costs four tree reads
//! whatever the namespace size.

use super::Error;
use crate::model::id;
use gix::ObjectId;
use gix::objs::{Find, TreeRefIter};

/// The name of the root blob holding the namespace format version.
pub const FORMAT_FILE: &str = "format";
/// The directory holding the fan-out of issue blobs.
pub const ISSUES_DIR: &str = "issues";
/// The namespace layout version this build reads and writes.
pub const LAYOUT_VERSION: u64 = 1;

/// The content of the `format` blob this build writes.
pub fn format_blob() -> Vec<u8> {
    format!("{{\"format_version\": {LAYOUT_VERSION}}}\n").into_bytes()
}

/// One entry of a tree, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub oid: ObjectId,
    pub is_tree: bool,
}

/// Where objects are read from: the repository's object database, or the
/// build-owned pack mappings of [`super::bulk`].
pub trait Objects {
    /// Reads object `id` into `buf` and checks its kind.
    fn read<'b>(&mut self, id: &gix::oid, kind: gix::objs::Kind, buf: &'b mut Vec<u8>) -> Result<&'b [u8], Error>;
}

impl Objects for &gix::Repository {
    fn read<'b>(&mut self, id: &gix::oid, kind: gix::objs::Kind, buf: &'b mut Vec<u8>) -> Result<&'b [u8], Error> {
        read_object(self, id, kind, buf)
    }
}

/// Reads object `id` into `buf` and checks its kind.
pub fn read_object<'b>(repo: &gix::Repository, id: &gix::oid, kind: gix::objs::Kind, buf: &'b mut Vec<u8>) -> Result<&'b [u8], Error> {
    if kind == gix::objs::Kind::Tree && id == ObjectId::empty_tree(id.kind()) {
        buf.clear();
        return Ok(&buf[..]);
    }
    let data = repo
        .objects
        .try_find(id, buf)
        .map_err(|e| Error::git(format!("could not read object {id}"), e))?
        .ok_or_else(|| Error::MissingObject { oid: id.to_owned() })?;
    if data.kind != kind {
        return Err(Error::WrongObjectKind { oid: id.to_owned(), expected: kind.to_string(), found: data.kind.to_string() });
    }
    Ok(data.data)
}

/// The entries of tree `id`, in git's order.
pub fn entries(mut repo: &gix::Repository, id: &gix::oid, buf: &mut Vec<u8>) -> Result<Vec<Entry>, Error> {
    entries_from(&mut repo, id, buf)
}

/// [`entries`], reading from `objects`.
pub fn entries_from(objects: &mut impl Objects, id: &gix::oid, buf: &mut Vec<u8>) -> Result<Vec<Entry>, Error> {
    if id == ObjectId::empty_tree(id.kind()) {
        return Ok(Vec::new());
    }
    let data = objects.read(id, gix::objs::Kind::Tree, buf)?;
    let mut out = Vec::new();
    for e in TreeRefIter::from_bytes(data, id.kind()) {
        let e = e.map_err(|e| Error::git(format!("could not decode tree {id}"), e))?;
        out.push(Entry { name: e.filename.to_string(), oid: e.oid.to_owned(), is_tree: e.mode.is_tree() });
    }
    Ok(out)
}

/// Checks the root `format` blob of `root` (absent means an empty, new tree).
/// A version this build does not know is [`Error::UnknownFormat`] (written
/// by a newer git-beads); a `format` entry that is not a small JSON object
/// with a numeric `format_version` is [`Error::DamagedFormat`].
pub fn check_format(repo: &gix::Repository, namespace: &str, root: &[Entry]) -> Result<(), Error> {
    let Some(f) = root.iter().find(|e| e.name == FORMAT_FILE) else {
        return Ok(());
    };
    let damaged = |what: String| Error::DamagedFormat { namespace: namespace.to_string(), what };
    if f.is_tree {
        return Err(damaged("it is a tree, not a blob".into()));
    }
    let mut buf = Vec::new();
    let data = match read_object(repo, &f.oid, gix::objs::Kind::Blob, &mut buf) {
        Ok(d) => d,
        Err(Error::WrongObjectKind { found, .. }) => return Err(damaged(format!("it is a {found}, not a blob"))),
        Err(e) => return Err(e),
    };
    let found = serde_json::from_slice::<serde_json::Value>(data).ok().and_then(|v| v.get("format_version").cloned());
    match found {
        Some(v) if v.as_u64() == Some(LAYOUT_VERSION) => Ok(()),
        Some(v) if v.is_u64() => Err(Error::UnknownFormat { namespace: namespace.to_string(), found: v.to_string() }),
        _ => {
            let shown: String = String::from_utf8_lossy(data).trim().chars().take(60).collect();
            Err(damaged(format!("it holds {shown:?}, not {{\"format_version\": <number>}}")))
        }
    }
}

/// Checks what a write needs of the root: a readable `format`, and an
/// `issues` entry that is a tree (a blob there would be replaced by the
/// first issue written, and lost).
pub fn check_writable(repo: &gix::Repository, namespace: &str, root: &[Entry]) -> Result<(), Error> {
    check_format(repo, namespace, root)?;
    match root.iter().find(|e| e.name == ISSUES_DIR) {
        Some(e) if !e.is_tree => Err(Error::DamagedLayout {
            namespace: namespace.to_string(),
            what: format!("its `{ISSUES_DIR}` entry is a blob ({}), not the tree that holds the issues", e.oid),
        }),
        _ => Ok(()),
    }
}

/// An issue blob found in a tree.
#[derive(Clone, Debug)]
pub struct IssueEntry {
    pub blob: ObjectId,
    pub path: String,
}

/// Everything under `issues/` in `root`: the issue blobs, and the entries
/// that do not belong there (as invalid entries).
pub fn list_issues(
    repo: &gix::Repository,
    namespace: &str,
    root: &gix::oid,
) -> Result<(Vec<IssueEntry>, Vec<super::index::InvalidEntry>), Error> {
    list_issues_from(&mut { repo }, repo, namespace, root)
}

/// [`list_issues`], reading the trees from `objects`.
pub fn list_issues_from(
    objects: &mut impl Objects,
    repo: &gix::Repository,
    namespace: &str,
    root: &gix::oid,
) -> Result<(Vec<IssueEntry>, Vec<super::index::InvalidEntry>), Error> {
    let mut buf = Vec::new();
    let top = entries_from(objects, root, &mut buf)?;
    check_format(repo, namespace, &top)?;
    let mut issues = Vec::new();
    let mut invalid = Vec::new();
    let Some(dir) = top.iter().find(|e| e.name == ISSUES_DIR) else {
        return Ok((issues, invalid));
    };
    if !dir.is_tree {
        invalid.push(super::index::InvalidEntry {
            path: ISSUES_DIR.to_string(),
            blob: dir.oid.to_string(),
            error: format!("the `{ISSUES_DIR}` entry is a blob, not the tree that holds the issues"),
        });
        return Ok((issues, invalid));
    }
    for a in entries_from(objects, &dir.oid, &mut buf)? {
        if !a.is_tree {
            invalid.push(stray(format!("{ISSUES_DIR}/{}", a.name), &a));
            continue;
        }
        for b in entries_from(objects, &a.oid, &mut buf)? {
            if !b.is_tree {
                invalid.push(stray(format!("{ISSUES_DIR}/{}/{}", a.name, b.name), &b));
                continue;
            }
            for leaf in entries_from(objects, &b.oid, &mut buf)? {
                let path = format!("{ISSUES_DIR}/{}/{}/{}", a.name, b.name, leaf.name);
                match (leaf.is_tree, id::id_from_path(&path)) {
                    (false, Some(found)) if id::blob_path(found) == path => issues.push(IssueEntry { blob: leaf.oid, path }),
                    _ => invalid.push(stray(path, &leaf)),
                }
            }
        }
    }
    Ok((issues, invalid))
}

fn stray(path: String, e: &Entry) -> super::index::InvalidEntry {
    super::index::InvalidEntry {
        path,
        blob: if e.is_tree { String::new() } else { e.oid.to_string() },
        error: "not an issue blob in the namespace layout (expected issues/<a>/<b>/<id>.json)".into(),
    }
}

/// The blob at `path` in tree `root`, if there is one.
pub fn lookup(repo: &gix::Repository, root: &gix::oid, path: &str) -> Result<Option<ObjectId>, Error> {
    let mut buf = Vec::new();
    let mut current = root.to_owned();
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        let data = read_object(repo, &current, gix::objs::Kind::Tree, &mut buf)?;
        let mut next = None;
        for e in TreeRefIter::from_bytes(data, current.kind()) {
            let e = e.map_err(|e| Error::git(format!("could not decode tree {current}"), e))?;
            if e.filename == part.as_bytes() {
                let last = parts.peek().is_none();
                if last == e.mode.is_tree() {
                    return Ok(None);
                }
                next = Some(e.oid.to_owned());
                break;
            }
        }
        match next {
            Some(oid) if parts.peek().is_none() => return Ok(Some(oid)),
            Some(oid) => current = oid,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// A blob that differs between two trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobChange {
    pub path: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
}

/// Every blob path whose content differs between `old` and `new`.
pub fn diff(repo: &gix::Repository, old: &gix::oid, new: &gix::oid) -> Result<Vec<BlobChange>, Error> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    diff_into(repo, Some(old.to_owned()), Some(new.to_owned()), "", &mut out, &mut buf)?;
    Ok(out)
}

fn diff_into(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &str,
    out: &mut Vec<BlobChange>,
    buf: &mut Vec<u8>,
) -> Result<(), Error> {
    let a = match old {
        Some(t) => entries(repo, &t, buf)?,
        None => Vec::new(),
    };
    let b = match new {
        Some(t) => entries(repo, &t, buf)?,
        None => Vec::new(),
    };
    // git orders tree entries as if a tree's name ended in '/'.
    let key = |e: &Entry| {
        let mut k = e.name.as_bytes().to_vec();
        if e.is_tree {
            k.push(b'/');
        }
        k
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ord = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.name == y.name => std::cmp::Ordering::Equal,
            (Some(x), Some(y)) => key(x).cmp(&key(y)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        let (x, y) = match ord {
            std::cmp::Ordering::Less => {
                i += 1;
                (a.get(i - 1), None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (None, b.get(j - 1))
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (a.get(i - 1), b.get(j - 1))
            }
        };
        if let (Some(x), Some(y)) = (x, y)
            && x.oid == y.oid
            && x.is_tree == y.is_tree
        {
            continue;
        }
        let name = x.or(y).map(|e| e.name.as_str()).unwrap_or_default();
        let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
        let old_tree = x.filter(|e| e.is_tree).map(|e| e.oid);
        let new_tree = y.filter(|e| e.is_tree).map(|e| e.oid);
        let old_blob = x.filter(|e| !e.is_tree).map(|e| e.oid);
        let new_blob = y.filter(|e| !e.is_tree).map(|e| e.oid);
        if old_tree.is_some() || new_tree.is_some() {
            diff_into(repo, old_tree, new_tree, &path, out, buf)?;
        }
        if old_blob.is_some() || new_blob.is_some() {
            out.push(BlobChange { path, old: old_blob, new: new_blob });
        }
    }
    Ok(())
}
