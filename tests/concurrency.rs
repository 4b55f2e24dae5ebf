//! Many writers at once, as real processes: every operation lands, no lock
//! file is involved, and the repository stays consistent.

use crate::common::Env;
use std::process::{Command, Stdio};

#[test]
fn parallel_writers_in_one_clone_and_its_worktrees_lose_nothing() {
    let mut env = Env::new();
    // Real randomness for IDs: every process must find its own.
    env.vars.retain(|(k, _)| k != "GIT_BEADS_SEED");
    let dir = env.beads_repo("r");
    env.git(&dir, &["worktree", "add", "-q", "-b", "wt1", "../wt1"]);
    env.git(&dir, &["worktree", "add", "-q", "-b", "wt2", "../wt2"]);
    let target = env.create(&dir, &["Shared target"]);
    let places = [dir.clone(), env.path("wt1"), env.path("wt2")];
    const WRITERS: usize = 6;
    const OPS: usize = 8;
    let mut children = Vec::new();
    for w in 0..WRITERS {
        let place = places[w % places.len()].clone();
        let vars = env.vars.clone();
        let target = target.clone();
        children.push(std::thread::spawn(move || {
            for op in 0..OPS {
                let run = |args: &[&str]| {
                    let mut c = Command::new(crate::common::bin());
                    c.env_clear();
                    for (k, v) in &vars {
                        c.env(k, v);
                    }
                    let out = c.current_dir(&place).args(args).stdin(Stdio::null()).output().unwrap();
                    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
                    String::from_utf8_lossy(&out.stdout).trim().to_string()
                };
                // All on one namespace, even from the worktrees (whose own
                // branches would otherwise get their issues).
                let id = run(&["create", &format!("w{w} op{op}"), "--ns", "main"]);
                assert!(!id.is_empty());
                // Everyone also edits the same issue: each label must survive.
                run(&["label", "add", &target, &format!("w{w}-op{op}")]);
            }
        }));
    }
    for c in children {
        c.join().unwrap();
    }
    let all = env.json(&dir, &["list", "--limit", "0"]);
    // The index the readers kept deriving while writers raced gives the
    // same answers as reading every blob afresh.
    for args in [&["list", "--all", "--limit", "0", "--json"][..], &["ready", "--limit", "0", "--json"][..]] {
        let cached = env.run(&dir, args);
        let fresh = env.run_with(&dir, args, None, &[("GIT_BEADS_NO_CACHE", "1")]);
        assert_eq!(cached.stdout, fresh.stdout, "{args:?}");
    }
    let titles: std::collections::BTreeSet<String> =
        all.as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap().to_string()).collect();
    for w in 0..WRITERS {
        for op in 0..OPS {
            assert!(titles.contains(&format!("w{w} op{op}")), "w{w} op{op} was lost");
        }
    }
    assert_eq!(all.as_array().unwrap().len(), WRITERS * OPS + 1);
    let labels = env.json(&dir, &["label", "list", &target]);
    assert_eq!(labels.as_array().unwrap().len(), WRITERS * OPS, "every concurrent edit of one issue survived");
    // One commit per operation, on a single line of history.
    let commits = env.git(&dir, &["rev-list", "--count", "refs/beads/heads/main"]);
    assert_eq!(commits.trim().parse::<usize>().unwrap(), 1 + 2 * WRITERS * OPS);
    let fsck = env.git_output(&dir, &["fsck", "--strict", "--no-dangling"]);
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stderr));
    assert!(!dir.join(".git/refs/beads/heads/main.lock").exists(), "no lock file is left behind");
}

#[test]
fn promoting_while_others_write_the_target_loses_nothing() {
    // `promote` writes two namespaces; the target moves under it as other
    // processes create issues there: the compare-and-swap retries re-apply it.
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    env.git(&dir, &["branch", "feature"]);
    const N: usize = 12;
    let branch_ids: Vec<String> = (0..N).map(|i| env.create(&dir, &[&format!("branch work {i}"), "--ns", "feature"])).collect();
    let created: Vec<String> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let env = &env;
                let dir = &dir;
                s.spawn(move || (0..N).map(|i| env.create(dir, &[&format!("w{w} main {i}")])).collect::<Vec<_>>())
            })
            .collect();
        for id in &branch_ids {
            let out = env.json(&dir, &["promote", id]);
            assert_eq!(out["moved"], serde_json::json!([id]));
        }
        writers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let main: std::collections::BTreeSet<String> = env
        .json(&dir, &["list", "--all", "--ns", "main"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for id in branch_ids.iter().chain(&created) {
        assert!(main.contains(id), "{id} is missing from main");
    }
    assert_eq!(main.len(), 3 * N);
    assert_eq!(env.json(&dir, &["list", "--all", "--ns", "feature"]), serde_json::json!([]));
}
