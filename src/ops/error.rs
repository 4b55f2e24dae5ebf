//! What an operation refuses, and why: the cases callers branch on.

use crate::store;

/// Why an operation did not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Closing (or claiming) an issue that open work still blocks.
    #[error("{id} is blocked by {}", blockers.join(", "))]
    Blocked { id: String, blockers: Vec<String> },
    /// Claiming an issue someone else holds.
    #[error("{id} is already claimed by {holder}")]
    Claimed { id: String, holder: String },
    /// Claiming or deferring an issue in a status that does not allow it.
    #[error("cannot {action} {id}: it is {status}")]
    WrongStatus { action: &'static str, id: String, status: String },
    /// A dependency that would close a cycle of blocking or parent-child edges.
    #[error("adding this dependency would create a cycle: {}", store::cycle_text(cycle))]
    Cycle { cycle: Vec<String> },
    /// An issue depending on itself.
    #[error("an issue cannot depend on itself ({id})")]
    SelfDependency { id: String },
    /// Creating an issue with an ID that is taken.
    #[error("issue {id} already exists in {namespace}")]
    Exists { id: String, namespace: String },
    /// A comment with no text.
    #[error("the comment is empty")]
    EmptyComment,
    /// No ID could be found: every child number under `parent` is taken,
    /// or (without a parent) repeated draws all collided.
    #[error("no free ID is left{}", parent.as_ref().map(|p| format!(" under {p}")).unwrap_or_default())]
    NoFreeId { parent: Option<String> },
    /// JSONL lines that cannot be read: nothing was imported.
    #[error("{} of {source_name} cannot be imported; nothing was imported:\n{}", if lines.len() == 1 { "1 line".to_string() } else { format!("{} lines", lines.len()) }, import_lines(lines))]
    ImportRefused { source_name: String, lines: Vec<(usize, String)> },
    /// The store could not read or write what the operation needed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Results of operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::model::FieldError> for Error {
    fn from(e: crate::model::FieldError) -> Self {
        Error::Store(e.into())
    }
}

impl From<crate::model::id::IdError> for Error {
    fn from(e: crate::model::id::IdError) -> Self {
        Error::Store(e.into())
    }
}

/// The refused lines of an import, one per line, the first 20 of them.
fn import_lines(lines: &[(usize, String)]) -> String {
    let mut out: Vec<String> = lines.iter().take(20).map(|(n, e)| format!("line {n}: {e}")).collect();
    if lines.len() > 20 {
        out.push(format!("... and {} more", lines.len() - 20));
    }
    out.join("\n")
}
