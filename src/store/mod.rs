//! Namespaces on refs: opening the repository, reading a namespace through
//! its cached index, and writing it with compare-and-swap.
//!
//! A namespace is one ref (`refs/beads/heads/main`) pointing at a commit
//! whose tree holds a `format` blob and one blob per issue under a two-level
//! fan-out (`issues/a/3/bd-a3f2.json`). Nothing here touches the working
//! tree, the index or HEAD.
pub(crate) mod bulk;
mod error;
mod options;
mod settings;

pub(crate) mod cache;

pub(crate) mod history;

pub(crate) mod index;

pub(crate) mod layered;

pub mod namespace;

pub(crate) mod pack;

pub(crate) mod refs;

pub(crate) mod tree;

pub(crate) mod txn;

use crate::model::{self, DecodeError, FieldError, Issue};
use gix::ObjectId;
use std::path::Path;

pub use error::{Error, Result, cycle_text};
pub use index::Index;
pub use layered::TreeIndex;
pub use namespace::{Kind, Namespace, Routing};
pub use options::Options;
use settings::read_settings;
pub use settings::{DEFAULT_NETWORK_TIMEOUT, Settings, config_parameters, default_prefix, sanitize_prefix, validate_prefix};
pub use txn::{Committed, Txn};

/// Where all beads refs live.
pub const REF_ROOT: &str = "refs/beads/";

/// The commit a namespace ref points at, and its tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tip {
    pub commit: ObjectId,
    pub tree: ObjectId,
}

/// Who is acting: recorded as the commit author and in issue fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub email: String,
}

/// An open repository, seen as a set of beads namespaces.
pub struct Store {
    repo: gix::Repository,
    settings: Settings,
    /// The prefix the canonical namespace's issues use (see [`Store::prefix`]).
    inferred_prefix: std::cell::OnceCell<Option<String>>,
    /// What the caller decided (clock, seed, actor, cache, overrides).
    opts: Options,
}

/// How many IDs the prefix inference looks at.
const PREFIX_SAMPLE: usize = 256;

/// A namespace as of one commit, with its index.
#[derive(Clone)]
pub struct Snapshot {
    pub namespace: Namespace,
    pub tip: Option<Tip>,
    pub index: TreeIndex,
}

impl Store {
    /// Finds the repository containing `dir` as git would (honouring
    /// `GIT_DIR`, `GIT_WORK_TREE` and linked worktrees).
    pub fn discover(dir: &Path) -> Result<Store> {
        Store::open(dir, Options::default())
    }

    /// Finds the repository containing `dir` as git would, with `opts`.
    pub fn open(dir: &Path, opts: Options) -> Result<Store> {
        let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
        if !opts.config_overrides.is_empty() {
            trust.full = trust.full.cli_overrides(opts.config_overrides.clone());
            trust.reduced = trust.reduced.cli_overrides(opts.config_overrides.clone());
        }
        let repo = gix::ThreadSafeRepository::discover_with_environment_overrides_opts(dir, Default::default(), trust)
            .map_err(|e| Error::NotARepository { path: dir.to_path_buf(), source: Box::new(e) })?
            .to_thread_local();
        Ok(Store::from_repo_with(repo, opts))
    }

    /// Wraps an already open repository.
    pub fn from_repo(repo: gix::Repository) -> Store {
        Store::from_repo_with(repo, Options::default())
    }

