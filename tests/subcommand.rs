//! git-beads as a git subcommand: the manual behind `git help beads`, shell
//! completions, and commands that work outside any repository.

use crate::common::Env;
use std::process::Command;

fn bash(script: &str) -> String {
    let out = Command::new("bash").arg("-c").arg(script).output().expect("bash runs");
    assert!(out.status.success(), "bash failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn shell_completions_work_outside_a_repository_and_complete_git_beads() {
    let env = Env::new();
    let nowhere = env.path("not-a-repo");
    std::fs::create_dir_all(&nowhere).unwrap();
    let script = env.ok(&nowhere, &["completions", "bash"]);
    let file = env.path("git-beads.bash");
    std::fs::write(&file, &script).unwrap();
    let complete = |words: &str, cword: usize| {
        bash(&format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             if [ \"${{COMP_WORDS[0]}}\" = git ]; then _git_beads; else _gitbeads git-beads \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; fi; \
             echo \"${{COMPREPLY[@]}}\"",
            file.display()
        ))
    };
    // `git-beads <TAB>`, and `git beads <TAB>` through git's completion.
    assert_eq!(complete("git-beads clo", 1).trim(), "close close-from-commits");
    assert_eq!(complete("git beads ch", 2).trim(), "check");
    assert_eq!(complete("git beads check --f", 3).trim(), "--fetch --format");
    assert!(script.contains("complete -F _gitbeads -o nosort -o bashdefault -o default git-beads"));
    assert!(env.ok(&nowhere, &["completions", "zsh"]).starts_with("#compdef git-beads"));
    assert!(
        env.ok(&nowhere, &["completions", "fish"]).contains("complete -c git-beads -n \"__fish_git_beads_needs_command\" -f -a \"check\"")
    );
    env.fails(&nowhere, &["completions", "tcsh"], 2);
}

#[test]
fn git_help_beads_shows_the_manual() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let man = env.path("share/man");
    let out = env.ok(&dir, &["man", "--dir", man.join("man1").to_str().unwrap()]);
    assert!(out.starts_with("wrote "), "{out}");
    for page in ["git-beads.1", "git-beads-check.1", "git-beads-hooks-install.1", "git-beads-close-from-commits.1", "git-beads-dep-add.1"] {
        assert!(man.join("man1").join(page).is_file(), "{page}");
    }
    let check = std::fs::read_to_string(man.join("man1/git-beads-check.1")).unwrap();
    assert!(check.contains("git beads check") && check.contains("\\-\\-format"), "{check}");
    // The page printed on stdout is the main one.
    assert!(env.ok(&dir, &["man"]).contains(".TH git-beads 1"));
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("`man` is not installed: skipping `git help beads`");
        return;
    }
    // What `git beads --help` runs too: git turns it into `git help beads`.
    for args in [&["help", "beads"][..], &["beads", "--help"][..]] {
        let mut c = Command::new("git");
        c.env_clear();
        for (k, v) in &env.vars {
            c.env(k, v);
        }
        let out = c.current_dir(&dir).args(args).env("MANPATH", &man).env("MANPAGER", "cat").env("PAGER", "cat").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("git-beads - git-beads: issues as git objects"),
            "{args:?}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("close-from-commits"), "{text}");
    }
}

#[test]
fn the_binary_installs_its_manual_beside_itself() {
    // `man --install` writes to <prefix>/share/man/man1 for <prefix>/bin/git-beads.
    let env = Env::new();
    let prefix = env.path("prefix");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    let bin = prefix.join("bin/git-beads");
    std::fs::copy(crate::common::bin(), &bin).unwrap();
    let out =
        Command::new(&bin).args(["man", "--install", "--json"]).current_dir(env.path("")).env("HOME", env.path("home")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dir"], serde_json::json!(prefix.join("share/man/man1").display().to_string()));
    assert!(prefix.join("share/man/man1/git-beads.1").is_file());
}
