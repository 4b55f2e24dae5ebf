//! Writing a namespace: an operation runs against a transaction over the
//! current tip, its changes become blobs, trees and one commit, and the ref
//! moves only if it still points at that tip (compare-and-swap). When another
//! writer won the race, the *operation* runs again on the new tip, so
//! concurrent writers never lose each other's work and need no lock file.
//! Objects are written before the ref moves: a crash leaves at most
//! unreachable objects, never a broken ref.

use super::layered::TreeIndex;
use super::refs::SwapError;
use super::{Actor, Error, Namespace, Result, Store, Tip, tree};
use crate::model::{Issue, Timestamp, codec, id};
use gix::ObjectId;
use std::cell::OnceCell;
use std::collections::BTreeMap;

/// A bulk pack's `.keep` file, released once the ref points into the pack.
type KeepFile = Option<std::path::PathBuf>;

/// Staged issues from which a write goes into one pack rather than loose objects.
pub const BULK_OBJECTS: usize = 64;

/// Lost compare-and-swaps before a write gives up on a ref that keeps moving.
pub const MAX_ATTEMPTS: u32 = 100;

/// How long a write waits for a ref lock that a live process holds.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The changes an operation staged, and how to describe them.
pub struct Txn<'s> {
    store: &'s Store,
    ns: Namespace,
    base: Option<Tip>,
    index: OnceCell<TreeIndex>,
    staged: BTreeMap<String, Option<Issue>>,
    op: String,
    summary: Option<String>,
    trailers: Vec<(String, String)>,
    now: Timestamp,
    actor: Actor,
}

/// What a successful write produced.
#[derive(Debug)]
pub struct Committed<T> {
    /// What the operation returned (from its last, winning run).
    pub value: T,
    /// The new commit, or `None` when nothing changed.
    pub commit: Option<ObjectId>,
    /// How many times the operation ran (1 when no other writer interfered).
    pub attempts: u32,
}

impl<'s> Txn<'s> {
    /// A generator of IDs for this run of the operation ([`id::IdGen::for_write`]
    /// with the store's seed, salted with the tip it writes on).
    pub fn idgen(&self) -> id::IdGen {
        id::IdGen::for_write(
            self.store.options().seed,
            self.base.map(|t| t.commit).unwrap_or_else(|| ObjectId::null(self.store.repo().object_hash())).as_bytes(),
        )
    }

    fn new(store: &'s Store, ns: &Namespace, base: Option<Tip>, actor: &Actor, now: Timestamp) -> Self {
        Txn {
            store,
            ns: ns.clone(),
            base,
            index: OnceCell::new(),
            staged: BTreeMap::new(),
            op: "update".into(),
            summary: None,
            trailers: Vec::new(),
            now,
            actor: actor.clone(),
        }
    }

    /// The store being written.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// The namespace being written.
    pub fn namespace(&self) -> &Namespace {
        &self.ns
    }

    /// The tip this run of the operation started from.
    pub fn base(&self) -> Option<Tip> {
        self.base
    }

    /// The time this write is stamped with.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Who is writing.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Names the operation (`create`, `close`, ...) for the commit message.
    pub fn set_op(&mut self, op: &str) {
        self.op = op.to_string();
    }

    /// Overrides the commit summary line.
    pub fn set_summary(&mut self, summary: impl Into<String>) {
        self.summary = Some(summary.into());
    }

    /// Adds a trailer to the commit message.
    pub fn add_trailer(&mut self, key: &str, value: impl Into<String>) {
        self.trailers.push((key.to_string(), value.into()));
    }

    /// The index of the base tree (loaded on first use).
    pub fn index(&self) -> Result<&TreeIndex> {
        if let Some(i) = self.index.get() {
            return Ok(i);
        }
        let snap = self.store.snapshot_at(&self.ns, self.base)?;
        Ok(self.index.get_or_init(|| snap.index))
    }

