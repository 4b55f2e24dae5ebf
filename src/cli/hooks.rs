//! `hooks install|uninstall|list|run`: git hooks that chain onto the ones
//! already there.
//!
//! An installed hook is one of the small shell scripts of the repository's
//! `hooks/` folder (built into the binary): it runs the hook it replaced
//! first (kept next to it as `<hook>.pre-git-beads`, moved there unchanged:
//! a script, a binary or a symlink alike), then `git beads hooks run
//! <hook>`. Uninstalling moves the original back, byte for byte.

use super::ui::clean;
use super::{Ctx, UsageError, exit};
use crate::check;
use crate::git::INTERNAL_ENV;
use crate::store::{Kind, Store};
use anyhow::Context as _;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The hooks git-beads installs.
pub const HOOKS: [&str; 3] = ["pre-push", "commit-msg", "post-merge"];
/// Marks a hook script as ours.
const MARKER: &str = "# git-beads hook: installed by `git beads hooks install`";
/// Where a replaced hook is kept.
const SAVED: &str = ".pre-git-beads";

#[derive(clap::Subcommand, Debug)]
pub enum HooksCommand {
    /// Install the hooks (chaining onto existing ones, never overwriting them).
    Install,
    /// Remove the hooks, putting back the ones they chained onto.
    Uninstall,
    /// Each hook: installed, chained, someone else's, or absent.
    List,
    /// Run one hook's work (what the installed scripts call).
    Run {
        /// pre-push, commit-msg or post-merge.
        hook: String,
        /// The arguments git passed to the hook.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// The hooks directory git uses: `core.hooksPath` (relative to the work
/// tree's root, as git runs hooks there), else the common dir's `hooks/`.
fn hooks_dir(store: &Store) -> anyhow::Result<PathBuf> {
    let root = store.workdir().unwrap_or_else(|| store.common_dir()).to_path_buf();
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .current_dir(&root)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .context("could not run git")?;
    if !out.status.success() {
        anyhow::bail!("`git rev-parse --git-path hooks` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Ok(if p.is_absolute() { p } else { root.join(p) })
}

/// The script of `hook`: the files in the repository's `hooks/` folder.
fn script(hook: &str) -> &'static str {
    match hook {
        "pre-push" => include_str!("../../hooks/pre-push"),
        "commit-msg" => include_str!("../../hooks/commit-msg"),
        _ => include_str!("../../hooks/post-merge"),
    }
}

/// Whether the hook at `path` is exactly a script git-beads installs (not
/// one a person edited since).
fn is_pristine(path: &Path, hook: &str) -> bool {
    !path.is_symlink() && std::fs::read(path).is_ok_and(|b| b == script(hook).as_bytes())
}

fn is_ours(path: &Path) -> bool {
    !path.is_symlink() && std::fs::read(path).is_ok_and(|b| b.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()))
}

/// One hook's state.
#[derive(Serialize)]
struct HookState {
    hook: &'static str,
    path: String,
    /// `installed`, `chained` (ours, running a saved original first),
    /// `foreign` (someone else's, not chained yet), `absent`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved: Option<String>,
}

fn states(dir: &Path) -> Vec<HookState> {
    HOOKS
        .iter()
        .map(|hook| {
            let path = dir.join(hook);
            let saved = dir.join(format!("{hook}{SAVED}"));
            let has_saved = saved.symlink_metadata().is_ok();
            let state = match (path.symlink_metadata().is_ok(), is_ours(&path), has_saved) {
                (false, _, _) => "absent",
                (true, true, true) => "chained",
                (true, true, false) => "installed",
                (true, false, _) => "foreign",
            };
            HookState { hook, path: path.display().to_string(), state, saved: has_saved.then(|| saved.display().to_string()) }
        })
        .collect()
}

fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

/// What install or uninstall did to one hook.
#[derive(Serialize)]
struct Change {
    hook: &'static str,
    action: String,
}

fn install(dir: &Path) -> anyhow::Result<Vec<Change>> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create the hooks folder {}", dir.display()))?;
    // Find out whether the folder is writable before touching anything.
    tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("the hooks folder {} is not writable; nothing was changed", dir.display()))?;
    let mut changes = Vec::new();
    for hook in HOOKS {
        let path = dir.join(hook);
        let saved = dir.join(format!("{hook}{SAVED}"));
        let exists = path.symlink_metadata().is_ok();
        if exists && !is_ours(&path) && saved.symlink_metadata().is_ok() {
            anyhow::bail!(
                "{} exists and so does {}; move one of them away first (nothing was changed for {hook})",
                path.display(),
                saved.display()
            );
        }
    }
    for hook in HOOKS {
        let path = dir.join(hook);
        let saved = dir.join(format!("{hook}{SAVED}"));
        let action = if path.symlink_metadata().is_err() {
            "installed".to_string()
        } else if is_ours(&path) {
            if is_pristine(&path, hook) {
                changes.push(Change { hook, action: "up to date".into() });
                continue;
            }
            // Ours, edited by someone since: their edit is not ours to replace.
            changes.push(Change { hook, action: format!("kept: {} was changed after it was installed", path.display()) });
            continue;
        } else {
            // Someone else's hook (a script, a binary, a symlink): keep it, unchanged, and run it first.
            std::fs::rename(&path, &saved).with_context(|| format!("could not move {} aside", path.display()))?;
            format!("installed, chained onto the existing hook (kept as {})", saved.display())
        };
        let tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("could not write in {}", dir.display()))?;
        std::fs::write(tmp.path(), script(hook))?;
        set_executable(tmp.path())?;
        tmp.persist(&path).with_context(|| format!("could not write {}", path.display()))?;
        changes.push(Change { hook, action });
    }
    Ok(changes)
}

