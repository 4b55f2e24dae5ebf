//! Why a proposal could not be made, found or answered.

use crate::{ops, remote, store};

/// What went wrong with a proposal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Proposing to the remote that holds one's own planning.
    #[error("{remote} is your planning remote, not the project's")]
    PlanningRemote { remote: String },
    /// No proposal has that name or holds such an issue.
    #[error("no proposal is named {which:?} or holds such an issue")]
    NoSuchProposal { which: String },
    /// A proposal this clone did not make.
    #[error("{which:?} is not a proposal of this clone")]
    NotOurs { which: String },
    /// Accepting or rejecting what is no longer offered.
    #[error("{which:?} is not on offer (rejected or withdrawn)")]
    NotOnOffer { which: String },
    /// An issue that several proposals hold.
    #[error("{which:?} is in several proposals ({})", names.join(", "))]
    InSeveralProposals { which: String, names: Vec<String> },
    /// A proposal ref that disappeared while it was being read.
    #[error("proposal {name} vanished")]
    Vanished { name: String },
    /// Accepted here, but canonical could not be published to its remote.
    #[error("accepted into {namespace} here, but {remote} was not updated; the proposal stays until a sync with it succeeds")]
    NotPublished {
        namespace: String,
        remote: String,
        #[source]
        source: Option<Box<remote::Error>>,
    },
    #[error(transparent)]
    Remote(#[from] remote::Error),
    #[error(transparent)]
    Op(#[from] ops::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Results of proposal operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
