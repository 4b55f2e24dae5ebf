//! `init`: configure the repository for git-beads. Idempotent: a second run
//! changes nothing and says so.

use super::{Ctx, exit};
use crate::InitOptions;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Pin the prefix of new IDs (default: the prefix the project's issues
    /// already use, else one made from the repository's directory name).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// The branch whose namespace is canonical (default: the remote's
    /// default branch, else init.defaultBranch, else main).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Set up a contributor's clone: new issues go to a private planning
    /// namespace that syncs only with a separate planning repository.
    #[arg(long)]
    pub contributor: bool,
    /// The planning repository (a path or URL; default ~/.beads-planning,
    /// created as a bare repository when it is a missing local path).
    #[arg(long, value_name = "PATH_OR_URL", requires = "contributor")]
    pub planning: Option<String>,
    /// This project's name in qualified IDs and in the planning repository
    /// (default: from origin's URL, else the prefix).
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
}

/// `~/x` as a path under `$HOME` (the planning repository's default is
/// `~/.beads-planning`).
fn expand_home(path: &str) -> String {
    match path.strip_prefix("~/") {
        Some(rest) => std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(rest).display().to_string(),
        None => path.to_string(),
    }
}

pub fn run(ctx: &mut Ctx, a: InitArgs) -> anyhow::Result<u8> {
    let planning = a.planning.unwrap_or_else(|| "~/.beads-planning".to_string());
    let opts = InitOptions {
        prefix: a.prefix,
        branch: a.branch,
        project: a.project,
        contributor_planning: a.contributor.then(|| if crate::is_local_path(&planning) { expand_home(&planning) } else { planning }),
    };
    let r = ctx.beads.init(&opts)?;
    if ctx.ui.json {
        ctx.ui.json_value(&r)?;
        return Ok(exit::OK);
    }
    let prefix_note = match r.prefix_source {
        "config" => format!("prefix {}", r.prefix),
        "issues" => format!("prefix {} (from the existing issues)", r.prefix),
        _ => format!("prefix {} (from the directory name until issues say otherwise; pin one with --prefix)", r.prefix),
    };
    let place = ctx.store().workdir().unwrap_or_else(|| ctx.store().common_dir()).display().to_string();
    if r.actions.is_empty() {
        ctx.ui.line(&format!(
            "git-beads is already set up in {place}: {prefix_note}, canonical namespace {}; nothing changed",
            r.namespace
        ))?;
    } else {
        ctx.ui.line(&format!("git-beads set up in {place}: {prefix_note}, canonical namespace {}", r.namespace))?;
        for act in &r.actions {
            ctx.ui.line(&format!("  {act}"))?;
        }
    }
    Ok(exit::OK)
}
