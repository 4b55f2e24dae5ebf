//! `init`: configure the repository for git-beads. Idempotent: a second run
//! changes nothing and says so.

use super::{Ctx, exit};
use git_beads::git::{self, Git};
use git_beads::store::{self, Namespace};

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
}

pub fn run(ctx: &mut Ctx, a: InitArgs) -> anyhow::Result<u8> {
    let gitrun = Git::new(ctx.store.repo().git_dir());
    let mut actions: Vec<String> = Vec::new();

    let branch = match (&a.branch, &ctx.store.settings().canonical) {
        (Some(b), _) => b.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => ctx.store.canonical_branch(),
    };
    let ns = Namespace::branch(&branch)?;
    if ctx.store.settings().canonical.as_deref() != Some(branch.as_str()) {
        gitrun.config_set("beads.canonical", &branch)?;
        actions.push(format!("set beads.canonical = {branch} (canonical namespace {ns})"));
    }

    if let Some(p) = &a.prefix {
        store::validate_prefix(p)?;
        if ctx.store.settings().prefix.as_deref() != Some(p.as_str()) {
            gitrun.config_set("beads.prefix", p)?;
            actions.push(format!("set beads.prefix = {p}"));
        }
    }

    for remote in gitrun.remotes()? {
        let spec = git::fetch_refspec(&remote);
        if gitrun.config_add_once(&format!("remote.{remote}.fetch"), &spec)? {
            actions.push(format!("added fetch refspec {spec} to remote {remote}"));
        }
    }
    if gitrun.config_add_once("log.excludeDecoration", "refs/beads/")? {
        actions.push("added refs/beads/ to log.excludeDecoration".to_string());
    }
    ctx.store.reload_settings()?;
    let (prefix, origin) = ctx.store.prefix_and_origin();
    let prefix_note = match origin {
        "config" => format!("prefix {prefix}"),
        "issues" => format!("prefix {prefix} (from the existing issues)"),
        _ => format!("prefix {prefix} (from the directory name until issues say otherwise; pin one with --prefix)"),
    };

    if ctx.ui.json {
        ctx.ui.json_value(&serde_json::json!({
            "prefix": prefix,
            "prefix_source": origin,
            "canonical_branch": branch,
            "namespace": ns.refname(),
            "actions": actions,
            "changed": !actions.is_empty(),
        }))?;
        return Ok(exit::OK);
    }
    let place = ctx.store.workdir().unwrap_or_else(|| ctx.store.common_dir()).display().to_string();
    if actions.is_empty() {
        ctx.ui.line(&format!("git-beads is already set up in {place}: {prefix_note}, canonical namespace {ns}; nothing changed"))?;
    } else {
        ctx.ui.line(&format!("git-beads set up in {place}: {prefix_note}, canonical namespace {ns}"))?;
        for act in &actions {
            ctx.ui.line(&format!("  {act}"))?;
        }
    }
    Ok(exit::OK)
}