    /// Roughly how many issues the namespace holds, without building an index.
    pub fn approx_len(&self) -> Result<usize> {
        if let Some(i) = self.index.get() {
            return Ok(i.len());
        }
        if let Some(n) = super::cache::approx_len(self.store, &self.ns) {
            return Ok(n);
        }
        Ok(self.index()?.len())
    }

    /// The issue `id` as this transaction sees it (staged changes first).
    pub fn get(&self, id: &str) -> Result<Option<Issue>> {
        if let Some(staged) = self.staged.get(id) {
            return Ok(staged.clone());
        }
        if id::validate_id(id).is_err() {
            return Ok(None);
        }
        match &self.base {
            Some(tip) => self.store.issue_at(&self.ns, tip, id),
            None => Ok(None),
        }
    }

    /// The issue `id`, or a not-found error.
    pub fn require(&self, id: &str) -> Result<Issue> {
        self.get(id)?.ok_or_else(|| Error::NotFound { id: id.to_string(), namespace: self.ns.to_string() })
    }

    /// Whether `id` names an issue (staged or stored).
    pub fn exists(&self, id: &str) -> Result<bool> {
        if let Some(staged) = self.staged.get(id) {
            return Ok(staged.is_some());
        }
        match (&self.base, id::validate_id(id)) {
            (Some(tip), Ok(())) => Ok(tree::lookup(self.store.repo(), &tip.tree, &id::blob_path(id))?.is_some()),
            _ => Ok(false),
        }
    }

