//! Reading and moving namespace refs the way git itself does, so that git's
//! own maintenance (`git pack-refs`, `git gc`, `git maintenance`) can run
//! beside any number of writers without undoing one.
//!
//! A ref update takes the ref's lock (`<ref>.lock`, created exclusively),
//! then reads the ref's current value (the loose file, else `packed-refs`
//! read afresh from disk), compares it with the expected value, writes the
//! new value into the lock and renames the lock over the ref. Reading the
//! current value *after* taking the lock is what makes it safe against
//! `pack-refs`: git packs a loose ref and then deletes the loose file only
//! under that same lock, after checking that the file still holds the value
//! it packed. (gix reads `packed-refs` before it takes the lock, which loses
//! a write when a pack-refs runs in between; hence this module.)
//!
//! Deletions are handed to `git update-ref -d`, which also has to rewrite
//! `packed-refs` under its lock; they are rare (pruning a namespace).
//!
//! Our lock files are also held with `flock`, so a lock whose holder died
//! can be told from one in use: the kernel releases the flock with the
//! process. A lock nobody holds that is older than [`STALE_AFTER`] is
//! reported as stale, at once, instead of being waited on.

use crate::interrupt;
use gix::ObjectId;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A lock file nobody holds and older than this is stale: a live writer
/// holds a ref lock for well under a millisecond.
pub const STALE_AFTER: Duration = Duration::from_secs(1);

/// Why a ref could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    /// The ref does not point where the caller expected: another writer won.
    #[error("the ref moved (it is at {})", actual.map(|a| a.to_string()).unwrap_or_else(|| "nothing".into()))]
    Lost { actual: Option<ObjectId> },
    /// Another process holds the lock right now.
    #[error("{} is locked by another writer", path.display())]
    Busy { path: PathBuf },
    /// A lock left behind by a process that is gone.
    #[error("{} was left by a process that is gone ({}s old)", path.display(), age.as_secs())]
    Stale { path: PathBuf, age: Duration },
    /// The ref holds something that is not an object id (a symbolic ref, garbage).
    #[error("{} does not hold an object id: {content:?}", path.display())]
    Malformed { path: PathBuf, content: String },
    /// The file system refused (permissions, a read-only or full disk).
    #[error("could not {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SwapError {
    /// Whether trying again may succeed (a lost race, a lock in use).
    pub fn is_retryable(&self) -> bool {
        matches!(self, SwapError::Lost { .. } | SwapError::Busy { .. })
    }
}

/// What the reflog entry of an update says, and whether to write one.
pub struct LogLine<'a> {
    /// `name <email> time tz`, as git writes a signature.
    pub committer: gix::actor::SignatureRef<'a>,
    pub message: &'a str,
}

/// The refs of one repository (its common directory, shared by worktrees).
pub struct Refs<'r> {
    repo: &'r gix::Repository,
}

impl<'r> Refs<'r> {
    /// The refs of `repo`.
    pub fn new(repo: &'r gix::Repository) -> Self {
        Refs { repo }
    }

    fn loose_path(&self, name: &str) -> PathBuf {
        self.repo.common_dir().join(name)
    }

    fn packed_path(&self) -> PathBuf {
        self.repo.common_dir().join("packed-refs")
    }

    /// Where `name` points now: the loose ref, else `packed-refs` as it is
    /// on disk at this moment.
    pub fn read(&self, name: &str) -> Result<Option<ObjectId>, SwapError> {
        let path = self.loose_path(name);
        match fs::read(&path) {
            Ok(bytes) => return parse_loose(&path, &bytes).map(Some),
            // A directory of refs (`heads/a` when `heads/a/b` exists) is not this ref.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory | ErrorKind::NotADirectory) => {}
            Err(e) => return Err(SwapError::Io { action: "read", path, source: e }),
        }
        self.read_packed(name)
    }

    fn read_packed(&self, name: &str) -> Result<Option<ObjectId>, SwapError> {
        let path = self.packed_path();
        let buffer = match gix::refs::packed::Buffer::open(path.clone(), 32 * 1024, self.repo.object_hash()) {
            Ok(b) => b,
            Err(_) if !path.exists() => return Ok(None),
            Err(e) => {
                return Err(SwapError::Io { action: "read", path, source: std::io::Error::other(e.to_string()) });
            }
        };
        match buffer.try_find(name) {
            Ok(found) => Ok(found.map(|r| r.target())),
            Err(e) => Err(SwapError::Io { action: "read", path, source: std::io::Error::other(e.to_string()) }),
        }
    }

    /// Moves `name` from `expected` (`Some(None)`: it must not exist; `None`:
    /// whatever it points at) to `new`, under the ref's lock.
    pub fn swap(&self, name: &str, expected: Option<Option<ObjectId>>, new: ObjectId, log: &LogLine<'_>) -> Result<(), SwapError> {
        let path = self.loose_path(name);
        interrupt::critical(|| {
            let lock = Lock::acquire(&path)?;
            let current = self.read(name)?;
            if let Some(expected) = expected
                && current != expected
            {
                return Err(SwapError::Lost { actual: current });
            }
            lock.write(format!("{new}\n").as_bytes())?;
            self.append_log(name, current, new, log)?;
            lock.commit(&path)
        })
    }

