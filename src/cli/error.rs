//! The one place an error becomes what the user sees: its exit code, its
//! JSON code, its hint, and the `Error:` / `Caused by:` / `Hint:` lines
//! (docs/cli.md lists the codes). Library errors carry no command-line
//! wording; the hints, which name commands and flags, live here.

use super::ui;
use crate::{check, git, model, ops, proposals, remote, store};
use serde_json::{Value, json};

/// Exit codes (documented in docs/cli.md).
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const INVALID: u8 = 4;
    pub const DEPENDENCY: u8 = 5;
    pub const SYNC: u8 = 6;
    pub const CONFLICT: u8 = 7;
    pub const LOCKED: u8 = 8;
}

/// A misuse of the command line detected after parsing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A value the command line cannot use (a file that is not UTF-8 text, a
/// path that should be a repository): exit 4, as an invalid field value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

/// Whatever stopped `check` from being made: it exits 2 ("could not check",
/// docs/ci.md), with the cause's own hint.
#[derive(Debug, thiserror::Error)]
#[error("could not check")]
pub struct CouldNotCheck(#[source] pub anyhow::Error);

/// How an error is shown.
pub struct Class {
    pub exit: u8,
    pub code: &'static str,
    pub hint: Option<String>,
    /// Fields added to the JSON error object.
    pub extra: Vec<(&'static str, Value)>,
}

impl Class {
    fn new(exit: u8, code: &'static str) -> Class {
        Class { exit, code, hint: None, extra: Vec::new() }
    }

    fn hint(mut self, h: impl Into<String>) -> Class {
        self.hint = Some(h.into());
        self
    }

    fn with(mut self, key: &'static str, v: Value) -> Class {
        self.extra.push((key, v));
        self
    }
}

const REMOTE_UNCHANGED: &str = "the local namespaces are unchanged";

/// The class of `e`: its first cause that git-beads knows, else a plain error.
pub fn classify(e: &anyhow::Error) -> Class {
    for c in e.chain() {
        if let Some(class) = known(c) {
            return class;
        }
    }
    Class::new(exit::ERROR, "ERROR")
}

/// The class of one error, if it is a type git-beads defines.
fn known(c: &(dyn std::error::Error + 'static)) -> Option<Class> {
    if c.downcast_ref::<UsageError>().is_some() {
        return Some(Class::new(exit::USAGE, "USAGE"));
    }
    if c.downcast_ref::<InvalidInput>().is_some() {
        return Some(Class::new(exit::INVALID, "VALIDATION_FAILED"));
    }
    if let Some(CouldNotCheck(inner)) = c.downcast_ref::<CouldNotCheck>() {
        let hint = classify(inner).hint.unwrap_or_else(|| "fix the cause and run the check again".into());
        return Some(Class::new(exit::USAGE, "CANNOT_CHECK").hint(hint));
    }
    if let Some(e) = c.downcast_ref::<crate::Error>() {
        return Some(of_front_door(e));
    }
    if let Some(e) = c.downcast_ref::<check::Error>() {
        return Some(of_check(e));
    }
    if let Some(e) = c.downcast_ref::<proposals::Error>() {
        return Some(of_proposals(e));
    }
    if let Some(e) = c.downcast_ref::<ops::Error>() {
        return Some(of_ops(e));
    }
    if let Some(e) = c.downcast_ref::<remote::Error>() {
        return Some(of_remote(e));
    }
    if let Some(e) = c.downcast_ref::<store::Error>() {
        return Some(of_store(e));
    }
    if let Some(e) = c.downcast_ref::<git::Error>() {
        return Some(of_git(e));
    }
    let invalid = c.downcast_ref::<model::FieldError>().is_some()
        || c.downcast_ref::<model::id::IdError>().is_some()
        || c.downcast_ref::<model::time::TimeError>().is_some();
    invalid.then(|| Class::new(exit::INVALID, "VALIDATION_FAILED"))
}

fn of_front_door(e: &crate::Error) -> Class {
    use crate::Error as E;
    match e {
        E::Store(e) => of_store(e),
        E::Op(e) => of_ops(e),
        E::Remote(e) => of_remote(e),
        E::Proposal(e) => of_proposals(e),
        E::Check(e) => of_check(e),
        E::Git(e) => of_git(e),
        E::Field(_) | E::Id(_) | E::Time(_) => Class::new(exit::INVALID, "VALIDATION_FAILED"),
    }
}

fn of_check(e: &check::Error) -> Class {
    use check::CannotCheck as C;
    let more_history = "fetch more history (`git fetch --deepen=200`, or `fetch-depth: 0` in actions/checkout) and check again";
    match e {
        check::Error::CannotCheck(why) => {
            let hint = match why {
                C::NoBeadsRefs { remote: Some(r) } => {
                    format!("check the remote's name, or create the issues first (`git beads sync {r}` from a clone that has them)")
                }
                C::NoBeadsRefs { remote: None } => {
                    "fetch them with `git beads check --fetch origin`, or `git fetch origin '+refs/beads/*:refs/beads/remotes/origin/*'`"
                        .into()
                }
                C::MissingRevision { shallow: true, .. } | C::NoCommonHistory { .. } => more_history.into(),
                C::MissingRevision { shallow: false, .. } => "pass a branch, tag or commit that exists in this clone".into(),
            };
            Class::new(exit::USAGE, "CANNOT_CHECK").hint(hint)
        }
        check::Error::NotARange { .. } => Class::new(exit::INVALID, "VALIDATION_FAILED").hint("give the merged commits as BASE..HEAD"),
        check::Error::Op(e) => of_ops(e),
        check::Error::Remote(e) => of_remote(e),
        check::Error::Store(e) => of_store(e),
        check::Error::Git(e) => of_git(e),
    }
}

fn of_proposals(e: &proposals::Error) -> Class {
    use proposals::Error as E;
    let invalid = || Class::new(exit::INVALID, "VALIDATION_FAILED");
    match e {
        E::PlanningRemote { .. } => invalid().hint("propose to the project's remote (upstream or origin) instead"),
        E::NoSuchProposal { .. } => invalid().hint("fetch the remote's proposals with `git beads fetch`; `git beads proposals` lists them"),
        E::NotOurs { .. } => invalid().hint("`git beads proposals` lists the proposals and whose they are"),
        E::NotOnOffer { .. } => invalid().hint("`git beads proposals` lists what is on offer"),
        E::InSeveralProposals { .. } => invalid().hint("name the proposal instead of the issue"),
        E::Vanished { .. } => Class::new(exit::ERROR, "ERROR").hint("another process changed the proposals; run the command again"),
        E::NotPublished { remote, .. } => Class::new(exit::SYNC, "NOT_PUSHABLE").hint(format!("run `git beads sync {remote}`")),
        E::Remote(e) => of_remote(e),
        E::Op(e) => of_ops(e),
        E::Store(e) => of_store(e),
    }
}

fn of_ops(e: &ops::Error) -> Class {
    use ops::Error as E;
    match e {
        E::Blocked { blockers, .. } => Class::new(exit::INVALID, "VALIDATION_FAILED")
            .hint("close what blocks it first, or use --force to go ahead anyway")
            .with("blockers", json!(blockers)),
        E::Claimed { holder, id } => Class::new(exit::CONFLICT, "ALREADY_CLAIMED")
            .hint(format!("{holder} holds {id}; reassign it with `git beads update {id} --assignee <name>` if they agree"))
            .with("holder", json!(holder)),
        E::WrongStatus { .. } => Class::new(exit::INVALID, "VALIDATION_FAILED"),
        E::Cycle { cycle } => {
            // The whole cycle when it is short; its ends when it is not.
            let shown: Vec<&String> =
                if cycle.len() <= 50 { cycle.iter().collect() } else { cycle[..25].iter().chain(&cycle[cycle.len() - 25..]).collect() };
            Class::new(exit::DEPENDENCY, "CYCLE_DETECTED")
                .hint("remove one dependency of the cycle first (`git beads dep remove`)")
                .with("cycle", json!(shown))
                .with("cycle_length", json!(cycle.len()))
        }
        E::SelfDependency { .. } => Class::new(exit::DEPENDENCY, "SELF_DEPENDENCY"),
        E::Exists { .. } => Class::new(exit::INVALID, "ISSUE_EXISTS"),
        E::EmptyComment => Class::new(exit::INVALID, "VALIDATION_FAILED"),
        E::NoFreeId { .. } => Class::new(exit::INVALID, "VALIDATION_FAILED"),
        E::ImportRefused { lines, .. } => Class::new(exit::INVALID, "VALIDATION_FAILED")
            .with("lines", json!(lines.iter().map(|(n, m)| json!({ "line": n, "error": m })).collect::<Vec<_>>())),
        E::Store(e) => of_store(e),
    }
}

fn of_remote(e: &remote::Error) -> Class {
    use remote::Error as E;
    match e {
        E::NoSuchRemote { name, .. } => {
            Class::new(exit::SYNC, "NO_SUCH_REMOTE").hint(format!("add it with `git remote add {name} <url>`, or name another remote"))
        }
        E::Remote { .. } => Class::new(exit::SYNC, "REMOTE_UNREACHABLE")
            .hint(format!("check the remote's URL and your network; {REMOTE_UNCHANGED}, so just sync again")),
        E::PushRefused { details, .. } if !details.is_empty() => {
            Class::new(exit::SYNC, "PUSH_REFUSED").hint(format!("the remote said: {details}; {REMOTE_UNCHANGED}"))
        }
        E::PushRefused { .. } => {
            Class::new(exit::SYNC, "PUSH_REFUSED").hint(format!("{REMOTE_UNCHANGED}; sync again once the remote accepts pushes"))
        }
        E::PushRace { .. } => {
            Class::new(exit::SYNC, "REMOTE_KEPT_MOVING").hint("others are pushing to the same namespaces; sync again in a moment")
        }
        E::NotPushable { .. } => Class::new(exit::SYNC, "NOT_PUSHABLE"),
        E::NotFetched { remote, .. } => {
            Class::new(exit::SYNC, "NOT_FETCHED").hint(format!("fetch and merge them with `git beads sync {remote}`"))
        }
        E::Git(e) => of_git(e),
        E::Store(e) => of_store(e),
    }
}

fn of_git(e: &git::Error) -> Class {
    match e {
        git::Error::Timeout { secs, .. } => Class::new(exit::SYNC, "NETWORK_TIMEOUT").hint(format!(
            "the remote did not answer within {secs}s; {REMOTE_UNCHANGED}. Check the remote, or allow longer with --timeout or `git config beads.timeout 5m`"
        )),
        git::Error::Spawn { .. } => Class::new(exit::ERROR, "GIT_FAILED").hint("install git, or put it on PATH"),
        _ => Class::new(exit::ERROR, "GIT_FAILED"),
    }
}

fn of_store(e: &store::Error) -> Class {
    use store::Error as E;
    let inspect = |blob: &str| format!("inspect it with `git cat-file -p {blob}`; the other issues are unaffected");
    match e {
        E::NotARepository { .. } => Class::new(exit::ERROR, "NOT_A_REPOSITORY")
            .hint("run git-beads inside a git repository, or point at one with -C <dir>"),
        E::NotInitialized => Class::new(exit::ERROR, "NOT_INITIALIZED").hint("run `git beads init` first"),
        E::NotFound { .. } => Class::new(exit::NOT_FOUND, "ISSUE_NOT_FOUND").hint("`git beads list --all` shows every ID"),
        E::Ambiguous { candidates, .. } => {
            Class::new(exit::NOT_FOUND, "AMBIGUOUS_ID").hint("type more characters of the ID").with("candidates", json!(candidates))
        }
        E::InSeveralNamespaces { forms, .. } => {
            Class::new(exit::NOT_FOUND, "AMBIGUOUS_NAMESPACE").hint(format!("type one of {}, or pass --ns", forms.join(", ")))
        }
        E::UnknownProject { name } => Class::new(exit::INVALID, "VALIDATION_FAILED").hint(format!("fetch it first: `git beads fetch {name}`")),
        E::InvalidBlob { blob, .. } => Class::new(exit::ERROR, "INVALID_BLOB").hint(inspect(&blob.to_string())),
        E::Unreadable { blob, .. } => Class::new(exit::ERROR, "INVALID_BLOB").hint(inspect(blob)),
        E::Unreadables { .. } => Class::new(exit::ERROR, "INVALID_BLOB").hint(
            "inspect them with `git cat-file -p <blob>`; fix them, remove them (`git beads delete --force <id>`), or pass --skip-unreadable to leave them out",
        ),
        E::UnknownFormat { .. } => {
            Class::new(exit::ERROR, "UNKNOWN_FORMAT").hint("this namespace was written by a newer git-beads; upgrade to read it")
        }
        E::DamagedFormat { namespace, .. } | E::DamagedLayout { namespace, .. } => Class::new(exit::ERROR, "DAMAGED_NAMESPACE").hint(format!(
            "something other than git-beads wrote {namespace}; `git log {namespace}` shows who, and `git beads check` lists what else is wrong"
        )),
        E::Field(_) | E::Id(_) | E::Time(_) | E::InvalidIssue { .. } | E::InvalidPrefix { .. } | E::BadNamespace(_) => {
            Class::new(exit::INVALID, "VALIDATION_FAILED")
        }
        E::Config { key, .. } => Class::new(exit::INVALID, "VALIDATION_FAILED").hint(format!("fix it with `git config {key} <value>`")),
        E::ReadOnly { namespace } => Class::new(exit::INVALID, "READ_ONLY").hint(format!(
            "this clone follows {namespace} without writing it (a contributor setup): plan in your own namespace and `git beads propose` \
             what should go there; `git config beads.{}.readonly false` lifts it",
            namespace.trim_start_matches("refs/beads/")
        )),
        E::NotWritable { .. } => Class::new(exit::INVALID, "READ_ONLY")
            .hint("write to a branch or planning namespace instead (`--ns main`, or no --ns at all); `git beads ns list` shows them"),
        E::NamespaceClash { existing, .. } => Class::new(exit::INVALID, "NAMESPACE_CLASH")
            .hint(format!("promote or prune {existing} first (`git beads ns list`), or use another name")),
        E::Contended { .. } => Class::new(exit::CONFLICT, "CONTENDED").hint("many writers are updating the same namespace; try again"),
        E::Locked { path, age_secs, stale } => {
            let class = if *stale {
                Class::new(exit::LOCKED, "STALE_LOCK").hint(format!(
                    "a git-beads or git process was killed while it moved this ref; if none is running now, `git beads unlock` removes the lock (or remove {} by hand)",
                    path.display()
                ))
            } else {
                Class::new(exit::LOCKED, "LOCKED")
                    .hint(format!("a live process holds {}: wait for it, or stop it and run `git beads unlock --force`", path.display()))
            };
            class.with("path", json!(path.display().to_string())).with("age_secs", json!(age_secs))
        }
        E::RefUpdate { .. } => Class::new(exit::ERROR, "REF_UPDATE_FAILED"),
        E::GitCommand(e) => of_git(e),
        _ => Class::new(exit::ERROR, "ERROR"),
    }
}

/// Whether the error is a closed output pipe (`git beads list | head`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Prints `e` on stderr: as `Error:`/`Caused by:`/`Hint:` lines, or as one
/// JSON object under `--json`. Returns the exit code.
pub fn report(e: &anyhow::Error, json: bool) -> u8 {
    let class = classify(e);
    let causes: Vec<String> = e.chain().skip(1).map(|c| ui::clean(&c.to_string(), true)).collect();
    // A message may span lines (an import's refused lines): each is shown
    // on its own line, sanitized.
    let message = e.to_string().lines().map(|l| ui::clean(l, true)).collect::<Vec<_>>().join("\n");
    if json {
        let mut err = serde_json::Map::new();
        err.insert("code".into(), json!(class.code));
        err.insert("message".into(), json!(message));
        if let Some(h) = &class.hint {
            err.insert("hint".into(), json!(h));
        }
        if !causes.is_empty() {
            err.insert("causes".into(), json!(causes));
        }
        for (k, v) in class.extra {
            err.insert(k.into(), v);
        }
        eprintln!("{}", model::json::to_string(&json!({ "error": err })));
        return class.exit;
    }
    eprintln!("Error: {}", message.replace('\n', "\n  "));
    if !causes.is_empty() {
        eprintln!("Caused by:");
        for (n, c) in causes.iter().enumerate() {
            eprintln!("{:>4}: {c}", n + 1);
        }
    }
    if let Some(h) = &class.hint {
        eprintln!("Hint: {}", ui::clean(h, true));
    }
    class.exit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(e: impl Into<anyhow::Error>) -> (u8, &'static str) {
        let c = classify(&e.into());
        (c.exit, c.code)
    }

    #[test]
    fn every_layer_maps_to_its_documented_code() {
        let nf = || store::Error::NotFound { id: "bd-1".into(), namespace: "refs/beads/heads/main".into() };
        assert_eq!(code_of(nf()), (exit::NOT_FOUND, "ISSUE_NOT_FOUND"));
        // Wrapped by a higher layer, still the same.
        assert_eq!(code_of(ops::Error::Store(nf())), (exit::NOT_FOUND, "ISSUE_NOT_FOUND"));
        assert_eq!(code_of(proposals::Error::Op(ops::Error::Store(nf()))), (exit::NOT_FOUND, "ISSUE_NOT_FOUND"));
        assert_eq!(code_of(anyhow::Error::new(nf()).context("while showing")), (exit::NOT_FOUND, "ISSUE_NOT_FOUND"));
        assert_eq!(code_of(ops::Error::Claimed { id: "bd-1".into(), holder: "ann".into() }), (exit::CONFLICT, "ALREADY_CLAIMED"));
        assert_eq!(code_of(ops::Error::Cycle { cycle: vec!["a".into(), "b".into(), "a".into()] }), (exit::DEPENDENCY, "CYCLE_DETECTED"));
        assert_eq!(code_of(ops::Error::Blocked { id: "a".into(), blockers: vec!["b".into()] }), (exit::INVALID, "VALIDATION_FAILED"));
        let timeout = git::Error::Timeout { command: "git fetch origin".into(), secs: 3 };
        assert_eq!(code_of(remote::Error::Git(timeout)), (exit::SYNC, "NETWORK_TIMEOUT"));
        // A failed git command is an error (1), not an invalid value (4).
        let failed = git::Error::Failed { command: "git config".into(), status: "exit status: 3".into(), stderr: "no".into() };
        assert_eq!(code_of(store::Error::GitCommand(failed)), (exit::ERROR, "GIT_FAILED"));
        assert_eq!(code_of(UsageError("bad".into())), (exit::USAGE, "USAGE"));
        assert_eq!(code_of(CouldNotCheck(anyhow::Error::new(nf()))), (exit::USAGE, "CANNOT_CHECK"));
        assert_eq!(code_of(check::Error::CannotCheck(check::CannotCheck::NoBeadsRefs { remote: None })), (exit::USAGE, "CANNOT_CHECK"));
        assert_eq!(code_of(std::io::Error::other("disk")), (exit::ERROR, "ERROR"));
        // Through the front door.
        assert_eq!(code_of(crate::Error::Op(ops::Error::Store(nf()))), (exit::NOT_FOUND, "ISSUE_NOT_FOUND"));
        assert_eq!(code_of(crate::Error::from(nf())), (exit::NOT_FOUND, "ISSUE_NOT_FOUND"));
        let stale = store::Error::Locked { path: "/x.lock".into(), age_secs: 3, stale: true };
        let c = classify(&stale.into());
        assert_eq!((c.exit, c.code), (exit::LOCKED, "STALE_LOCK"));
        assert!(c.hint.unwrap().contains("git beads unlock"));
    }
}