    /// Resolves a typed ID: exact first (no index needed), then by unique prefix.
    pub fn resolve(&self, input: &str) -> Result<String> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Error::Id(id::IdError { id: String::new(), reason: "it is empty" }));
        }
        if self.exists(input)? {
            return Ok(input.to_string());
        }
        let index = self.index()?;
        let staged_new = self.staged.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| k.as_bytes());
        let deleted = |id: &[u8]| std::str::from_utf8(id).is_ok_and(|id| matches!(self.staged.get(id), Some(None)));
        let candidates = index.id_bytes().filter(|id| !deleted(id)).chain(staged_new);
        match id::resolve_bytes(input, candidates) {
            id::Resolution::Found(id) => Ok(id),
            id::Resolution::NotFound => Err(Error::NotFound { id: input.to_string(), namespace: self.ns.to_string() }),
            id::Resolution::Ambiguous(candidates) => Err(Error::Ambiguous { input: input.to_string(), candidates }),
        }
    }

    /// Stages `issue` to be written (validated and normalized).
    pub fn put(&mut self, mut issue: Issue) -> Result<()> {
        issue.normalize();
        id::validate_id(&issue.id)?;
        issue.validate().map_err(|source| Error::InvalidIssue { id: issue.id.clone(), source })?;
        // What is written must read back (cheap insurance for small writes).
        if self.staged.len() < BULK_OBJECTS {
            codec::from_slice(&codec::to_blob(&issue))
                .map_err(|e| Error::Internal { what: format!("issue {} would not read back: {e}", issue.id) })?;
        }
        self.staged.insert(issue.id.clone(), Some(issue));
        Ok(())
    }

    /// Stages the removal of `id`.
    pub fn delete(&mut self, id: &str) {
        self.staged.insert(id.to_string(), None);
    }

    /// IDs staged so far (written or deleted).
    pub fn staged_ids(&self) -> impl Iterator<Item = &str> {
        self.staged.keys().map(String::as_str)
    }

    /// Writes blobs, trees and the commit; returns `None` when the tree is
    /// unchanged. Large changes (an import) go into one pack; small ones are
    /// loose objects, as git writes them.
    fn write(&self) -> Result<(Option<(ObjectId, String)>, KeepFile)> {
        if self.staged.len() < BULK_OBJECTS {
            // `git gc` (prune-packed) removes the object directories it
            // empties, which can happen between gix creating `objects/ab/`
            // and moving a new object into it. Objects are named by their
            // content, so writing them again is harmless; git retries too.
            let mut tries = 0;
            loop {
                match self.write_into(self.store.repo()) {
                    Err(e) if tries < 5 && is_vanished_directory(&e) => tries += 1,
                    other => return Ok((other?, None)),
                }
            }
        }
        let mut memory = self.store.repo().clone().with_object_memory();
        let written = self.write_into(&memory)?;
        let keep = match memory.objects.take_object_memory() {
            Some(objects) => super::pack::write(self.store.repo(), &objects)?,
            None => None,
        };
        Ok((written, keep))
    }

    fn write_into(&self, repo: &gix::Repository) -> Result<Option<(ObjectId, String)>> {
        if self.staged.is_empty() {
            return Ok(None);
        }
        let base_tree = self.base.map(|t| t.tree).unwrap_or_else(|| ObjectId::empty_tree(repo.object_hash()));
        let mut editor = repo.edit_tree(base_tree).map_err(|e| Error::git("could not start a tree edit", e))?;
        if self.base.is_none() || tree::lookup(repo, &base_tree, tree::FORMAT_FILE)?.is_none() {
            let f = repo.write_blob(tree::format_blob()).map_err(|e| Error::git("could not write the format blob", e))?;
            editor
                .upsert(tree::FORMAT_FILE, gix::objs::tree::EntryKind::Blob, f.detach())
                .map_err(|e| Error::git("could not edit the tree", e))?;
        }
        let mut changed = Vec::new();
        for (id, issue) in &self.staged {
            let path = id::blob_path(id);
            match issue {
                Some(issue) => {
                    let blob =
                        repo.write_blob(codec::to_blob(issue)).map_err(|e| Error::git(format!("could not write the blob of {id}"), e))?;
                    editor
                        .upsert(path.as_str(), gix::objs::tree::EntryKind::Blob, blob.detach())
                        .map_err(|e| Error::git("could not edit the tree", e))?;
                    changed.push((id.as_str(), Some(issue.title.as_str())));
                }
                None => {
                    editor.remove(path.as_str()).map_err(|e| Error::git("could not edit the tree", e))?;
                    changed.push((id.as_str(), None));
                }
            }
        }
        let new_tree = editor.write().map_err(|e| Error::git("could not write the tree", e))?.detach();
        if self.base.is_some_and(|b| b.tree == new_tree) {
            return Ok(None);
        }
        let message = self.message(&changed);
        let (author, committer) = signatures(self.store, &self.actor);
        let commit = gix::objs::Commit {
            tree: new_tree,
            parents: self.base.map(|b| b.commit).into_iter().collect(),
            author,
            committer,
            encoding: None,
            message: message.clone().into(),
            extra_headers: Vec::new(),
        };
        let id = repo.write_object(&commit).map_err(|e| Error::git("could not write the commit", e))?.detach();
        Ok(Some((id, message)))
    }

    fn message(&self, changed: &[(&str, Option<&str>)]) -> String {
        let summary = self.summary.clone().unwrap_or_else(|| match changed {
            [(id, Some(title))] => format!("{} {id}: {title}", self.op),
            [(id, None)] => format!("{} {id}", self.op),
            many => {
                let ids: Vec<&str> = many.iter().take(5).map(|(id, _)| *id).collect();
                let more = if many.len() > 5 { ", ..." } else { "" };
                format!("{} {} issues: {}{more}", self.op, many.len(), ids.join(", "))
            }
        });
        let mut msg = one_line(&summary, 100);
        msg.push_str("\n\n");
        msg.push_str(&format!("Beads-Op: {}\n", self.op));
        if changed.len() <= 50 {
            for (id, _) in changed {
                msg.push_str(&format!("Beads-Issue: {id}\n"));
            }
        } else {
            msg.push_str(&format!("Beads-Issues: {}\n", changed.len()));
        }
        for (k, v) in &self.trailers {
            msg.push_str(&format!("{k}: {}\n", one_line(v, 200)));
        }
        msg
    }
}

