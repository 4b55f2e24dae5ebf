//! What can go wrong talking to a remote, and when syncing with one.

use crate::store;

/// Why a fetch, push or sync did not go through.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No remote of that name is configured.
    #[error("no remote named {name:?} is configured{}", if known.is_empty() { " (this repository has no remotes)".to_string() } else { format!(" (known: {})", known.join(", ")) })]
    NoSuchRemote { name: String, known: Vec<String> },
    /// The remote could not be reached, or git failed talking to it.
    #[error("could not reach remote {remote}: {message}")]
    Remote { remote: String, message: String },
    /// The remote refused the push (a hook, permissions).
    #[error("remote {remote} refused the push: {reason}")]
    PushRefused { remote: String, reason: String, details: String },
    /// Every round lost the race with other pushes.
    #[error("remote {remote} kept changing: gave up after {attempts} fetch-merge-push rounds (last: {last})")]
    PushRace { remote: String, attempts: u32, last: String },
    /// A clone that has not fetched the remote's beads namespaces yet: an
    /// answer from here would say "no work" when the remote has some.
    #[error("{remote} has {namespaces} beads namespace(s) that this clone has not fetched: nothing here can be answered yet")]
    NotFetched { remote: String, namespaces: usize },
    /// A namespace that cannot be pushed as it is.
    #[error("{namespace}: {message}")]
    NotPushable { namespace: String, message: String },
    /// A git command failed, or ran past the network timeout.
    #[error(transparent)]
    Git(#[from] crate::git::Error),
    /// The store could not read or write what the sync needed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Results of talking to remotes.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A store error wrapping a gix error, with what was being done.
    pub fn git(context: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Store(store::Error::git(context, source))
    }

    /// A ref update that failed for good (see [`store::Error::from_swap`]).
    pub fn from_swap(ns: &store::Namespace, e: store::refs::SwapError) -> Self {
        Error::Store(store::Error::from_swap(ns, e))
    }
}
