//! The three-way merge of two versions of a namespace: issue by issue and
//! field by field, without conflict markers, the same whichever side merges.
//!
//! Rules (docs/sync.md has examples):
//! - a change made on one side only wins;
//! - a scalar field changed on both sides to different values goes to the
//!   side whose issue has the later `updated_at`; on a tie, to the side whose
//!   canonical blob sorts higher (so both clones pick the same);
//! - labels, dependencies (by target) and comments (by id) merge as sets:
//!   adds and removes from both sides apply; an element changed on both sides
//!   follows the scalar rule;
//! - `metadata` and unknown fields merge key by key;
//! - `updated_at` is the later of the two; `closed_at` is made consistent with
//!   the merged status;
//! - an issue deleted on one side and untouched on the other stays deleted;
//!   deleted on one side and edited on the other keeps the edit;
//! - the same ID created independently on both sides (different creation
//!   time or creator) keeps both: one is renamed, deterministically;
//! - a blob that does not parse is refused (treated as no change on its
//!   side) and reported, and the rest merges.

use crate::model::{self, Comment, CommentId, Dependency, Issue, codec, id};
use crate::store::tree::{self, BlobChange};
use crate::store::{Error, Result};
use gix::ObjectId;
use std::collections::{BTreeMap, BTreeSet};

/// Which side of a merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The local namespace.
    Local,
    /// The namespace fetched from the remote.
    Remote,
}

/// Something the merge decided on its own, reported to the user and recorded
/// in the merge commit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Resolution {
    pub issue: String,
    /// The field (or `labels`/`dependencies`/`comments` element, or `issue`).
    pub field: String,
    /// What was done, in words.
    pub outcome: String,
}

impl std::fmt::Display for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.issue, self.field, self.outcome)
    }
}

/// The outcome of merging one issue present on both sides.
struct IssueMerge {
    issue: Issue,
    notes: Vec<Resolution>,
}

/// The side whose edits win ties: later `updated_at`, then the larger blob.
fn winner(ours: &Issue, theirs: &Issue) -> Side {
    match ours.updated_at.cmp(&theirs.updated_at) {
        std::cmp::Ordering::Greater => Side::Local,
        std::cmp::Ordering::Less => Side::Remote,
        std::cmp::Ordering::Equal => {
            if codec::to_blob(ours) >= codec::to_blob(theirs) {
                Side::Local
            } else {
                Side::Remote
            }
        }
    }
}

/// Three-way choice of one value; `Err(())` marks a both-sided conflict.
fn three_way<T: PartialEq + Clone>(base: Option<&T>, ours: &T, theirs: &T) -> Result<T, ()> {
    if ours == theirs {
        return Ok(ours.clone());
    }
    match base {
        Some(b) if b == ours => Ok(theirs.clone()),
        Some(b) if b == theirs => Ok(ours.clone()),
        _ => Err(()),
    }
}

struct Ctx<'a> {
    id: &'a str,
    win: Side,
    notes: Vec<Resolution>,
}

impl Ctx<'_> {
    fn pick<T: PartialEq + Clone>(&mut self, field: &str, base: Option<&T>, ours: &T, theirs: &T) -> T {
        match three_way(base, ours, theirs) {
            Ok(v) => v,
            Err(()) => {
                let side = match self.win {
                    Side::Local => "local",
                    Side::Remote => "remote",
                };
                self.notes.push(Resolution {
                    issue: self.id.to_string(),
                    field: field.to_string(),
                    outcome: format!("changed on both sides; kept the {side} value (later update)"),
                });
                match self.win {
                    Side::Local => ours.clone(),
                    Side::Remote => theirs.clone(),
                }
            }
        }
    }

    /// Merges keyed collections: each key's value three-way (absent = `None`).
    fn keyed<K: Ord + Clone + std::fmt::Display, V: PartialEq + Clone>(
        &mut self,
        what: &str,
        base: Option<&BTreeMap<K, V>>,
        ours: &BTreeMap<K, V>,
        theirs: &BTreeMap<K, V>,
    ) -> BTreeMap<K, V> {
        let keys: BTreeSet<&K> = ours.keys().chain(theirs.keys()).chain(base.into_iter().flat_map(|b| b.keys())).collect();
        let mut out = BTreeMap::new();
        for k in keys {
            let b = base.map(|b| b.get(k).cloned());
            let o = ours.get(k).cloned();
            let t = theirs.get(k).cloned();
            let field = format!("{what} {k}");
            let v = match &b {
                Some(bv) => self.pick(&field, Some(bv), &o, &t),
                // No base issue: an element on one side only is an addition.
                None => match (&o, &t) {
                    (Some(_), None) => o.clone(),
                    (None, Some(_)) => t.clone(),
                    _ => self.pick(&field, None, &o, &t),
                },
            };
            if let Some(v) = v {
                out.insert(k.clone(), v);
            }
        }
        out
    }
}