fn uninstall(dir: &Path) -> anyhow::Result<Vec<Change>> {
    let mut changes = Vec::new();
    for hook in HOOKS {
        let path = dir.join(hook);
        let saved = dir.join(format!("{hook}{SAVED}"));
        let action = match (is_ours(&path), saved.symlink_metadata().is_ok()) {
            // Someone edited the hook after it was installed: removing it
            // would lose that edit.
            (true, _) if !is_pristine(&path, hook) => format!(
                "kept: {} was changed after it was installed; remove it (and put back {} if it is there) by hand",
                path.display(),
                saved.display()
            ),
            (true, true) => {
                std::fs::rename(&saved, &path).with_context(|| format!("could not put {} back", saved.display()))?;
                "removed; the hook it chained onto is back".to_string()
            }
            (true, false) => {
                std::fs::remove_file(&path).with_context(|| format!("could not remove {}", path.display()))?;
                "removed".to_string()
            }
            (false, true) => format!("left alone: {} is not ours; {} is still there", path.display(), saved.display()),
            (false, false) => "not installed".to_string(),
        };
        changes.push(Change { hook, action });
    }
    Ok(changes)
}

pub fn run(ctx: &mut Ctx, c: HooksCommand) -> anyhow::Result<u8> {
    match c {
        HooksCommand::Install | HooksCommand::Uninstall | HooksCommand::List => {
            let dir = hooks_dir(&ctx.store())?;
            let (changes, verb) = match c {
                HooksCommand::Install => (Some(install(&dir)?), "install"),
                HooksCommand::Uninstall => (Some(uninstall(&dir)?), "uninstall"),
                _ => (None, "list"),
            };
            if ctx.ui.json {
                match changes {
                    Some(ch) => ctx.ui.json_value(&serde_json::json!({ "hooks_dir": dir.display().to_string(), "hooks": ch }))?,
                    None => ctx.ui.json_value(&serde_json::json!({ "hooks_dir": dir.display().to_string(), "hooks": states(&dir) }))?,
                }
                return Ok(exit::OK);
            }
            match changes {
                Some(ch) => {
                    for c in ch {
                        ctx.ui.line(&format!("{}: {}", c.hook, c.action))?;
                    }
                    ctx.ui.status(&format!("{verb}: hooks folder {}", dir.display()));
                }
                None => {
                    for s in states(&dir) {
                        ctx.ui.line(&format!("{:<11} {:<9} {}", s.hook, s.state, s.path))?;
                    }
                }
            }
            Ok(exit::OK)
        }
        HooksCommand::Run { hook, args } => run_hook(ctx, &hook, &args),
    }
}

/// The work behind each hook. Hooks never stop git: problems are warnings.
fn run_hook(ctx: &mut Ctx, hook: &str, args: &[String]) -> anyhow::Result<u8> {
    if !HOOKS.contains(&hook) {
        return Err(UsageError(format!("unknown hook {hook:?}: expected one of {}", HOOKS.join(", "))).into());
    }
    // git-beads' own git processes (its pushes) must not trigger it again.
    if std::env::var_os(INTERNAL_ENV).is_some() || !ctx.store().is_initialized() {
        return Ok(exit::OK);
    }
    let outcome = match hook {
        "pre-push" => pre_push(ctx, args),
        "commit-msg" => commit_msg(ctx, args),
        _ => post_merge(ctx),
    };
    if let Err(e) = outcome {
        ctx.ui.warn(&format!("git-beads {hook} hook: {}", clean(&format!("{e:#}"), true)));
    }
    Ok(exit::OK)
}

/// Syncs the beads namespaces that sync with the remote being pushed to.
fn pre_push(ctx: &mut Ctx, args: &[String]) -> anyhow::Result<()> {
    let Some(remote) = args.first() else { return Ok(()) };
    if pushing_dry_run() {
        ctx.ui.status("git-beads: a dry run; beads namespaces not synced");
        return Ok(());
    }
    let known = crate::git::Git::new(ctx.store().repo().git_dir()).remotes()?;
    if !known.contains(remote) {
        return Ok(()); // a push to a URL: no beads remote to sync with
    }
    if !crate::sync::remotes_in_use(&ctx.store())?.contains(remote) {
        return Ok(());
    }
    let report = crate::sync::sync(&ctx.store(), &ctx.actor(), remote, crate::sync::Options { push: true })?;
    let changed = report.namespaces.iter().filter(|n| n.action != crate::sync::Action::UpToDate).count();
    ctx.ui.status(&format!("git-beads: beads namespaces synced with {remote} ({changed} changed)"));
    Ok(())
}