    /// Appends to the ref's reflog when git would: the log exists, or
    /// `core.logAllRefUpdates` is `always`.
    fn append_log(&self, name: &str, old: Option<ObjectId>, new: ObjectId, log: &LogLine<'_>) -> Result<(), SwapError> {
        let path = self.repo.common_dir().join("logs").join(name);
        let always =
            self.repo.config_snapshot().string("core.logAllRefUpdates").is_some_and(|v| v.to_string().eq_ignore_ascii_case("always"));
        if !always && !path.is_file() {
            return Ok(());
        }
        let io = |source| SwapError::Io { action: "write the reflog", path: path.clone(), source };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io)?;
        }
        let old = old.unwrap_or_else(|| ObjectId::null(self.repo.object_hash()));
        let mut line = format!("{old} {new} ").into_bytes();
        log.committer.write_to(&mut line).map_err(io)?;
        line.push(b'\t');
        line.extend(log.message.lines().next().unwrap_or("").bytes());
        line.push(b'\n');
        let mut f = fs::OpenOptions::new().create(true).append(true).open(&path).map_err(io)?;
        f.write_all(&line).map_err(io)
    }

    /// Every lock file under `refs/beads/`, with whether it is stale.
    pub fn beads_locks(&self) -> Vec<LockFile> {
        let mut out = Vec::new();
        let root = self.repo.common_dir().join("refs").join("beads");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = fs::read_dir(&dir) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "lock") {
                    if let Some(state) = inspect(&p) {
                        out.push(state);
                    }
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// A lock file found on disk.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LockFile {
    pub path: PathBuf,
    /// Seconds since it was last written.
    pub age_secs: u64,
    /// Whether a live process holds it (or it is too young to tell).
    pub in_use: bool,
}

/// Looks at a lock file: its age, and whether a process holds it.
pub fn inspect(path: &Path) -> Option<LockFile> {
    let f = fs::File::open(path).ok()?;
    let age = f.metadata().ok()?.modified().ok()?.elapsed().unwrap_or_default();
    let held = match f.try_lock() {
        Ok(()) => {
            let _ = f.unlock();
            false
        }
        Err(_) => true,
    };
    Some(LockFile { path: path.to_path_buf(), age_secs: age.as_secs(), in_use: held || age < STALE_AFTER })
}

fn parse_loose(path: &Path, bytes: &[u8]) -> Result<ObjectId, SwapError> {
    let text = String::from_utf8_lossy(bytes);
    let hex = text.trim_end();
    ObjectId::from_hex(hex.as_bytes())
        .map_err(|_| SwapError::Malformed { path: path.to_path_buf(), content: hex.chars().take(60).collect() })
}

/// A held ref lock: removed on drop unless committed, and registered for
/// removal on interrupt.
struct Lock {
    path: PathBuf,
    file: fs::File,
    _registered: interrupt::PathGuard,
    done: bool,
}

impl Lock {
    fn acquire(resource: &Path) -> Result<Lock, SwapError> {
        let mut name = resource.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        // `pack-refs` removes directories it emptied: create, and create
        // again if the directory vanished in between (as git does).
        let mut attempts = 0;
        let file = loop {
            attempts += 1;
            if let Some(dir) = path.parent()
                && let Err(e) = fs::create_dir_all(dir)
            {
                // A directory removed by `pack-refs` while it was being made
                // shows as not found, or as existing but not a directory.
                if attempts < 10 && matches!(e.kind(), ErrorKind::NotFound | ErrorKind::AlreadyExists) {
                    continue;
                }
                return Err(SwapError::Io { action: "create the directory of", path: path.clone(), source: e });
            }
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(f) => break f,
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    return Err(match inspect(&path) {
                        Some(l) if !l.in_use => SwapError::Stale { path, age: Duration::from_secs(l.age_secs) },
                        _ => SwapError::Busy { path },
                    });
                }
                Err(e) if e.kind() == ErrorKind::NotFound && attempts < 10 => continue,
                Err(e) => return Err(SwapError::Io { action: "create the lock", path, source: e }),
            }
        };
        let registered = interrupt::register_path(&path);
        // Tells a live holder from a dead one (see `inspect`); best effort.
        let _ = file.try_lock();
        Ok(Lock { path, file, _registered: registered, done: false })
    }

    fn write(&self, bytes: &[u8]) -> Result<(), SwapError> {
        (&self.file).write_all(bytes).map_err(|e| SwapError::Io { action: "write the lock", path: self.path.clone(), source: e })
    }

    fn commit(mut self, resource: &Path) -> Result<(), SwapError> {
        fs::rename(&self.path, resource).map_err(|e| SwapError::Io {
            action: "move the lock over",
            path: resource.to_path_buf(),
            source: e,
        })?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// What `unlock` did with one lock file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Unlocked {
    pub path: PathBuf,
    pub age_secs: u64,
    pub in_use: bool,
    pub removed: bool,
}

impl Refs<'_> {
    /// Removes the lock files under `refs/beads/` that no live process
    /// holds (all of them with `force`); lists every one it found.
    pub fn unlock(&self, force: bool) -> Result<Vec<Unlocked>, SwapError> {
        let mut out = Vec::new();
        for l in self.beads_locks() {
            let remove = force || !l.in_use;
            if remove {
                match fs::remove_file(&l.path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(SwapError::Io { action: "remove", path: l.path, source: e }),
                }
            }
            out.push(Unlocked { path: l.path, age_secs: l.age_secs, in_use: l.in_use, removed: remove });
        }
        Ok(out)
    }
}
