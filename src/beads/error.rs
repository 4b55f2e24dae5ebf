//! The front door's error: any layer's, with the case a caller branches on
//! available as an [`ErrorKind`].

use crate::{check, git, model, ops, proposals, remote, store};

/// Everything a [`super::Beads`] call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a namespace (a lost race, a damaged blob, a ref
    /// that could not be locked, ...).
    #[error(transparent)]
    Store(#[from] store::Error),
    /// An operation refused (blocked, already claimed, a cycle, ...).
    #[error(transparent)]
    Op(#[from] ops::Error),
    /// A remote: missing, unreachable, refusing a push.
    #[error(transparent)]
    Remote(#[from] remote::Error),
    /// Proposing, accepting or rejecting issues.
    #[error(transparent)]
    Proposal(#[from] proposals::Error),
    /// A CI check that could not run.
    #[error(transparent)]
    Check(#[from] check::Error),
    /// A git command failed (with the command and its stderr) or hung.
    #[error(transparent)]
    Git(#[from] git::Error),
    /// A value given to the call that it cannot use (a field, a priority, a
    /// date, an ID), named with the value.
    #[error(transparent)]
    Field(#[from] model::FieldError),
    /// An issue ID that is not well formed.
    #[error(transparent)]
    Id(#[from] model::id::IdError),
    /// A date or duration that cannot be read.
    #[error(transparent)]
    Time(#[from] model::time::TimeError),
}

/// Results of the front door.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is: the cases a program branches on,
/// whichever layer raised them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No repository there.
    NotARepository,
    /// `init` has not run.
    NotInitialized,
    /// A remote has beads namespaces this clone has not fetched yet.
    NotFetched,
    /// No issue (or project) by that ID.
    NotFound,
    /// The ID matches several issues, or one ID means different issues in
    /// several namespaces.
    Ambiguous,
    /// Open work blocks what was asked (closing, claiming).
    Blocked,
    /// Someone else holds the issue.
    AlreadyClaimed,
    /// The issue's status does not allow the action (claiming a closed
    /// issue, reopening an open one).
    WrongStatus,
    /// Other writers kept moving the namespace, or a ref lock is in the way.
    Contended,
    /// A ref lock was left by a process that is gone.
    StaleLock,
    /// A dependency would close a cycle, or an issue would depend on itself.
    Cycle,
    /// A value that is not allowed (a field, a status for this action, a
    /// config setting, an ID that exists already, an import line).
    Invalid,
    /// The namespace is not written by this clone or by any command.
    ReadOnly,
    /// Stored data git-beads cannot read: a bad blob, a damaged namespace.
    Unreadable,
    /// A namespace written by a newer git-beads.
    UnknownFormat,
    /// A remote that is not configured, cannot be reached, timed out, or
    /// refused; a push race that would not settle.
    Remote,
    /// `check` cannot be made here (refs, history or a revision missing).
    CannotCheck,
    /// A git command failed.
    Git,
    /// Anything else (file system, internal).
    Other,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Store(e) => store_kind(e),
            Error::Op(e) => op_kind(e),
            Error::Remote(e) => remote_kind(e),
            Error::Proposal(e) => match e {
                proposals::Error::Remote(e) => remote_kind(e),
                proposals::Error::Op(e) => op_kind(e),
                proposals::Error::Store(e) => store_kind(e),
                proposals::Error::NotPublished { .. } => ErrorKind::Remote,
                proposals::Error::NoSuchProposal { .. } => ErrorKind::NotFound,
                proposals::Error::InSeveralProposals { .. } => ErrorKind::Ambiguous,
                _ => ErrorKind::Invalid,
            },
            Error::Check(e) => match e {
                check::Error::CannotCheck(_) => ErrorKind::CannotCheck,
                check::Error::NotARange { .. } => ErrorKind::Invalid,
                check::Error::Op(e) => op_kind(e),
                check::Error::Remote(e) => remote_kind(e),
                check::Error::Store(e) => store_kind(e),
                check::Error::Git(_) => ErrorKind::Git,
            },
            Error::Git(git::Error::Timeout { .. }) => ErrorKind::Remote,
            Error::Git(_) => ErrorKind::Git,
            Error::Field(_) | Error::Id(_) | Error::Time(_) => ErrorKind::Invalid,
        }
    }

    /// Whether someone else holds the issue (a claim lost to another agent).
    pub fn is_claimed(&self) -> bool {
        self.kind() == ErrorKind::AlreadyClaimed
    }

    /// Whether a claim lost a race: another agent holds the issue, or took
    /// and closed it between this caller's read and its claim. A worker
    /// polling the ready frontier takes the next issue.
    pub fn is_taken(&self) -> bool {
        matches!(self.kind(), ErrorKind::AlreadyClaimed | ErrorKind::WrongStatus)
    }
}

fn store_kind(e: &store::Error) -> ErrorKind {
    use store::Error as E;
    match e {
        E::NotARepository { .. } => ErrorKind::NotARepository,
        E::NotInitialized => ErrorKind::NotInitialized,
        E::NotFound { .. } | E::UnknownProject { .. } => ErrorKind::NotFound,
        E::Ambiguous { .. } | E::InSeveralNamespaces { .. } => ErrorKind::Ambiguous,
        E::InvalidBlob { .. } | E::Unreadable { .. } | E::Unreadables { .. } | E::DamagedFormat { .. } | E::DamagedLayout { .. } => {
            ErrorKind::Unreadable
        }
        E::UnknownFormat { .. } => ErrorKind::UnknownFormat,
        E::Field(_) | E::Id(_) | E::Time(_) | E::Config { .. } | E::InvalidPrefix { .. } | E::InvalidIssue { .. } => ErrorKind::Invalid,
        E::BadNamespace(_) | E::NamespaceClash { .. } => ErrorKind::Invalid,
        E::ReadOnly { .. } | E::NotWritable { .. } => ErrorKind::ReadOnly,
        E::Contended { .. } | E::Locked { stale: false, .. } => ErrorKind::Contended,
        E::Locked { stale: true, .. } => ErrorKind::StaleLock,
        E::GitCommand(git::Error::Timeout { .. }) => ErrorKind::Remote,
        E::GitCommand(_) => ErrorKind::Git,
        _ => ErrorKind::Other,
    }
}

fn op_kind(e: &ops::Error) -> ErrorKind {
    use ops::Error as E;
    match e {
        E::Blocked { .. } => ErrorKind::Blocked,
        E::Claimed { .. } => ErrorKind::AlreadyClaimed,
        E::WrongStatus { .. } => ErrorKind::WrongStatus,
        E::Cycle { .. } | E::SelfDependency { .. } => ErrorKind::Cycle,
        E::Store(e) => store_kind(e),
        _ => ErrorKind::Invalid,
    }
}

fn remote_kind(e: &remote::Error) -> ErrorKind {
    match e {
        remote::Error::NotFetched { .. } => ErrorKind::NotFetched,
        remote::Error::Store(e) => store_kind(e),
        remote::Error::Git(git::Error::Failed { .. } | git::Error::Spawn { .. }) => ErrorKind::Git,
        _ => ErrorKind::Remote,
    }
}
