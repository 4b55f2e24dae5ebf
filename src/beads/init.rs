//! `init`: configuring a repository for git-beads (git config only, never
//! the working tree). Idempotent: a second run changes nothing and says so.

use super::{Beads, Result};
use crate::git::{self, Git};
use crate::store::{self, Namespace, Routing, Store};

/// What `init` sets up.
#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    /// Pin the prefix of new IDs (default: the one the project's issues use,
    /// else one made from the directory name).
    pub prefix: Option<String>,
    /// The canonical branch (default: the remote's default branch, else
    /// `init.defaultBranch`, else `main`).
    pub branch: Option<String>,
    /// This project's name in qualified IDs and planning refs.
    pub project: Option<String>,
    /// Set up a contributor's clone, with its planning repository (a path,
    /// created bare if missing, or a URL).
    pub contributor_planning: Option<String>,
}

/// What `init` found and did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InitReport {
    /// The prefix of new IDs.
    pub prefix: String,
    /// `config`, `issues` or `directory`.
    pub prefix_source: &'static str,
    /// The branch whose namespace is canonical.
    pub canonical_branch: String,
    /// Where new issues go (`maintainer` or `contributor`).
    pub routing: Routing,
    /// The planning remote's URL, for a contributor.
    pub planning: Option<String>,
    /// This project's name.
    pub project: String,
    /// The canonical namespace.
    pub namespace: String,
    /// What changed, one line each (empty: nothing).
    pub actions: Vec<String>,
    /// Whether anything changed.
    pub changed: bool,
}

/// The planning remote git-beads configures for a contributor.
pub const PLANNING_REMOTE: &str = "beads-planning";

/// Whether `url` names a local path rather than a URL.
pub fn is_local_path(url: &str) -> bool {
    !url.contains("://") && (url.starts_with('/') || url.starts_with('.') || url.starts_with('~') || !url.contains(':'))
}

/// Configures the planning namespace, its remote, and the routing to it.
fn contributor(store: &Store, gitrun: &Git, planning: &str, actions: &mut Vec<String>) -> Result<()> {
    let project = store.project();
    let ns = Namespace::planning(&project)?;
    let url = planning.to_string();
    let url = if is_local_path(&url) {
        let path = std::path::PathBuf::from(&url);
        if !path.exists() {
            std::fs::create_dir_all(&path).map_err(|e| store::Error::io(format!("could not create {}", path.display()), e))?;
            Git::new(&path).run(["init", "--bare", "-q"])?;
            actions.push(format!("created the planning repository {}", path.display()));
        } else if Git::new(&path).run(["rev-parse", "--git-dir"]).is_err()
            && Git::new(&path.join(".git")).run(["rev-parse", "--git-dir"]).is_err()
        {
            return Err(store::Error::Config {
                key: "the planning repository".into(),
                value: path.display().to_string(),
                reason: "it exists but is not a git repository".into(),
            }
            .into());
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
    if let Some(canonical) = &store.settings().canonical {
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

impl Beads {
    /// Sets up git-beads in this repository (see [`InitOptions`]).
    pub fn init(&mut self, opts: &InitOptions) -> Result<InitReport> {
        let store = &mut self.store;
        let gitrun = Git::new(store.repo().git_dir());
        let mut actions: Vec<String> = Vec::new();

        let branch = match (&opts.branch, &store.settings().canonical) {
            (Some(b), _) => b.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => store.canonical_branch(),
        };
        let ns = Namespace::branch(&branch)?;
        if store.settings().canonical.as_deref() != Some(branch.as_str()) {
            gitrun.config_set("beads.canonical", &branch)?;
            actions.push(format!("set beads.canonical = {branch} (canonical namespace {ns})"));
        }

        if let Some(p) = &opts.prefix {
            store::validate_prefix(p)?;
            if store.settings().prefix.as_deref() != Some(p.as_str()) {
                gitrun.config_set("beads.prefix", p)?;
                actions.push(format!("set beads.prefix = {p}"));
            }
        }

        if let Some(p) = &opts.project
            && store.settings().project.as_deref() != Some(p.as_str())
        {
            gitrun.config_set("beads.project", p)?;
            actions.push(format!("set beads.project = {p}"));
        }
        if let Some(planning) = &opts.contributor_planning {
            store.reload_settings()?;
            contributor(store, &gitrun, planning, &mut actions)?;
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
        store.reload_settings()?;
        let (prefix, origin) = store.prefix_and_origin();
        let routing = store.routing();
        Ok(InitReport {
            prefix,
            prefix_source: origin,
            canonical_branch: branch,
            routing,
            planning: store.planning_namespace().map(|n| n.refname().to_string()),
            project: store.project(),
            namespace: ns.refname().to_string(),
            changed: !actions.is_empty(),
            actions,
        })
    }
}
