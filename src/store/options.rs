//! What the caller decides when opening a store, instead of the library
//! reading the process environment: the clock, the seed of generated IDs,
//! who acts, whether the index cache is used, `git -c` overrides, the
//! network timeout. The command line fills these from its flags and the
//! environment (`GIT_BEADS_NOW`, `GIT_BEADS_SEED`, `GIT_BEADS_ACTOR`, ...);
//! a program embedding the library sets them itself.

use crate::model::Timestamp;
use std::time::Duration;

/// Options for opening a [`super::Store`]. The default is a real clock,
/// random IDs, the git identity as actor, the cache on, no overrides.
#[derive(Clone, Debug)]
pub struct Options {
    /// The time every write is stamped with and every "now" is measured
    /// from; `None` for the system clock.
    pub now: Option<Timestamp>,
    /// A fixed seed for generated IDs (mixed with the tip each write builds
    /// on); `None` for random ones.
    pub seed: Option<u64>,
    /// Who acts when a call names no one: recorded as commit author,
    /// creator, claimant. `None`: the git identity (`user.name`).
    pub actor: Option<String>,
    /// Who acts when neither `actor` nor a git identity is set (the command
    /// line passes `$USER`); `None`: `unknown`.
    pub fallback_actor: Option<String>,
    /// Read and write the index cache under the git directory (`false`:
    /// every read builds the index in memory; answers are the same).
    pub cache: bool,
    /// The largest delta index kept before compacting (`None`: an eighth of
    /// the base, at least 1,024 rows). Tests set 0 to compact every time.
    pub cache_delta_limit: Option<usize>,
    /// Config settings given as `key=value`, as `git -c` gives them.
    pub config_overrides: Vec<String>,
    /// How long a fetch or push may run, over `beads.timeout`
    /// (`Duration::ZERO`: no limit).
    pub network_timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            now: None,
            seed: None,
            actor: None,
            fallback_actor: None,
            cache: true,
            cache_delta_limit: None,
            config_overrides: Vec::new(),
            network_timeout: None,
        }
    }
}

impl Options {
    /// Stamps every write with `now` (for reproducible runs).
    pub fn now(mut self, now: Timestamp) -> Self {
        self.now = Some(now);
        self
    }

    /// Draws generated IDs from `seed`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Acts as `name`.
    pub fn actor(mut self, name: impl Into<String>) -> Self {
        self.actor = Some(name.into());
        self
    }

    /// Turns the index cache off (`false`) or on.
    pub fn cache(mut self, on: bool) -> Self {
        self.cache = on;
        self
    }

    /// Bounds every fetch and push by `timeout` (`Duration::ZERO`: no limit).
    pub fn network_timeout(mut self, timeout: Duration) -> Self {
        self.network_timeout = Some(timeout);
        self
    }
}