    /// Wraps an already open repository, with `opts` (its config overrides
    /// are not applied: the repository is open already).
    pub fn from_repo_with(repo: gix::Repository, opts: Options) -> Store {
        let settings = read_settings(&repo);
        Store { repo, settings, inferred_prefix: Default::default(), opts }
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The time it is for this store: the pinned clock, else the system's.
    pub fn now(&self) -> model::Timestamp {
        self.opts.now.unwrap_or_else(model::time::system_now)
    }

    /// The underlying gix repository.
    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// The git directory shared by all worktrees.
    pub fn common_dir(&self) -> &Path {
        self.repo.common_dir()
    }

    /// The working tree, if there is one.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Settings read when the store was opened.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Overrides `beads.timeout` for this store's fetches and pushes
    /// (`Duration::ZERO`: no limit).
    pub fn set_network_timeout(&mut self, timeout: std::time::Duration) {
        self.opts.network_timeout = Some(timeout);
    }

    /// How long one fetch or push may run: the override, else
    /// `beads.timeout`, else [`DEFAULT_NETWORK_TIMEOUT`]; `None` for no limit.
    pub fn network_timeout(&self) -> Result<Option<std::time::Duration>> {
        let t = match (self.opts.network_timeout, &self.settings.timeout) {
            (Some(t), _) => t,
            (None, Some(v)) => model::time::parse_duration(v).map_err(|e| Error::Config {
                key: "beads.timeout".into(),
                value: v.clone(),
                reason: e.expected.into(),
            })?,
            (None, None) => DEFAULT_NETWORK_TIMEOUT,
        };
        Ok(Some(t).filter(|t| !t.is_zero()))
    }

    /// A git runner for this repository's network operations (fetch, push),
    /// bounded by [`Store::network_timeout`].
    pub fn network_git(&self) -> Result<crate::git::Git> {
        Ok(crate::git::Git::new(self.repo.git_dir()).with_timeout(self.network_timeout()?))
    }

    /// Re-reads settings (after `init` changed them).
    pub fn reload_settings(&mut self) -> Result<()> {
        let mut opts = gix::open::Options::default();
        if !self.opts.config_overrides.is_empty() {
            opts = opts.cli_overrides(self.opts.config_overrides.clone());
        }
        let repo = gix::open_opts(self.repo.git_dir(), opts).map_err(|e| Error::git("could not reopen the repository", e))?;
        self.settings = read_settings(&repo);
        self.repo = repo;
        self.inferred_prefix = Default::default();
        Ok(())
    }

    /// Whether `init` has run here (the canonical branch is configured).
    pub fn is_initialized(&self) -> bool {
        self.settings.canonical.is_some()
    }

    /// The branch whose namespace is canonical: `beads.canonical`, else the
    /// branch `origin/HEAD` names, else `init.defaultBranch`, else the only
    /// branch namespace that exists, else `main`.
    pub fn canonical_branch(&self) -> String {
        if let Some(b) = &self.settings.canonical {
            return b.clone();
        }
        if let Ok(Some(r)) = self.repo.try_find_reference("refs/remotes/origin/HEAD")
            && let gix::refs::TargetRef::Symbolic(name) = r.target()
            && let Some(b) = name.as_bstr().to_string().strip_prefix("refs/remotes/origin/")
        {
            return b.to_string();
        }
        if let Some(b) = self.repo.config_snapshot().string("init.defaultBranch") {
            return b.to_string();
        }
        if let Ok(ns) = self.namespaces() {
            let heads: Vec<_> = ns.iter().filter_map(|n| n.short().strip_prefix("heads/")).collect();
            if heads.len() == 1 {
                return heads[0].to_string();
            }
        }
        "main".to_string()
    }

    /// The canonical namespace.
    pub fn canonical(&self) -> Result<Namespace> {
        Namespace::branch(&self.canonical_branch())
    }

    /// The prefix for new IDs: `beads.prefix` when set, else the most common
    /// prefix of the canonical namespace's issues (in an even sample of 256
    /// of them, so it costs the same at any size; every clone of a
    /// project agrees without configuring anything), else one made from the
    /// repository's directory name.
    pub fn prefix(&self) -> String {
        self.prefix_and_origin().0
    }

    /// The prefix, and where it comes from (`config`, `issues`, `directory`).
    pub fn prefix_and_origin(&self) -> (String, &'static str) {
        if let Some(p) = &self.settings.prefix {
            return (p.clone(), "config");
        }
        // Every command that names or makes an ID asks: once per process, and
        // from an even sample of the (ID-sorted) index, not from every row.
        let inferred = self
            .inferred_prefix
            .get_or_init(|| {
                let snap = self.canonical().ok().and_then(|ns| self.snapshot(&ns).ok())?;
                let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
                let mut count = |id: &str| {
                    if let Some(p) = model::id::prefix_of(id) {
                        *counts.entry(p.to_string()).or_default() += 1;
                    }
                };
                let base = snap.index.base();
                let step = (base.len() / PREFIX_SAMPLE).max(1);
                (0..base.len()).step_by(step).for_each(|i| count(base.id(i)));
                if let Some(d) = snap.index.delta() {
                    (0..d.len()).for_each(|i| count(d.id(i)));
                }
                counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(p, _)| p)
            })
            .clone();
        match inferred {
            Some(p) => (p, "issues"),
            None => (default_prefix(&self.repo), "directory"),
        }
    }

    /// Who acts: `explicit`, else the store's actor option, else git's
    /// `user.name` (with its email), else the fallback option, else `unknown`.
    pub fn actor(&self, explicit: Option<&str>) -> Actor {
        let git = self.repo.author().and_then(|r| r.ok()).map(|s| (s.name.to_string(), s.email.to_string()));
        let name = explicit.map(str::to_string).or_else(|| self.opts.actor.clone()).filter(|n| !n.trim().is_empty());
        match (name, git) {
            (Some(n), Some((gn, ge))) if n == gn => Actor { name: n, email: ge },
            (Some(n), _) => Actor { name: n, email: String::new() },
            (None, Some((gn, ge))) if !gn.trim().is_empty() => Actor { name: gn, email: ge },
            (None, _) => Actor {
                name: self.opts.fallback_actor.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".into()),
                email: String::new(),
            },
        }
    }