/// Merges two versions of one issue against their base version (if any).
fn merge_issue(base: Option<&Issue>, ours: &Issue, theirs: &Issue) -> IssueMerge {
    let win = winner(ours, theirs);
    let mut c = Ctx { id: &ours.id, win, notes: Vec::new() };
    let b = base;
    macro_rules! scalar {
        ($f:ident) => {
            c.pick(stringify!($f), b.map(|b| &b.$f), &ours.$f, &theirs.$f)
        };
    }
    let mut m = Issue {
        id: ours.id.clone(),
        title: scalar!(title),
        description: scalar!(description),
        design: scalar!(design),
        acceptance_criteria: scalar!(acceptance_criteria),
        notes: scalar!(notes),
        status: scalar!(status),
        priority: scalar!(priority),
        issue_type: scalar!(issue_type),
        assignee: scalar!(assignee),
        owner: scalar!(owner),
        estimated_minutes: scalar!(estimated_minutes),
        created_at: scalar!(created_at),
        created_by: scalar!(created_by),
        updated_at: ours.updated_at.max(theirs.updated_at),
        closed_at: scalar!(closed_at),
        close_reason: scalar!(close_reason),
        due_at: scalar!(due_at),
        defer_until: scalar!(defer_until),
        external_ref: scalar!(external_ref),
        labels: BTreeSet::new(),
        dependencies: Vec::new(),
        comments: Vec::new(),
        metadata: BTreeMap::new(),
        extra: BTreeMap::new(),
    };
    // Labels: a set; presence is a boolean per label.
    let as_map = |s: &BTreeSet<String>| s.iter().map(|l| (l.clone(), true)).collect::<BTreeMap<String, bool>>();
    let labels = c.keyed("label", b.map(|b| as_map(&b.labels)).as_ref(), &as_map(&ours.labels), &as_map(&theirs.labels));
    m.labels = labels.into_keys().collect();
    let deps = |i: &Issue| i.dependencies.iter().map(|d| (d.id.clone(), d.clone())).collect::<BTreeMap<String, Dependency>>();
    m.dependencies = c.keyed("dependency", b.map(deps).as_ref(), &deps(ours), &deps(theirs)).into_values().collect();
    let comments = |i: &Issue| i.comments.iter().map(|x| (CommentKey(x.id.clone()), x.clone())).collect::<BTreeMap<CommentKey, Comment>>();
    m.comments = c.keyed("comment", b.map(comments).as_ref(), &comments(ours), &comments(theirs)).into_values().collect();
    m.metadata = c.keyed("metadata", b.map(|b| &b.metadata), &ours.metadata, &theirs.metadata);
    m.extra = c.keyed("field", b.map(|b| &b.extra), &ours.extra, &theirs.extra);
    // closed_at follows the merged status.
    if m.status.is_closed() && m.closed_at.is_none() {
        m.closed_at = ours.closed_at.max(theirs.closed_at).or(Some(m.updated_at));
    }
    if !m.status.is_closed() && m.status != model::Status::Tombstone {
        m.closed_at = None;
        m.close_reason = None;
    }
    m.normalize();
    IssueMerge { issue: m, notes: c.notes }
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CommentKey(CommentId);

impl std::fmt::Display for CommentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Whether two versions with no common base are the same issue (created at
/// the same time by the same actor) rather than two that collided on an ID.
fn same_origin(a: &Issue, b: &Issue) -> bool {
    a.created_at == b.created_at && a.created_by == b.created_by
}

/// What merging two trees produced.
#[derive(Debug, Default)]
pub struct TreeMerge {
    /// The merged tree.
    pub tree: Option<ObjectId>,
    /// Decisions made on both-sided changes.
    pub resolved: Vec<Resolution>,
    /// Blobs refused because they do not parse (path, side, reason).
    pub refused: Vec<(String, Side, String)>,
    /// Issues renamed because both sides created the same ID independently.
    pub renamed: Vec<(String, String)>,
}

/// A blob version at one path on one side: absent, a readable issue, or
/// something unreadable.
enum Version {
    Absent,
    Issue(ObjectId, Box<Issue>),
    Unreadable(ObjectId, String),
}

fn read_version(repo: &gix::Repository, path: &str, oid: Option<ObjectId>) -> Result<Version> {
    let Some(oid) = oid else { return Ok(Version::Absent) };
    let mut buf = Vec::new();
    let data = tree::read_object(repo, &oid, gix::objs::Kind::Blob, &mut buf);
    let data = match data {
        Ok(d) => d,
        Err(Error::WrongObjectKind { .. }) => return Ok(Version::Unreadable(oid, "not a blob".into())),
        Err(e) => return Err(e),
    };
    let parsed = codec::from_slice(data).map_err(|e| crate::store::cache::error_chain(&e)).and_then(|i| {
        if id::blob_path(&i.id) == path { Ok(i) } else { Err(format!("the blob says {} but its path names another issue", i.id)) }
    });
    Ok(match parsed {
        Ok(i) => Version::Issue(oid, Box::new(i)),
        Err(e) => Version::Unreadable(oid, e),
    })
}

/// Merges tree `ours` and tree `theirs` against `base` (`None`: no common
/// history, merged as if from an empty tree). The result is the same when
/// `ours` and `theirs` are swapped (only the sides named in the report differ).
pub fn merge_trees(repo: &gix::Repository, namespace: &str, base: Option<ObjectId>, ours: ObjectId, theirs: ObjectId) -> Result<TreeMerge> {
    let mut buf = Vec::new();
    tree::check_format(repo, namespace, &tree::entries(repo, &ours, &mut buf)?)?;
    tree::check_format(repo, namespace, &tree::entries(repo, &theirs, &mut buf)?)?;
    let empty = ObjectId::empty_tree(repo.object_hash());
    let base_tree = base.unwrap_or(empty);
    let changes_o: BTreeMap<String, BlobChange> = tree::diff(repo, &base_tree, &ours)?.into_iter().map(|c| (c.path.clone(), c)).collect();
    let changes_t: BTreeMap<String, BlobChange> = tree::diff(repo, &base_tree, &theirs)?.into_iter().map(|c| (c.path.clone(), c)).collect();
    let mut out = TreeMerge::default();
    // Start from the base and apply the merged entry of every changed path.
    let mut editor = repo.edit_tree(base_tree).map_err(|e| Error::git("could not start a tree edit", e))?;
    let paths: BTreeSet<&String> = changes_o.keys().chain(changes_t.keys()).collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut renames: Vec<Issue> = Vec::new();
    for path in paths {
        let base_oid = changes_o.get(path).or(changes_t.get(path)).and_then(|c| c.old);
        let o_oid = changes_o.get(path).map_or(base_oid, |c| c.new);
        let t_oid = changes_t.get(path).map_or(base_oid, |c| c.new);
        let result: Option<ObjectId> = if o_oid == t_oid {
            o_oid
        } else if id::id_from_path(path).is_none() || !path.starts_with("issues/") {
            // Not an issue (the format blob, a stray file): a one-sided change
            // wins, a two-sided one keeps the larger id (deterministic).
            if o_oid == base_oid {
                t_oid
            } else if t_oid == base_oid {
                o_oid
            } else {
                o_oid.max(t_oid)
            }
        } else {
            let b = read_version(repo, path, base_oid)?;
            let mut o = read_version(repo, path, o_oid)?;
            let mut t = read_version(repo, path, t_oid)?;
            // Unreadable versions count as "no change" on their side.
            for (v, side) in [(&mut o, Side::Local), (&mut t, Side::Remote)] {
                if let Version::Unreadable(oid, why) = v {
                    out.refused.push((path.clone(), side, format!("blob {oid}: {why}")));
                    *v = match &b {
                        Version::Issue(boid, bi) => Version::Issue(*boid, bi.clone()),
                        Version::Absent => Version::Absent,
                        Version::Unreadable(boid, w) => Version::Unreadable(*boid, w.clone()),
                    };
                }
            }
            let b_issue = match &b {
                Version::Issue(_, i) => Some(&**i),
                _ => None,
            };
            let oid_of = |v: &Version| match v {
                Version::Absent => None,
                Version::Issue(oid, _) | Version::Unreadable(oid, _) => Some(*oid),
            };
            let (oo, to) = (oid_of(&o), oid_of(&t));
            if oo == to {
                oo
            } else if oo == base_oid {
                to
            } else if to == base_oid {
                oo
            } else {
                match (&o, &t) {
                    (Version::Issue(_, oi), Version::Issue(_, ti)) => {
                        if b_issue.is_none() && !same_origin(oi, ti) {
                            // Two different issues under one ID: keep the one
                            // with the smaller blob here, rename the other.
                            let (kept, other) = if oo < to { (oo, ti) } else { (to, oi) };
                            renames.push((**other).clone());
                            kept
                        } else {
                            let merged = merge_issue(b_issue, oi, ti);
                            out.resolved.extend(merged.notes);
                            Some(write_issue(repo, &merged.issue)?)
                        }
                    }
                    (Version::Issue(oid, i), Version::Absent) | (Version::Absent, Version::Issue(oid, i)) => {
                        // Deleted on one side, edited on the other: keep the edit.
                        out.resolved.push(Resolution {
                            issue: i.id.clone(),
                            field: "issue".into(),
                            outcome: "deleted on one side and edited on the other; kept the edit".into(),
                        });
                        Some(*oid)
                    }
                    _ => oo.max(to),
                }
            }
        };
        if let Some(found) = id::id_from_path(path)
            && result.is_some()
        {
            taken.insert(found.to_string());
        }
        set_entry(&mut editor, path, base_oid, result)?;
    }
    // Rename the issues that collided on an ID, deterministically.
    renames.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| codec::to_blob(a).cmp(&codec::to_blob(b))));
    let exists_in = |t: ObjectId, id: &str| tree::lookup(repo, &t, &id::blob_path(id)).map(|o| o.is_some());
    for mut issue in renames {
        let old = issue.id.clone();
        let mut candidate = fresh_name(&old, &codec::to_blob(&issue));
        while taken.contains(&candidate) || exists_in(ours, &candidate)? || exists_in(theirs, &candidate)? {
            candidate = fresh_name(&candidate, candidate.as_bytes());
        }
        issue.id = candidate.clone();
        taken.insert(candidate.clone());
        let oid = write_issue(repo, &issue)?;
        set_entry(&mut editor, &id::blob_path(&candidate), None, Some(oid))?;
        out.resolved.push(Resolution {
            issue: old.clone(),
            field: "issue".into(),
            outcome: format!("created independently on both sides; the second one is now {candidate}"),
        });
        out.renamed.push((old, candidate));
    }
    let merged = editor.write().map_err(|e| Error::git("could not write the merged tree", e))?.detach();
    out.tree = Some(merged);
    Ok(out)
}

