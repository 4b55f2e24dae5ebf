//! `init`: configure the repository for git-beads. Idempotent: a second run
//! changes nothing and says so.

use super::{Ctx, exit};
use git_beads::git::{self, Git};
use git_beads::model::id;
use git_beads::store::{self, Namespace};
use std::collections::BTreeMap;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Prefix for new IDs (default: the existing one, else one inferred from
    /// existing issues, else the repository's directory name).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// The branch whose namespace is canonical (default: the remote's
    /// default branch, else init.defaultBranch, else main).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
}

/// The most common prefix among the IDs in `ns`, if any.
fn inferred_prefix(ctx: &Ctx, ns: &Namespace) -> anyhow::Result<Option<String>> {
    let snap = ctx.store.snapshot(ns)?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in snap.index.ids() {
        if let Some(p) = id::prefix_of(i) {
            *counts.entry(p).or_default() += 1;
        }
    }
    Ok(counts.into_iter().max_by_key(|(_, c)| *c).map(|(p, _)| p.to_string()))
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

    let prefix = match (&a.prefix, &ctx.store.settings().prefix) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => match inferred_prefix(ctx, &ns)? {
            Some(p) => p,
            None => store::default_prefix(ctx.store.repo()),
        },
    };
    store::validate_prefix(&prefix)?;
    if ctx.store.settings().prefix.as_deref() != Some(prefix.as_str()) {
        gitrun.config_set("beads.prefix", &prefix)?;
        actions.push(format!("set beads.prefix = {prefix}"));
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

    if ctx.ui.json {
        ctx.ui.json_value(&serde_json::json!({
            "prefix": prefix,
            "canonical_branch": branch,
            "namespace": ns.refname(),
            "actions": actions,
            "changed": !actions.is_empty(),
        }))?;
        return Ok(exit::OK);
    }
    let place = ctx.store.workdir().unwrap_or_else(|| ctx.store.common_dir()).display().to_string();
    if actions.is_empty() {
        ctx.ui.line(&format!("git-beads is already set up in {place}: prefix {prefix}, canonical namespace {ns}; nothing changed"))?;
    } else {
        ctx.ui.line(&format!("git-beads set up in {place}: prefix {prefix}, canonical namespace {ns}"))?;
        for act in &actions {
            ctx.ui.line(&format!("  {act}"))?;
        }
    }
    Ok(exit::OK)
}