/// Whether `e` is a file system "not found" met while writing an object: a
/// directory removed under the writer by `git gc`.
fn is_vanished_directory(e: &Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = src {
        if c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) {
            return true;
        }
        src = c.source();
    }
    false
}

/// `s` without control characters, on one line, at most `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let cleaned: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.chars().count() > max {
        let mut t: String = cleaned.chars().take(max.saturating_sub(3)).collect();
        t.push_str("...");
        t
    } else {
        cleaned
    }
}

/// Writes a commit of `tree` with `parents` and `message`, authored by
/// `actor` (no ref moves: callers compare-and-swap or push it).
pub fn write_commit(store: &Store, actor: &Actor, tree: ObjectId, parents: Vec<ObjectId>, message: &str) -> Result<ObjectId> {
    let (author, committer) = signatures(store, actor);
    let commit = gix::objs::Commit {
        tree,
        parents: parents.into_iter().collect(),
        author,
        committer,
        encoding: None,
        message: message.into(),
        extra_headers: Vec::new(),
    };
    Ok(store.repo().write_object(&commit).map_err(|e| Error::git("could not write a commit", e))?.detach())
}

/// The author (the actor) and committer (the git identity) of a commit written now.
pub(crate) fn signatures(store: &Store, actor: &Actor) -> (gix::actor::Signature, gix::actor::Signature) {
    let repo = store.repo();
    let now = gix::date::Time::now_local_or_utc();
    let author_time = repo.author().and_then(|r| r.ok()).and_then(|s| s.time().ok()).unwrap_or(now);
    let author = gix::actor::Signature { name: actor.name.as_str().into(), email: actor.email.as_str().into(), time: author_time };
    let committer = match repo.committer().and_then(|r| r.ok()) {
        Some(c) => gix::actor::Signature { name: c.name.to_owned(), email: c.email.to_owned(), time: c.time().unwrap_or(author_time) },
        None => author.clone(),
    };
    (author, committer)
}