    /// Where a namespace ref points, if it exists.
    pub fn tip(&self, ns: &Namespace) -> Result<Option<Tip>> {
        // Read as git does (loose, else packed-refs as on disk now), not
        // through gix's cached packed-refs buffer.
        let Some(commit) = refs::Refs::new(&self.repo).read(ns.refname()).map_err(|e| Error::from_swap(ns, e))? else {
            return Ok(None);
        };
        let c = self.repo.find_commit(commit).map_err(|e| Error::git(format!("{ns} does not point at a commit"), e))?;
        let tree = c.tree_id().map_err(|e| Error::git(format!("could not read the tree of {commit}"), e))?.detach();
        Ok(Some(Tip { commit, tree }))
    }

    /// Every namespace ref under `refs/beads/` (tracking refs included).
    pub fn namespaces(&self) -> Result<Vec<Namespace>> {
        let refs = self.repo.references().map_err(|e| Error::git("could not list references", e))?;
        let iter = refs.prefixed(REF_ROOT).map_err(|e| Error::git("could not list references", e))?;
        let mut out = Vec::new();
        for r in iter {
            let r = r.map_err(|e| Error::git("could not list references", e))?;
            if let Ok(ns) = Namespace::from_ref(&r.name().as_bstr().to_string()) {
                out.push(ns);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The namespace as of its current tip, with its (cached) index.
    pub fn snapshot(&self, ns: &Namespace) -> Result<Snapshot> {
        let tip = self.tip(ns)?;
        self.snapshot_at(ns, tip)
    }

    /// The namespace as of `tip`.
    pub fn snapshot_at(&self, ns: &Namespace, tip: Option<Tip>) -> Result<Snapshot> {
        let index = match tip {
            Some(t) => cache::load(self, ns, t.tree)?,
            None => TreeIndex::empty(ObjectId::empty_tree(self.repo.object_hash())),
        };
        Ok(Snapshot { namespace: ns.clone(), tip, index })
    }

    /// Reads and parses the issue blob `blob` found at `path`.
    pub fn read_issue(&self, ns: &Namespace, path: &str, blob: ObjectId) -> Result<Issue> {
        let mut buf = Vec::new();
        let data = tree::read_object(&self.repo, &blob, gix::objs::Kind::Blob, &mut buf)?;
        parse_blob(ns, path, blob, data)
    }

    /// The issue `id` as stored in `tip`'s tree, if present.
    pub fn issue_at(&self, ns: &Namespace, tip: &Tip, id: &str) -> Result<Option<Issue>> {
        let path = model::id::blob_path(id);
        match tree::lookup(&self.repo, &tip.tree, &path)? {
            Some(blob) => self.read_issue(ns, &path, blob).map(Some),
            None => Ok(None),
        }
    }
}

/// Parses an issue blob, checking that it is the issue its path names.
pub fn parse_blob(ns: &Namespace, path: &str, blob: ObjectId, data: &[u8]) -> Result<Issue> {
    let invalid = |source| Error::InvalidBlob { namespace: ns.to_string(), path: path.to_string(), blob, source };
    let issue = model::codec::from_slice(data).map_err(invalid)?;
    if model::id::blob_path(&issue.id) != path {
        return Err(invalid(DecodeError::Invalid(FieldError::Other {
            field: "id",
            reason: format!("the blob says {} but its path names another issue", issue.id),
        })));
    }
    Ok(issue)
}

impl Snapshot {
    /// Resolves a typed ID (exact, hash, or unique prefix) in this namespace.
    pub fn resolve(&self, input: &str) -> Result<String> {
        if input.trim().is_empty() {
            return Err(Error::Id(model::id::IdError { id: String::new(), reason: "it is empty" }));
        }
        if self.index.find(input).is_some() {
            return Ok(input.to_string());
        }
        match model::id::resolve_bytes(input, self.index.id_bytes()) {
            model::id::Resolution::Found(id) => Ok(id),
            model::id::Resolution::NotFound => Err(Error::NotFound { id: input.to_string(), namespace: self.namespace.to_string() }),
            model::id::Resolution::Ambiguous(candidates) => Err(Error::Ambiguous { input: input.to_string(), candidates }),
        }
    }

    /// Reads the full issue `id`, if the namespace has it.
    pub fn issue(&self, store: &Store, id: &str) -> Result<Option<Issue>> {
        match self.index.find(id) {
            Some(r) => store.read_issue(&self.namespace, &model::id::blob_path(id), r.index.blob(r.row)).map(Some),
            None => Ok(None),
        }
    }
}
