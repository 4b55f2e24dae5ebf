//! Hooks installed by `git beads hooks install`, fired by git itself, next
//! to hooks that were there before.

use crate::common::Env;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn write_exec(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A file's bytes, mode and symlink target: what "restored exactly" compares.
fn fingerprint(path: &Path) -> (Option<Vec<u8>>, u32, Option<PathBuf>) {
    let meta = path.symlink_metadata().unwrap();
    let target = meta.file_type().is_symlink().then(|| std::fs::read_link(path).unwrap());
    let bytes = if target.is_some() { None } else { Some(std::fs::read(path).unwrap()) };
    (bytes, meta.permissions().mode(), target)
}

fn states(env: &Env, dir: &Path) -> Vec<(String, String)> {
    let v = env.json(dir, &["hooks", "list"]);
    v["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["hook"].as_str().unwrap().to_string(), h["state"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn hooks_chain_onto_existing_ones_run_under_git_and_uninstall_restores_them() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let remote = env.path("remote.git");
    env.git(&env.path(""), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    env.git(&dir, &["remote", "add", "origin", remote.to_str().unwrap()]);
    env.ok(&dir, &["init"]);
    let hooks = dir.join(".git/hooks");
    let log = env.path("hook.log");
    // A user's commit-msg script, a pre-push that is a symlink to a script
    // elsewhere (recording its stdin), and a post-merge that is a binary.
    write_exec(&hooks.join("commit-msg"), &format!("#!/bin/sh\necho \"user commit-msg $(head -1 \"$1\")\" >> {}\n", log.display()));
    let elsewhere = env.path("user-pre-push");
    write_exec(&elsewhere, &format!("#!/bin/sh\necho \"user pre-push $1\" >> {0}\ncat >> {0}\n", log.display()));
    std::os::unix::fs::symlink(&elsewhere, hooks.join("pre-push")).unwrap();
    std::fs::copy("/bin/true", hooks.join("post-merge")).unwrap();
    let before: Vec<_> = ["commit-msg", "pre-push", "post-merge"].iter().map(|h| fingerprint(&hooks.join(h))).collect();
    assert_eq!(
        states(&env, &dir),
        [("pre-push".into(), "foreign".into()), ("commit-msg".into(), "foreign".into()), ("post-merge".into(), "foreign".into())]
    );

    let out = env.json(&dir, &["hooks", "install"]);
    assert!(out["hooks"][0]["action"].as_str().unwrap().starts_with("installed, chained onto the existing hook"), "{out}");
    assert_eq!(states(&env, &dir).iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["chained", "chained", "chained"]);
    assert_eq!(env.json(&dir, &["hooks", "install"])["hooks"][0]["action"], json!("up to date"));

    // commit-msg: the user's hook runs, then ours warns about a missing issue.
    let a = env.create(&dir, &["Exists"]);
    std::fs::write(dir.join("f"), "1").unwrap();
    env.git(&dir, &["add", "f"]);
    let out = env.git_output(&dir, &["commit", "-q", "-m", &format!("Change [bd-nope1]\n\nCloses: {a}\n")]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("names bd-nope1, which does not exist") && !err.contains(&format!("names {a}")), "{err}");
    assert!(std::fs::read_to_string(&log).unwrap().contains("user commit-msg Change [bd-nope1]"));

    // pre-push: the user's hook gets git's input unchanged, then the beads namespaces sync.
    let out = env.git_output(&dir, &["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let logged = std::fs::read_to_string(&log).unwrap();
    let head = env.git(&dir, &["rev-parse", "HEAD"]);
    assert!(logged.contains(&format!("user pre-push origin\nrefs/heads/main {} refs/heads/main ", head.trim())), "{logged}");
    assert_eq!(env.git(&remote, &["rev-parse", "refs/beads/heads/main"]), env.git(&dir, &["rev-parse", "refs/beads/heads/main"]));
    assert_eq!(logged.matches("user pre-push").count(), 1, "git-beads' own push does not run pre-push again");

    // A failing user hook still stops the push, as before.
    write_exec(&elsewhere, "#!/bin/sh\necho 'tests failed' >&2\nexit 3\n");
    std::fs::write(dir.join("g"), "2").unwrap();
    env.git(&dir, &["add", "g"]);
    env.git(&dir, &["commit", "-q", "-m", "more"]);
    let out = env.git_output(&dir, &["push", "-q", "origin", "main"]);
    assert!(!out.status.success());
    write_exec(&elsewhere, &format!("#!/bin/sh\necho \"user pre-push $1\" >> {0}\ncat >> {0}\n", log.display()));

    // post-merge: a merged branch whose namespace holds open work.
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    env.create(&dir, &["Left on the branch"]);
    std::fs::write(dir.join("h"), "3").unwrap();
    env.git(&dir, &["add", "h"]);
    env.git(&dir, &["commit", "-q", "-m", "feature work"]);
    env.git(&dir, &["checkout", "-q", "main"]);
    let out = env.git_output(&dir, &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("feature is merged here and its namespace has 1 open issue: `git beads promote --all-from feature`"), "{err}");

    // Uninstall puts every original back exactly.
    env.ok(&dir, &["hooks", "uninstall"]);
    let after: Vec<_> = ["commit-msg", "pre-push", "post-merge"].iter().map(|h| fingerprint(&hooks.join(h))).collect();
    assert_eq!(before, after);
    assert!(!hooks.join("pre-push.pre-git-beads").exists());
    assert_eq!(env.json(&dir, &["hooks", "uninstall"])["hooks"][0]["action"], json!("not installed"));
}

#[test]
fn core_hooks_path_is_honoured_and_fresh_hooks_are_removed_cleanly() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    // Relative to the work tree's root, as git runs hooks there (from a
    // subdirectory too); a folder shared by several clones, say.
    env.git(&dir, &["config", "core.hooksPath", "../shared-hooks"]);
    let shared = env.path("shared-hooks");
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let out = env.json(&sub, &["hooks", "install"]);
    assert_eq!(out["hooks_dir"], json!(dir.join("../shared-hooks").display().to_string()));
    for h in ["pre-push", "commit-msg", "post-merge"] {
        let installed = std::fs::read_to_string(shared.join(h)).unwrap();
        let shipped = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks").join(h)).unwrap();
        assert_eq!(installed, shipped, "install writes the scripts of the hooks/ folder");
    }
    assert!(!dir.join(".git/hooks/commit-msg").exists());
    // Git runs them from there.
    std::fs::write(dir.join("f"), "1").unwrap();
    env.git(&dir, &["add", "f"]);
    let out = env.git_output(&dir, &["commit", "-q", "-m", "Closes: bd-ghost"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("names bd-ghost, which does not exist"));
    env.ok(&dir, &["hooks", "uninstall"]);
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0);
}

#[test]
fn unusable_hook_folders_and_name_clashes_change_nothing() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    // A hooks path that cannot be a folder (a file is in the way).
    std::fs::write(dir.join("not-a-dir"), "x").unwrap();
    env.git(&dir, &["config", "core.hooksPath", "not-a-dir/hooks"]);
    let r = env.fails(&dir, &["hooks", "install"], 1);
    assert!(r.stderr.contains("could not create the hooks folder"), "{}", r.stderr);
    env.git(&dir, &["config", "--unset", "core.hooksPath"]);
    // A foreign hook with a leftover saved copy: refuse rather than lose either.
    let hooks = dir.join(".git/hooks");
    write_exec(&hooks.join("commit-msg"), "#!/bin/sh\nexit 0\n");
    write_exec(&hooks.join("commit-msg.pre-git-beads"), "#!/bin/sh\nexit 0\n");
    let r = env.fails(&dir, &["hooks", "install"], 1);
    assert!(r.stderr.contains("move one of them away first"), "{}", r.stderr);
    assert!(!hooks.join("pre-push").exists(), "nothing was installed");
    let r = env.fails(&dir, &["hooks", "run", "pre-commit"], 2);
    assert!(r.stderr.contains("unknown hook"), "{}", r.stderr);
}

#[test]
fn husky_style_hooks_keep_working_and_dry_runs_and_fresh_branches_are_left_alone() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    // Husky (v5 and later): core.hooksPath = .husky/_, whose hook files source
    // `h`, which finds the user's script from basename "$0".
    let husky = dir.join(".husky");
    std::fs::create_dir_all(husky.join("_")).unwrap();
    std::fs::write(husky.join("_/.gitignore"), "*\n").unwrap();
    write_exec(
        &husky.join("_/h"),
        "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\nsh -e \"$s\" \"$@\"\nexit $?\n",
    );
    write_exec(&husky.join("_/commit-msg"), "#!/usr/bin/env sh\n. \"${0%/*}/h\"\n");
    std::fs::write(husky.join("commit-msg"), "if grep -q forbidden \"$1\"; then echo 'husky: forbidden word' >&2; exit 1; fi\n").unwrap();
    env.git(&dir, &["add", ".husky"]);
    env.git(&dir, &["commit", "-q", "-m", "husky"]);
    env.git(&dir, &["config", "core.hooksPath", ".husky/_"]);
    let commit_with = |msg: &str| {
        let n = std::fs::read_dir(&dir).unwrap().count();
        std::fs::write(dir.join(format!("f{n}")), msg).unwrap();
        env.git(&dir, &["add", "."]);
        env.git_output(&dir, &["commit", "-q", "-m", msg])
    };
    assert!(!commit_with("a forbidden word").status.success(), "husky refuses before install");
    env.git(&dir, &["reset", "-q"]);
    env.ok_writing_worktree(&dir, &["hooks", "install"]);
    assert_eq!(states(&env, &dir)[1], ("commit-msg".to_string(), "chained".to_string()));
    let out = commit_with("a forbidden word");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("husky: forbidden word"), "husky still refuses");
    env.git(&dir, &["reset", "-q"]);
    let out = commit_with("fine, but names [bd-ghost]");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("names bd-ghost, which does not exist"));
    env.ok_writing_worktree(&dir, &["hooks", "uninstall"]);
    assert_eq!(std::fs::read_to_string(husky.join("_/commit-msg")).unwrap(), "#!/usr/bin/env sh\n. \"${0%/*}/h\"\n");
    env.git(&dir, &["config", "--unset", "core.hooksPath"]);

    // A dry-run push syncs nothing.
    let remote = env.path("remote.git");
    env.git(&env.path(""), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    env.git(&dir, &["remote", "add", "origin", remote.to_str().unwrap()]);
    env.ok(&dir, &["init"]);
    env.ok(&dir, &["hooks", "install"]);
    env.create(&dir, &["Not to be pushed by a dry run"]);
    let out = env.git_output(&dir, &["push", "--dry-run", "origin", "main"]);
    assert!(out.status.success());
    assert!(env.git_output(&remote, &["rev-parse", "--verify", "-q", "refs/beads/heads/main"]).stdout.is_empty(), "nothing was synced");
    let out = env.git_output(&dir, &["push", "-q", "origin", "main"]);
    assert!(out.status.success());
    assert!(!env.git(&remote, &["rev-parse", "refs/beads/heads/main"]).is_empty(), "a real push syncs");

    // post-merge does not take a branch that was never merged for a merged one.
    env.git(&dir, &["branch", "fresh"]);
    env.ok(&dir, &["q", "Idea on fresh", "--ns", "fresh"]);
    env.git(&dir, &["checkout", "-q", "-b", "side"]);
    std::fs::write(dir.join("side.txt"), "x").unwrap();
    env.git(&dir, &["add", "side.txt"]);
    env.git(&dir, &["commit", "-q", "-m", "side"]);
    env.git(&dir, &["checkout", "-q", "main"]);
    let out = env.git_output(&dir, &["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("fresh is merged"), "{}", String::from_utf8_lossy(&out.stderr));
}
