//! Why a check could not be made, or close-from-commits refused a range.

use crate::{git, ops, remote, store};

/// Why `check` (or `close_from_commits`) did not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The check cannot be made in this clone: the verdict would be a guess.
    #[error(transparent)]
    CannotCheck(#[from] CannotCheck),
    /// `close_from_commits` needs `BASE..HEAD`.
    #[error("{range:?} is not a range of merged commits: {reason}")]
    NotARange { range: String, reason: &'static str },
    #[error(transparent)]
    Op(#[from] ops::Error),
    #[error(transparent)]
    Remote(#[from] remote::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Git(#[from] git::Error),
}

/// Results of checks.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is missing for a check to be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CannotCheck {
    /// The clone has no beads refs (CI checkouts fetch none), nor does `remote`.
    #[error("there are no beads refs in this clone{}", remote.as_ref().map(|r| format!(", and {r} has none either")).unwrap_or_else(|| " (CI checkouts fetch none)".into()))]
    NoBeadsRefs { remote: Option<String> },
    /// The base or head of the range is not a commit here.
    #[error("the {role} {rev:?} {}", if *shallow { "is not in this clone, which is shallow" } else { "does not name a commit" })]
    MissingRevision { role: &'static str, rev: String, shallow: bool },
    /// The ends of the range share no history in this shallow clone.
    #[error("the two ends of {range} have no common history in this shallow clone")]
    NoCommonHistory { range: String },
}
