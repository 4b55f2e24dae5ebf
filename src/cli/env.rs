//! The process environment, read in one place: what the library takes as
//! options (the clock, the ID seed, the actor, the cache, `git -c`
//! overrides) and what `check` learns from the CI system.

use super::UsageError;
use crate::model::Timestamp;
use crate::store::{Options, config_parameters};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The store options for this invocation: `--actor`, else
/// `GIT_BEADS_ACTOR`, `BEADS_ACTOR`, `BD_ACTOR`; `GIT_BEADS_NOW`,
/// `GIT_BEADS_SEED`, `GIT_BEADS_NO_CACHE`, `GIT_BEADS_CACHE_DELTA`, `$USER`,
/// and `git -c` settings (`GIT_CONFIG_PARAMETERS`). A clock or seed that does
/// not parse is a usage error, never ignored.
pub fn store_options(actor_flag: Option<&str>) -> Result<Options, UsageError> {
    let mut o = Options::default();
    if let Some(v) = var("GIT_BEADS_NOW") {
        o.now = Some(Timestamp::parse(&v).map_err(|_| {
            UsageError("GIT_BEADS_NOW is set but is not an RFC 3339 timestamp such as 2026-01-02T03:04:05Z; unset it or fix it".into())
        })?);
    }
    if let Some(v) = var("GIT_BEADS_SEED") {
        o.seed =
            Some(v.trim().parse().map_err(|_| UsageError("GIT_BEADS_SEED is set but is not a whole number; unset it or fix it".into()))?);
    }
    o.actor = actor_flag.map(str::to_string).or_else(|| ["GIT_BEADS_ACTOR", "BEADS_ACTOR", "BD_ACTOR"].iter().find_map(|k| var(k)));
    o.fallback_actor = var("USER");
    o.cache = !std::env::var_os("GIT_BEADS_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
    o.cache_delta_limit = var("GIT_BEADS_CACHE_DELTA").and_then(|v| v.parse().ok());
    o.config_overrides = std::env::var("GIT_CONFIG_PARAMETERS").map(|p| config_parameters(&p)).unwrap_or_default();
    Ok(o)
}

/// The pull request's target and source branches, as GitHub Actions or
/// GitLab CI report them.
pub fn ci_branches() -> (Option<String>, Option<String>) {
    let base = var("GITHUB_BASE_REF").or_else(|| var("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"));
    let head = var("GITHUB_HEAD_REF").or_else(|| var("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"));
    (base, head)
}