/// A new ID for an issue that collided: the next child number for a child
/// (`P.3` -> `P.4`), else the hash extended with two characters of `seed`'s hash.
fn fresh_name(old: &str, seed: &[u8]) -> String {
    let mut h = gix::hash::hasher(gix::hash::Kind::Sha1);
    h.update(seed);
    let digest = h.try_finalize().map(|d| d.to_string()).unwrap_or_else(|_| "0".repeat(40));
    let candidate = match old.rsplit_once('.').and_then(|(p, n)| Some((p, n.parse::<u64>().ok()?.checked_add(1)?))) {
        Some((parent, n)) => format!("{parent}.{n}"),
        None => format!("{old}{}", &digest[..2]),
    };
    if id::validate_id(&candidate).is_ok() {
        return candidate;
    }
    // Too long (or numbering exhausted): a short name derived from the content.
    format!("{}-{}", id::prefix_of(old).filter(|p| p.len() <= 60).unwrap_or("x"), &digest[..10])
}

fn write_issue(repo: &gix::Repository, issue: &Issue) -> Result<ObjectId> {
    Ok(repo
        .write_blob(codec::to_blob(issue))
        .map_err(|e| Error::git(format!("could not write the merged blob of {}", issue.id), e))?
        .detach())
}

fn set_entry(editor: &mut gix::object::tree::Editor<'_>, path: &str, base: Option<ObjectId>, result: Option<ObjectId>) -> Result<()> {
    if result == base {
        return Ok(());
    }
    match result {
        Some(oid) => editor.upsert(path, gix::objs::tree::EntryKind::Blob, oid).map(drop),
        None => editor.remove(path).map(drop),
    }
    .map_err(|e| Error::git(format!("could not edit the merged tree at {path}"), e))
}

