//! What can go wrong in the store layer.

use super::{Namespace, index, refs, tree};
use crate::model::{self, DecodeError, FieldError};
use gix::ObjectId;
use std::path::PathBuf;

/// Everything that can go wrong below the command line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a git repository (or any parent up to the root): {path}")]
    NotARepository {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("git-beads is not initialized in this repository")]
    NotInitialized,
    #[error("issue {id} not found in {namespace}")]
    NotFound { id: String, namespace: String },
    #[error("issue ID {input:?} is ambiguous: it matches {}", candidates.join(", "))]
    Ambiguous { input: String, candidates: Vec<String> },
    #[error("{id} is in several namespaces ({}); say which: {}", namespaces.join(", "), forms.join(" or "))]
    InSeveralNamespaces { id: String, namespaces: Vec<String>, forms: Vec<String> },
    #[error("invalid issue blob {blob} at {path} in {namespace}")]
    InvalidBlob {
        namespace: String,
        path: String,
        blob: ObjectId,
        #[source]
        source: DecodeError,
    },
    #[error("issue {id} in {namespace} cannot be read: blob {blob} at {path}: {reason}")]
    Unreadable { id: String, namespace: String, path: String, blob: String, reason: String },
    /// Entries that cannot be read, where an answer without them would be wrong.
    #[error("{action}: {} cannot be read: {}", plural(entries.len(), "entry", "entries"), list_entries(entries))]
    Unreadables { action: String, entries: Vec<(Namespace, index::InvalidEntry)> },
    #[error("namespace {namespace} uses format version {found}; this git-beads reads version {}", tree::LAYOUT_VERSION)]
    UnknownFormat { namespace: String, found: String },
    /// The `format` entry of a namespace is not what git-beads writes.
    #[error("namespace {namespace} has a damaged format entry: {what}")]
    DamagedFormat { namespace: String, what: String },
    /// The tree of a namespace is not laid out as git-beads lays it out.
    #[error("namespace {namespace} is damaged: {what}")]
    DamagedLayout { namespace: String, what: String },
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Id(#[from] model::id::IdError),
    #[error(transparent)]
    Time(#[from] model::time::TimeError),
    #[error("{ns} kept moving: gave up after {attempts} attempts to update it (last: {last_error})")]
    Contended { ns: String, attempts: u32, last_error: String },
    #[error("object {oid} is missing from the repository")]
    MissingObject { oid: ObjectId },
    #[error("object {oid} is a {found}, expected a {expected}")]
    WrongObjectKind { oid: ObjectId, expected: String, found: String },
    #[error("invalid namespace name {0:?}: not a valid git ref name")]
    BadNamespace(String),
    /// A namespace this clone does not write (`beads.<ns>.readonly`).
    #[error("{namespace} is read-only in this clone")]
    ReadOnly { namespace: String },
    /// A namespace no command writes (tracking refs, proposals, rejections).
    #[error("{namespace} cannot be written: {why}")]
    NotWritable { namespace: String, why: String },
    /// A new namespace whose ref would clash with an existing one.
    #[error("cannot create {namespace}: {existing} exists, and a git ref cannot also be a folder of refs")]
    NamespaceClash { namespace: String, existing: String },
    /// A git config setting that does not say what it must.
    #[error("{key} is {value:?}: {reason}")]
    Config { key: String, value: String, reason: String },
    /// An ID prefix that is not letters, digits, `_` and inner `-`.
    #[error("invalid prefix {prefix:?}: use letters, digits, '_' and inner '-'")]
    InvalidPrefix { prefix: String },
    /// An issue that does not pass validation.
    #[error("issue {id} is not valid")]
    InvalidIssue {
        id: String,
        #[source]
        source: FieldError,
    },
    /// A qualified ID naming a project this clone knows nothing of.
    #[error("no project or remote named {name:?} has beads namespaces here")]
    UnknownProject { name: String },
    /// A bug in git-beads: something it just wrote does not read back.
    #[error("internal error: {what}")]
    Internal { what: String },
    #[error("{context}")]
    Git {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A ref lock left behind by a process that is gone (`stale`), or one a
    /// live process has held for longer than a write waits.
    #[error("{} is locked by {} (the lock is {age_secs}s old)", path.display(), if *stale { "a process that is gone" } else { "another process that does not let go" })]
    Locked { path: PathBuf, age_secs: u64, stale: bool },
    /// A ref could not be read or moved for a reason other than a lost race.
    #[error("could not update {namespace}")]
    RefUpdate {
        namespace: String,
        #[source]
        source: refs::SwapError,
    },
    /// A git command failed, or ran past its time limit.
    #[error(transparent)]
    GitCommand(#[from] crate::git::Error),
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// A cycle for a message: all of a short one; the ends of a long one (a
/// cycle through 100,000 issues must not make a megabyte of error).
pub fn cycle_text(cycle: &[String]) -> String {
    if cycle.len() <= 12 {
        return cycle.join(" -> ");
    }
    let head = cycle[..8].join(" -> ");
    let tail = cycle[cycle.len() - 2..].join(" -> ");
    format!("{head} -> ... ({} more) ... -> {tail}", cycle.len() - 10)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The first few unreadable entries, for a message.
fn list_entries(entries: &[(Namespace, index::InvalidEntry)]) -> String {
    let mut shown: Vec<String> = entries
        .iter()
        .take(5)
        .map(|(ns, e)| format!("{} in {} ({}: {})", e.path, ns.short(), if e.blob.is_empty() { "-" } else { &e.blob }, e.error))
        .collect();
    if entries.len() > 5 {
        shown.push(format!("and {} more", entries.len() - 5));
    }
    shown.join("; ")
}

impl Error {
    /// Wraps a gix (or other git-level) error with what was being done.
    pub fn git(context: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Git { context: context.into(), source: Box::new(source) }
    }

    /// The error for a ref update that failed for good (a lost race is
    /// retried by the caller, never reported through here but as `Contended`).
    pub fn from_swap(ns: &Namespace, e: refs::SwapError) -> Self {
        match e {
            refs::SwapError::Stale { path, age } => Error::Locked { path, age_secs: age.as_secs(), stale: true },
            e => Error::RefUpdate { namespace: ns.to_string(), source: e },
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;
