//! `init`: configure the repository for git-beads. Idempotent: a second run
//! changes nothing and says so.

use super::{Ctx, exit};
use anyhow::Context as _;
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

/// The planning remote git-beads configures for a contributor.
pub const PLANNING_REMOTE: &str = "beads-planning";

/// Whether `url` names a local path rather than a URL.
fn is_local_path(url: &str) -> bool {
    !url.contains("://") && (url.starts_with('/') || url.starts_with('.') || url.starts_with('~') || !url.contains(':'))
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(rest),
        None => std::path::PathBuf::from(path),
    }
}

/// Configures the planning namespace, its remote, and the routing to it.
fn contributor(ctx: &mut Ctx, gitrun: &Git, planning: Option<&str>, actions: &mut Vec<String>) -> anyhow::Result<()> {
    let project = ctx.store.project();
    let ns = Namespace::planning(&project)?;
    let url = planning.map(str::to_string).unwrap_or_else(|| "~/.beads-planning".to_string());
    let url = if is_local_path(&url) {
        let path = expand_home(&url);
        if !path.exists() {
            std::fs::create_dir_all(&path).with_context(|| format!("could not create {}", path.display()))?;
            Git::new(&path).run(["init", "--bare", "-q"]).map_err(anyhow::Error::from)?;
            actions.push(format!("created the planning repository {}", path.display()));
        } else if Git::new(&path).run(["rev-parse", "--git-dir"]).is_err()
            && Git::new(&path.join(".git")).run(["rev-parse", "--git-dir"]).is_err()
        {
            return Err(super::InvalidInput(format!("{} exists but is not a git repository", path.display())).into());
        }
        path.canonicalize().unwrap_or(path).display().to_string()
    } else {
        url
    };
    let current = gitrun.config_all(&format!("remote.{PLANNING_REMOTE}.url"))?;
    if current.first() != Some(&url) {
        gitrun.config_set(&format!("remote.{PLANNING_REMOTE}.url"), &url)?;
        actions.push(format!("set remote {PLANNING_REMOTE} to {url}"));
    }
    let spec = format!("+refs/beads/planning/*:refs/beads/remotes/{PLANNING_REMOTE}/planning/*");
    if gitrun.config_add_once(&format!("remote.{PLANNING_REMOTE}.fetch"), &spec)? {
        actions.push(format!("fetch refspec {spec} for {PLANNING_REMOTE} (beads planning only)"));
    }
    for (key, value) in [
        ("beads.planning".to_string(), ns.short().to_string()),
        ("beads.routing".to_string(), "planning".to_string()),
        (format!("beads.{}.remote", ns.short()), PLANNING_REMOTE.to_string()),
    ] {
        if gitrun.config_all(&key)?.first() != Some(&value) {
            gitrun.config_set(&key, &value)?;
            actions.push(format!("set {key} = {value}"));
        }
    }
    if let Some(canonical) = &ctx.store.settings().canonical {
        let short = Namespace::branch(canonical)?.short().to_string();
        // A contributor follows the canonical namespace and never writes it:
        // work reaches it by `propose`.
        let key = format!("beads.{short}.readonly");
        if gitrun.config_all(&key)?.is_empty() {
            gitrun.config_set(&key, "true")?;
            actions.push(format!("set {key} = true (canonical issues arrive by sync and leave by propose)"));
        }
        // In a fork, the canonical issues come from upstream, not from the
        // fork; branch namespaces stay with the fork (origin).
        if gitrun.remotes()?.iter().any(|r| r == "upstream") {
            let key = format!("beads.{short}.remote");
            if gitrun.config_all(&key)?.is_empty() {
                gitrun.config_set(&key, "upstream")?;
                actions.push(format!("set {key} = upstream (the canonical namespace follows upstream)"));
            }
        }
    }
    Ok(())
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

    if let Some(p) = &a.project
        && ctx.store.settings().project.as_deref() != Some(p.as_str())
    {
        gitrun.config_set("beads.project", p)?;
        actions.push(format!("set beads.project = {p}"));
    }
    if a.contributor {
        ctx.store.reload_settings()?;
        contributor(ctx, &gitrun, a.planning.as_deref(), &mut actions)?;
    }

    for remote in gitrun.remotes()? {
        if remote == PLANNING_REMOTE {
            continue;
        }
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
            "routing": format!("{:?}", ctx.store.routing()).to_lowercase(),
            "planning": ctx.store.planning_namespace().map(|n| n.refname().to_string()),
            "project": ctx.store.project(),
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