/// Whether the `git push` this hook runs for is a dry run. Git does not tell
/// hooks; its command line does (Linux's /proc: the hook script's parent).
/// Elsewhere this says no.
fn pushing_dry_run() -> bool {
    fn parent(pid: &str) -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
        stat.rsplit_once(')')?.1.split_whitespace().nth(1).map(str::to_string)
    }
    let Some(script) = parent("self") else { return false };
    let Some(git) = parent(&script) else { return false };
    let Ok(cmdline) = std::fs::read(format!("/proc/{git}/cmdline")) else { return false };
    let args: Vec<String> = cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    args.iter().any(|a| a == "push")
        && args.iter().any(|a| a == "--dry-run" || (a.starts_with('-') && !a.starts_with("--") && a.contains('n')))
}

/// Warns about issues the message names that do not exist.
fn commit_msg(ctx: &mut Ctx, args: &[String]) -> anyhow::Result<()> {
    let Some(file) = args.first() else { return Ok(()) };
    let text = std::fs::read_to_string(file).with_context(|| format!("could not read {file}"))?;
    let message = commit_message(&text, ctx.store().repo().config_snapshot().string("core.commentChar").map(|s| s.to_string()));
    let names: Vec<check::Mention> = check::mentions(&message);
    if names.is_empty() {
        return Ok(());
    }
    let view = crate::view::View::open(&ctx.store(), &ctx.store().issue_namespaces()?)?;
    let u = view.universe();
    let resolver = check::Resolver::new(&ctx.store(), &view, &u);
    for m in names.iter().filter(|m| resolver.counts(m)) {
        let problem = match resolver.resolve(&u, m) {
            check::Named::Issue(_) => continue,
            check::Named::NotWhole { candidate } => format!("is not a whole ID (write {candidate})"),
            check::Named::Ambiguous(_) => "names several issues".to_string(),
            check::Named::Missing(_) => "does not exist".to_string(),
        };
        ctx.ui.warn(&format!("git-beads: the commit message names {}, which {problem}", clean(&m.id, true)));
    }
    Ok(())
}

/// The message git will record from a commit message file: without the
/// scissors line and what follows (`git commit -v` puts the diff there), and
/// without comment lines (`core.commentChar`; `auto` picks one of git's
/// candidates, so lines starting with any of them count as comments).
fn commit_message(text: &str, comment: Option<String>) -> String {
    let comments: Vec<char> = match comment.as_deref() {
        None | Some("") => vec!['#'],
        Some("auto") => "#;@!$%^&|:".chars().collect(),
        Some(c) => c.chars().take(1).collect(),
    };
    let mut out = Vec::new();
    for line in text.lines() {
        if line.contains("------------------------ >8 ------------------------") {
            break;
        }
        if !line.starts_with(comments.as_slice()) {
            out.push(line);
        }
    }
    out.join("\n")
}

/// After a merge: branch namespaces whose branch is now merged here and
/// still hold open issues, with the command that keeps them.
fn post_merge(ctx: &mut Ctx) -> anyhow::Result<()> {
    let git = crate::git::Git::new(ctx.store().repo().git_dir());
    let canonical = ctx.store().canonical()?;
    let current = ctx.store().current_branch();
    for ns in ctx.store().namespaces()? {
        let Kind::Branch(branch) = ns.kind() else { continue };
        if ns == canonical || current.as_deref() == Some(branch) {
            continue;
        }
        // Brought in by this merge: reachable now, not before it (ORIG_HEAD).
        let branch_ref = format!("refs/heads/{branch}");
        let reaches =
            |rev: &str| -> anyhow::Result<bool> { Ok(git.output(["merge-base", "--is-ancestor", &branch_ref, rev])?.status.success()) };
        let before = if git.output(["rev-parse", "--verify", "--quiet", "ORIG_HEAD"])?.status.success() { "ORIG_HEAD" } else { "HEAD^1" };
        if !reaches("HEAD")? || reaches(before)? {
            continue;
        }
        let snap = ctx.store().snapshot(&ns)?;
        let open = snap.index.rows().filter(|r| !crate::store::index::status_code::is_done(r.index.status_code(r.row))).count();
        if open > 0 {
            ctx.ui.warn(&format!(
                "git-beads: {branch} is merged here and its namespace has {open} open issue{}: `git beads promote --all-from {branch}` keeps them",
                if open == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::commit_message;

    #[test]
    fn the_message_stops_at_the_scissors_and_skips_comments() {
        let text = "Fix [bd-a1]\n# a comment [bd-c2]\n; another\n# ------------------------ >8 ------------------------\n+ code [bd-d3]\n";
        assert_eq!(commit_message(text, None), "Fix [bd-a1]\n; another");
        assert_eq!(commit_message(text, Some("auto".into())), "Fix [bd-a1]");
        assert_eq!(commit_message(text, Some(";".into())), "Fix [bd-a1]\n# a comment [bd-c2]");
    }
}
