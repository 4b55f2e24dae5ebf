//! Namespaces on refs: opening the repository, reading a namespace through
//! its cached index, and writing it with compare-and-swap.
//!
//! A namespace is one ref (`refs/beads/heads/main`) pointing at a commit
//! whose tree holds a `format` blob and one blob per issue under a two-level
//! fan-out (`issues/a/3/bd-a3f2.json`). Nothing here touches the working
//! tree, the index or HEAD.

pub mod bulk;
pub mod cache;
pub mod history;
pub mod index;
pub mod layered;
pub mod namespace;
pub mod pack;
pub mod refs;
pub mod tree;
pub mod txn;

use crate::model::{self, DecodeError, FieldError, Issue};
use gix::ObjectId;
use std::path::{Path, PathBuf};

pub use index::Index;
pub use layered::TreeIndex;
pub use namespace::{Kind, Namespace, Routing};
pub use txn::{Committed, Txn};

/// Everything that can go wrong below the command line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a git repository (or any parent up to the root): {path}")]
    NotARepository {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("git-beads is not initialized in this repository")]
    NotInitialized,
    /// `check` could not be made (a revision, history or refs are missing).
    #[error("{message}")]
    CannotCheck { message: String, hint: String },
    #[error("issue {id} not found in {namespace}")]
    NotFound { id: String, namespace: String },
    #[error("issue ID {input:?} is ambiguous: it matches {}", candidates.join(", "))]
    Ambiguous { input: String, candidates: Vec<String> },
    #[error("{id} is in several namespaces ({}); say which: {}", namespaces.join(", "), forms.join(" or "))]
    InSeveralNamespaces { id: String, namespaces: Vec<String>, forms: Vec<String> },
    #[error("issue {id} already exists in {namespace}")]
    Exists { id: String, namespace: String },
    #[error("invalid issue blob {blob} at {path} in {namespace}")]
    InvalidBlob {
        namespace: String,
        path: String,
        blob: ObjectId,
        #[source]
        source: DecodeError,
    },
    #[error("issue {id} in {namespace} cannot be read: blob {blob} at {path}: {reason}")]
    Unreadable { id: String, namespace: String, path: String, blob: String, reason: String },
    /// Entries that cannot be read, where an answer without them would be wrong.
    #[error("{action}: {} cannot be read: {}", plural(entries.len(), "entry", "entries"), list_entries(entries))]
    Unreadables { action: String, entries: Vec<(Namespace, index::InvalidEntry)> },
    #[error("namespace {namespace} uses format version {found}; this git-beads reads version {}", tree::LAYOUT_VERSION)]
    UnknownFormat { namespace: String, found: String },
    /// The `format` entry of a namespace is not what git-beads writes.
    #[error("namespace {namespace} has a damaged format entry: {what}")]
    DamagedFormat { namespace: String, what: String },
    /// The tree of a namespace is not laid out as git-beads lays it out.
    #[error("namespace {namespace} is damaged: {what}")]
    DamagedLayout { namespace: String, what: String },
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Id(#[from] model::id::IdError),
    #[error(transparent)]
    Time(#[from] model::time::TimeError),
    #[error("adding this dependency would create a cycle: {}", cycle_text(cycle))]
    Cycle { cycle: Vec<String> },
    /// Lines of a JSONL import that cannot be read; nothing was imported.
    #[error("{} of {source_name} cannot be imported; nothing was imported:\n{}", plural(lines.len(), "line", "lines"), import_lines(lines))]
    ImportRefused { source_name: String, lines: Vec<(usize, String)> },
    #[error("an issue cannot depend on itself ({0})")]
    SelfDependency(String),
    #[error("{id} is already claimed by {holder}")]
    Claimed { id: String, holder: String },
    #[error("{ns} kept moving: gave up after {attempts} attempts to update it (last: {last_error})")]
    Contended { ns: String, attempts: u32, last_error: String },
    #[error("object {oid} is missing from the repository")]
    MissingObject { oid: ObjectId },
    #[error("object {oid} is a {found}, expected a {expected}")]
    WrongObjectKind { oid: ObjectId, expected: String, found: String },
    #[error("no remote named {name:?} is configured{}", if known.is_empty() { " (this repository has no remotes)".to_string() } else { format!(" (known: {})", known.join(", ")) })]
    NoSuchRemote { name: String, known: Vec<String> },
    #[error("could not reach remote {remote}: {message}")]
    Remote { remote: String, message: String },
    #[error("remote {remote} refused the push: {reason}")]
    PushRefused { remote: String, reason: String, details: String },
    #[error("remote {remote} kept changing: gave up after {attempts} fetch-merge-push rounds (last: {last})")]
    PushRace { remote: String, attempts: u32, last: String },
    #[error("{namespace}: {message}")]
    NotPushable { namespace: String, message: String },
    #[error("invalid namespace name {0:?}: not a valid git ref name")]
    BadNamespace(String),
    /// A namespace this clone does not write (`beads.<ns>.readonly`).
    #[error("{namespace} is read-only in this clone")]
    ReadOnly { namespace: String },
    /// A namespace no command writes (tracking refs, proposals, rejections).
    #[error("{namespace} cannot be written: {why}")]
    NotWritable { namespace: String, why: String },
    /// A new namespace whose ref would clash with an existing one.
    #[error("cannot create {namespace}: {existing} exists, and a git ref cannot also be a folder of refs")]
    NamespaceClash { namespace: String, existing: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{context}")]
    Git {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A ref lock left behind by a process that is gone (`stale`), or one a
    /// live process has held for longer than a write waits.
    #[error("{} is locked by {} (the lock is {age_secs}s old)", path.display(), if *stale { "a process that is gone" } else { "another process that does not let go" })]
    Locked { path: PathBuf, age_secs: u64, stale: bool },
    /// A ref could not be read or moved for a reason other than a lost race.
    #[error("could not update {namespace}")]
    RefUpdate {
        namespace: String,
        #[source]
        source: refs::SwapError,
    },
    /// A git command failed, or ran past its time limit.
    #[error(transparent)]
    GitCommand(#[from] crate::git::Error),
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// A cycle for a message: all of a short one; the ends of a long one (a
/// cycle through 100,000 issues must not make a megabyte of error).
pub fn cycle_text(cycle: &[String]) -> String {
    if cycle.len() <= 12 {
        return cycle.join(" -> ");
    }
    let head = cycle[..8].join(" -> ");
    let tail = cycle[cycle.len() - 2..].join(" -> ");
    format!("{head} -> ... ({} more) ... -> {tail}", cycle.len() - 10)
}

/// The refused lines of an import, one per line, the first 20 of them.
fn import_lines(lines: &[(usize, String)]) -> String {
    let mut out: Vec<String> = lines.iter().take(20).map(|(n, e)| format!("line {n}: {e}")).collect();
    if lines.len() > 20 {
        out.push(format!("... and {} more", lines.len() - 20));
    }
    out.join("\n")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The first few unreadable entries, for a message.
fn list_entries(entries: &[(Namespace, index::InvalidEntry)]) -> String {
    let mut shown: Vec<String> = entries
        .iter()
        .take(5)
        .map(|(ns, e)| format!("{} in {} ({}: {})", e.path, ns.short(), if e.blob.is_empty() { "-" } else { &e.blob }, e.error))
        .collect();
    if entries.len() > 5 {
        shown.push(format!("and {} more", entries.len() - 5));
    }
    shown.join("; ")
}

impl Error {
    /// Wraps a gix (or other git-level) error with what was being done.
    pub fn git(context: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Git { context: context.into(), source: Box::new(source) }
    }

    /// The error for a ref update that failed for good (a lost race is
    /// retried by the caller, never reported through here but as `Contended`).
    pub fn from_swap(ns: &Namespace, e: refs::SwapError) -> Self {
        match e {
            refs::SwapError::Stale { path, age } => Error::Locked { path, age_secs: age.as_secs(), stale: true },
            e => Error::RefUpdate { namespace: ns.to_string(), source: e },
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

/// Repository-level settings from git config.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `beads.prefix`: the prefix of new IDs.
    pub prefix: Option<String>,
    /// `beads.canonical`: the branch whose namespace is canonical.
    pub canonical: Option<String>,
    /// `beads.customStatus` (comma-separated, repeatable).
    pub custom_statuses: Vec<String>,
    /// `beads.customType` (comma-separated, repeatable).
    pub custom_types: Vec<String>,
    /// `beads.routing`: where new issues go (`branch`, `canonical`, `planning`).
    pub routing: Option<String>,
    /// `beads.planning`: the planning namespace (e.g. `planning/myproj`).
    pub planning: Option<String>,
    /// `beads.project`: this project's name in qualified IDs (`project:hash`).
    pub project: Option<String>,
    /// `beads.timeout`: how long a fetch or push may take (a duration; `0`: no limit).
    pub timeout: Option<String>,
}

/// How long a fetch or push may take unless `beads.timeout` or `--timeout` says otherwise.
pub const DEFAULT_NETWORK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// An open repository, seen as a set of beads namespaces.
pub struct Store {
    repo: gix::Repository,
    settings: Settings,
    /// The prefix the canonical namespace's issues use (see [`Store::prefix`]).
    inferred_prefix: std::cell::OnceCell<Option<String>>,
    /// The network timeout given by the caller (`--timeout`), over `beads.timeout`.
    timeout: Option<std::time::Duration>,
}

/// How many IDs the prefix inference looks at.
const PREFIX_SAMPLE: usize = 256;

/// The `key=value` settings of `GIT_CONFIG_PARAMETERS`, as git writes it
/// for `git -c`: shell-quoted entries, `'key'='value'` (or the older
/// `'key=value'`), a bare `'key'` or `'key'=` meaning true.
pub fn config_parameters(s: &str) -> Vec<String> {
    /// One single-quoted string; `'\''` inside stands for a quote.
    fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
        if chars.next()? != '\'' {
            return None;
        }
        let mut out = String::new();
        loop {
            match chars.next()? {
                '\'' => {
                    // `'\''`: close, escaped quote, reopen.
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                        if chars.next()? != '\'' || chars.next()? != '\'' {
                            return None;
                        }
                        out.push('\'');
                    } else {
                        return Some(out);
                    }
                }
                c => out.push(c),
            }
        }
    }
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let Some(key) = quoted(&mut chars) else { break };
        if chars.peek() == Some(&'=') {
            chars.next();
            // `'key'=` with nothing after it: `-c key`, an implicit true.
            match chars.peek() == Some(&'\'') {
                true => out.push(format!("{key}={}", quoted(&mut chars).unwrap_or_default())),
                false => out.push(key),
            }
        } else {
            out.push(key);
        }
    }
    out
}

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
        // `git -c key=value beads ...` reaches us in GIT_CONFIG_PARAMETERS.
        let overrides = std::env::var("GIT_CONFIG_PARAMETERS").map(|p| config_parameters(&p)).unwrap_or_default();
        let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
        if !overrides.is_empty() {
            trust.full = trust.full.cli_overrides(overrides.clone());
            trust.reduced = trust.reduced.cli_overrides(overrides);
        }
        let repo = gix::ThreadSafeRepository::discover_with_environment_overrides_opts(dir, Default::default(), trust)
            .map_err(|e| Error::NotARepository { path: dir.to_path_buf(), source: Box::new(e) })?
            .to_thread_local();
        Ok(Store::from_repo(repo))
    }

    /// Wraps an already open repository.
    pub fn from_repo(repo: gix::Repository) -> Store {
        let settings = read_settings(&repo);
        Store { repo, settings, inferred_prefix: Default::default(), timeout: None }
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
        self.timeout = Some(timeout);
    }

    /// How long one fetch or push may run: the override, else
    /// `beads.timeout`, else [`DEFAULT_NETWORK_TIMEOUT`]; `None` for no limit.
    pub fn network_timeout(&self) -> Result<Option<std::time::Duration>> {
        let t = match (self.timeout, &self.settings.timeout) {
            (Some(t), _) => t,
            (None, Some(v)) => model::time::parse_duration(v).map_err(|e| Error::Invalid(format!("beads.timeout: {e}")))?,
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
        let repo = gix::open(self.repo.git_dir()).map_err(|e| Error::git("could not reopen the repository", e))?;
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

    /// Who acts when no `--actor` is given: `GIT_BEADS_ACTOR`, `BEADS_ACTOR`,
    /// `BD_ACTOR`, git's `user.name`, `$USER`, else `unknown`.
    pub fn actor(&self, explicit: Option<&str>) -> Actor {
        let git = self.repo.author().and_then(|r| r.ok()).map(|s| (s.name.to_string(), s.email.to_string()));
        let from_env =
            ["GIT_BEADS_ACTOR", "BEADS_ACTOR", "BD_ACTOR"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
        let name = explicit.map(str::to_string).or(from_env);
        match (name, git) {
            (Some(n), Some((gn, ge))) if n == gn => Actor { name: n, email: ge },
            (Some(n), _) => Actor { name: n, email: String::new() },
            (None, Some((gn, ge))) if !gn.trim().is_empty() => Actor { name: gn, email: ge },
            (None, _) => Actor {
                name: std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".into()),
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

fn read_settings(repo: &gix::Repository) -> Settings {
    let cfg = repo.config_snapshot();
    let list = |key: &str| -> Vec<String> {
        cfg.strings(key)
            .unwrap_or_default()
            .iter()
            .flat_map(|v| v.to_string().split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
            .filter(|s| !s.is_empty())
            .collect()
    };
    Settings {
        prefix: cfg.string("beads.prefix").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        canonical: cfg.string("beads.canonical").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        custom_statuses: list("beads.customStatus"),
        custom_types: list("beads.customType"),
        routing: cfg.string("beads.routing").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        planning: cfg.string("beads.planning").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        project: cfg.string("beads.project").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        timeout: cfg.string("beads.timeout").map(|s| s.to_string()).filter(|s| !s.is_empty()),
    }
}

/// A prefix from the repository's directory name: lowercase letters and
/// digits, at most 8 characters (`git-beads` -> `gitbeads`), `bd` if nothing is left.
pub fn default_prefix(repo: &gix::Repository) -> String {
    let dir = repo.workdir().unwrap_or_else(|| repo.common_dir());
    let name = dir.canonicalize().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).unwrap_or_default();
    let name = name.strip_suffix(".git").unwrap_or(&name);
    sanitize_prefix(name).unwrap_or_else(|| "bd".into())
}

/// Lowercases and strips `s` to a valid prefix, if anything is left.
pub fn sanitize_prefix(s: &str) -> Option<String> {
    let p: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).take(8).collect();
    if p.is_empty() || !p.as_bytes()[0].is_ascii_alphanumeric() { None } else { Some(p) }
}

/// Checks a user-given prefix: letters, digits, `_`, and inner `-`.
pub fn validate_prefix(p: &str) -> Result<()> {
    let ok = !p.is_empty()
        && p.len() <= 32
        && p.as_bytes()[0].is_ascii_alphanumeric()
        && !p.ends_with('-')
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(Error::Invalid(format!("invalid prefix {p:?}: use letters, digits, '_' and inner '-'"))) }
}

#[cfg(test)]
mod config_parameter_tests {
    use super::config_parameters;

    #[test]
    fn git_dash_c_settings_are_read_as_git_writes_them() {
        // What `git -c a.b=c -c "x.y=it's" -c flag.only -c e.f=` exports.
        let v = config_parameters("'a.b'='c' 'x.y'='it'\\''s' 'flag.only'= 'e.f'=''");
        assert_eq!(v, ["a.b=c", "x.y=it's", "flag.only", "e.f="]);
        assert_eq!(config_parameters("'old.style=1' 'bare.key'"), ["old.style=1", "bare.key"]);
        assert!(config_parameters("").is_empty());
    }
}