/// Merges field values as JSON for reports (used by tests and docs).
pub fn merge_issues(base: Option<&Issue>, ours: &Issue, theirs: &Issue) -> (Issue, Vec<Resolution>) {
    let m = merge_issue(base, ours, theirs);
    (m.issue, m.notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepType, Priority, Status, Timestamp};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn base() -> Issue {
        let mut i = Issue::new("bd-a1".into(), "Title".into(), t("2026-01-01T00:00:00Z"));
        i.labels = ["keep".to_string(), "drop".to_string()].into_iter().collect();
        i.add_dependency(Dependency::new("bd-b", DepType::Blocks));
        i
    }

    fn edit(mut i: Issue, at: &str, f: impl FnOnce(&mut Issue)) -> Issue {
        f(&mut i);
        i.updated_at = t(at);
        i.normalize();
        i
    }

    fn both(b: &Issue, o: &Issue, th: &Issue) -> Issue {
        let (m1, _) = merge_issues(Some(b), o, th);
        let (m2, _) = merge_issues(Some(b), th, o);
        assert_eq!(codec::to_blob(&m1), codec::to_blob(&m2), "merge is symmetric");
        m1
    }

    #[test]
    fn one_sided_changes_win_and_fields_combine() {
        let b = base();
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| i.title = "New title".into());
        let th = edit(b.clone(), "2026-01-03T00:00:00Z", |i| i.priority = Priority::new(0).unwrap());
        let m = both(&b, &o, &th);
        assert_eq!(m.title, "New title");
        assert_eq!(m.priority.get(), 0);
        assert_eq!(m.updated_at, t("2026-01-03T00:00:00Z"));
    }

    #[test]
    fn both_sided_scalars_go_to_the_later_update() {
        let b = base();
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| i.title = "Ours".into());
        let th = edit(b.clone(), "2026-01-03T00:00:00Z", |i| i.title = "Theirs".into());
        assert_eq!(both(&b, &o, &th).title, "Theirs");
        let (_, notes) = merge_issues(Some(&b), &o, &th);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].field, "title");
        // A tie is broken by content, the same from both sides.
        let o = edit(b.clone(), "2026-01-03T00:00:00Z", |i| i.title = "Alpha".into());
        let th = edit(b.clone(), "2026-01-03T00:00:00Z", |i| i.title = "Beta".into());
        let m = both(&b, &o, &th);
        assert!(m.title == "Alpha" || m.title == "Beta");
    }

    #[test]
    fn labels_and_dependencies_merge_as_sets() {
        let b = base();
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| {
            i.labels.insert("ours".into());
            i.labels.remove("drop");
            i.add_dependency(Dependency::new("bd-c", DepType::Related));
        });
        let th = edit(b.clone(), "2026-01-03T00:00:00Z", |i| {
            i.labels.insert("theirs".into());
            i.remove_dependency("bd-b");
            i.add_dependency(Dependency::new("bd-d", DepType::Blocks));
        });
        let m = both(&b, &o, &th);
        assert_eq!(m.labels.iter().map(String::as_str).collect::<Vec<_>>(), ["keep", "ours", "theirs"]);
        assert_eq!(m.dependencies.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["bd-c", "bd-d"]);
    }

    #[test]
    fn comments_merge_by_id() {
        let b = base();
        let c = |id: i64, text: &str| Comment {
            id: CommentId::Int(id),
            author: "a".into(),
            created_at: t("2026-01-02T00:00:00Z"),
            text: text.into(),
            extra: BTreeMap::new(),
        };
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| i.comments.push(c(1, "from ours")));
        let th = edit(b.clone(), "2026-01-02T00:00:00Z", |i| i.comments.push(c(2, "from theirs")));
        assert_eq!(both(&b, &o, &th).comments.len(), 2);
    }

    #[test]
    fn closed_at_follows_the_merged_status() {
        let b = base();
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| i.set_status(Status::Closed, t("2026-01-02T00:00:00Z")));
        let th = edit(b.clone(), "2026-01-03T00:00:00Z", |i| i.set_status(Status::InProgress, t("2026-01-03T00:00:00Z")));
        let m = both(&b, &o, &th);
        assert_eq!(m.status, Status::InProgress);
        assert_eq!(m.closed_at, None);
        m.validate().unwrap();
        let th = edit(b.clone(), "2026-01-01T12:00:00Z", |i| i.title = "x".into());
        let m = both(&b, &o, &th);
        assert_eq!((m.status.clone(), m.closed_at), (Status::Closed, Some(t("2026-01-02T00:00:00Z"))));
        assert_eq!(m.title, "x");
    }

    #[test]
    fn merging_with_itself_is_identity() {
        let b = base();
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| i.title = "x".into());
        let (m, notes) = merge_issues(Some(&b), &o, &o);
        assert_eq!(m, o);
        assert!(notes.is_empty());
    }

    #[test]
    fn no_base_unions_sets_and_picks_later_scalars() {
        let b = base();
        let o = edit(b.clone(), "2026-01-02T00:00:00Z", |i| {
            i.title = "Ours".into();
            i.labels.insert("o".into());
        });
        let th = edit(b.clone(), "2026-01-03T00:00:00Z", |i| {
            i.title = "Theirs".into();
            i.labels.remove("drop");
        });
        let (m1, _) = merge_issues(None, &o, &th);
        let (m2, _) = merge_issues(None, &th, &o);
        assert_eq!(m1, m2);
        assert_eq!(m1.title, "Theirs");
        // Without a base, nothing is a removal: every label survives.
        assert!(m1.labels.contains("o") && m1.labels.contains("drop"));
    }

    #[test]
    fn collided_ids_get_fresh_names() {
        assert_eq!(fresh_name("bd-a1.3", b"x"), "bd-a1.4");
        let n = fresh_name("bd-a1", b"seed");
        assert!(n.starts_with("bd-a1") && n.len() == 7, "{n}");
        assert_eq!(n, fresh_name("bd-a1", b"seed"));
        assert!(id::validate_id(&fresh_name("bd-a1.18446744073709551615", b"s")).is_ok());
        let long = format!("bd-{}", "a".repeat(97));
        assert!(id::validate_id(&fresh_name(&long, b"s")).is_ok());
    }
}