impl Store {
    /// Runs `op` against namespace `ns` and commits what it staged with a
    /// compare-and-swap on the ref, re-running `op` on the new tip whenever
    /// another writer moved the ref first (bounded, with jittered backoff).
    ///
    /// The operation's own error type `E` only needs to hold the store's
    /// errors, so an operation refuses with its own cases (`ops::Error`).
    pub fn mutate<T, E: From<Error>>(
        &self,
        ns: &Namespace,
        actor: &Actor,
        mut op: impl FnMut(&mut Txn<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<Committed<T>, E> {
        if let Some(refusal) = self.write_refusal(ns) {
            return Err(refusal.into());
        }
        let mut rng = fastrand::Rng::new();
        let started = std::time::Instant::now();
        let (mut attempt, mut lost) = (0u32, 0u32);
        loop {
            attempt += 1;
            let base = self.tip(ns)?;
            if base.is_none()
                && let Some(existing) = self.clash(ns)?
            {
                return Err(Error::NamespaceClash { namespace: ns.to_string(), existing: existing.to_string() }.into());
            }
            // Never write into a namespace laid out by a newer git-beads.
            if let Some(b) = base {
                let mut buf = Vec::new();
                tree::check_writable(self.repo(), ns.refname(), &tree::entries(self.repo(), &b.tree, &mut buf)?)?;
            }
            let mut txn = Txn::new(self, ns, base, actor, self.now());
            // Planning commits say whose they are: one planning repository
            // serves many projects (see `sync::remote_for`).
            if matches!(ns.kind(), super::Kind::Planning(_)) {
                txn.add_trailer("Beads-Project", self.project());
            }
            let value = op(&mut txn)?;
            let (written, keep) = txn.write()?;
            let Some((commit, message)) = written else {
                return Ok(Committed { value, commit: None, attempts: attempt });
            };
            let swapped = self.swap(ns, Some(base.map(|b| b.commit)), commit, &message);
            super::pack::release(keep);
            match swapped {
                Ok(()) => return Ok(Committed { value, commit: Some(commit), attempts: attempt }),
                // Another writer won: run the operation again on the new tip.
                Err(e @ SwapError::Lost { .. }) => {
                    lost += 1;
                    if lost >= MAX_ATTEMPTS {
                        return Err(
                            Error::Contended { ns: ns.to_string(), attempts: lost, last_error: super::cache::error_chain(&e) }.into()
                        );
                    }
                }
                // Another writer is moving the ref this instant. A lock that
                // stays is either stale (reported as such once it is a second
                // old) or held by a process that does not let go.
                Err(SwapError::Busy { path }) => {
                    if started.elapsed() > LOCK_WAIT {
                        let age_secs = super::refs::inspect(&path).map(|l| l.age_secs).unwrap_or(0);
                        return Err(Error::Locked { path, age_secs, stale: false }.into());
                    }
                }
                // Nothing else is retried: a stale lock, permissions, I/O.
                Err(e) => return Err(Error::from_swap(ns, e).into()),
            }
            // Jittered backoff growing from 0.25 ms to at most 8 ms: long
            // enough to let the winner's next round finish, short enough
            // that a busy namespace keeps flowing.
            let cap_us = 250u64 << attempt.min(5);
            std::thread::sleep(std::time::Duration::from_micros(rng.u64(0..=cap_us)));
        }
    }

    /// Runs `op` on a transaction over the tip of `ns` as [`Store::mutate`]
    /// would, and drops what it staged: a dry run sees exactly the checks a
    /// real write makes, and writes nothing.
    pub fn preview<T, E: From<Error>>(
        &self,
        ns: &Namespace,
        actor: &Actor,
        op: impl FnOnce(&mut Txn<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if let Some(refusal) = self.write_refusal(ns) {
            return Err(refusal.into());
        }
        let base = self.tip(ns)?;
        let mut txn = Txn::new(self, ns, base, actor, self.now());
        op(&mut txn)
    }

    /// Deletes `ns` if it still points at `expected` (any value when
    /// `None`). git does it: a deletion may have to rewrite `packed-refs`
    /// under git's own lock.
    pub fn delete_ref(&self, ns: &Namespace, expected: Option<ObjectId>) -> Result<()> {
        let git = crate::git::Git::new(self.repo().git_dir());
        let mut args = vec!["update-ref".to_string(), "--no-deref".into(), "-m".into(), "git-beads: delete".into(), "-d".into()];
        args.push(ns.refname().to_string());
        if let Some(old) = expected {
            args.push(old.to_string());
        }
        git.run(&args)?;
        Ok(())
    }

    /// Points `ns` at `new` whatever it pointed at (tracking refs only).
    pub fn set_ref(&self, ns: &Namespace, new: ObjectId, message: &str) -> Result<()> {
        self.swap(ns, None, new, message).map_err(|e| Error::from_swap(ns, e))
    }

    /// Moves `ns` from `expected` (`None`: must not exist) to `new`, failing
    /// if it points anywhere else.
    pub fn compare_and_swap(&self, ns: &Namespace, expected: Option<ObjectId>, new: ObjectId, message: &str) -> Result<()> {
        self.swap(ns, Some(expected), new, message).map_err(|e| Error::from_swap(ns, e))
    }

    /// Moves `ns` to `new` under git's ref lock protocol (lock, re-read, compare, write, rename):
    /// from `expected` when given (`Some(None)`: it must not exist).
    pub fn swap(
        &self,
        ns: &Namespace,
        expected: Option<Option<ObjectId>>,
        new: ObjectId,
        message: &str,
    ) -> std::result::Result<(), SwapError> {
        let (_, committer) = signatures(self, &self.actor(None));
        let mut time = gix::date::parse::TimeBuf::default();
        let message = format!("git-beads: {}", message.lines().next().unwrap_or(""));
        let log = super::refs::LogLine { committer: committer.to_ref(&mut time), message: &message };
        super::refs::Refs::new(self.repo()).swap(ns.refname(), expected, new, &log)
    }
}
