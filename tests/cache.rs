//! The cache is an optimization only: with it, without it, after it is
//! deleted, after refs move behind the tool's back, the answers are the same.

use crate::common::Env;
use std::path::Path;

const VIEWS: &[&[&str]] = &[
    &["list", "--all", "--limit", "0", "--json"],
    &["ready", "--limit", "0", "--json"],
    &["blocked", "--limit", "0", "--json"],
    &["stats", "--json"],
    &["count", "--by", "label", "--all", "--json"],
    &["search", "o", "--limit", "0", "--json"],
];

/// How the index is obtained: cached with deltas (the default), cached but
/// compacted on every change, or not cached at all.
#[derive(Clone, Copy)]
enum Mode {
    Deltas,
    Compacting,
    NoCache,
}

fn answers(env: &Env, dir: &Path, mode: Mode) -> Vec<String> {
    VIEWS
        .iter()
        .map(|args| {
            let extra: &[(&str, &str)] = match mode {
                Mode::Deltas => &[],
                Mode::Compacting => &[("GIT_BEADS_CACHE_DELTA", "0")],
                Mode::NoCache => &[("GIT_BEADS_NO_CACHE", "1")],
            };
            let r = env.run_with(dir, args, None, extra);
            assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
            r.stdout
        })
        .collect()
}

fn assert_consistent(env: &Env, dir: &Path, when: &str) {
    let cached = answers(env, dir, Mode::Deltas);
    let again = answers(env, dir, Mode::Deltas);
    let uncached = answers(env, dir, Mode::NoCache);
    assert_eq!(cached, uncached, "cache and no cache disagree {when}");
    assert_eq!(cached, again, "warm answers differ {when}");
}

#[test]
fn deltas_and_compaction_give_the_same_answers_through_many_changes() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    let mut ids = Vec::new();
    for n in 0..12 {
        let deps: Vec<String> = ids.iter().rev().take(2).cloned().collect();
        let mut args = vec![format!("issue {n}"), "-l".to_string(), format!("l{}", n % 3)];
        if !deps.is_empty() {
            args.push("--deps".into());
            args.push(deps.join(","));
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ids.push(env.create(&dir, &a));
        if n % 4 == 3 {
            // Alternate the two cache strategies between changes.
            let mode = if n % 8 == 3 { Mode::Compacting } else { Mode::Deltas };
            assert_eq!(answers(&env, &dir, mode), answers(&env, &dir, Mode::NoCache), "after {n} creates");
        }
    }
    env.ok(&dir, &["close", &ids[0], &ids[1], "--force"]);
    env.ok(&dir, &["delete", &ids[5], "--force"]);
    env.ok(&dir, &["update", &ids[7], "--title", "renamed", "-p", "0"]);
    for mode in [Mode::Deltas, Mode::Compacting, Mode::Deltas] {
        assert_eq!(answers(&env, &dir, mode), answers(&env, &dir, Mode::NoCache));
    }
    // A hand-moved ref back to an older tree, and forward again.
    let old = env.git(&dir, &["rev-parse", "refs/beads/heads/main~5"]).trim().to_string();
    let new = env.git(&dir, &["rev-parse", "refs/beads/heads/main"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &old]);
    assert_eq!(answers(&env, &dir, Mode::Deltas), answers(&env, &dir, Mode::NoCache));
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &new]);
    assert_eq!(answers(&env, &dir, Mode::Deltas), answers(&env, &dir, Mode::NoCache));
    assert_eq!(answers(&env, &dir, Mode::Compacting), answers(&env, &dir, Mode::NoCache));
}

#[test]
fn same_answers_with_and_without_the_cache() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Alpha one", "-l", "x"]);
    let b = env.create(&dir, &["Bravo two", "--deps", &a]);
    let c = env.create(&dir, &["Charlie", "--parent", &a, "-l", "y,x"]);
    assert_consistent(&env, &dir, "after creates");
    env.ok(&dir, &["close", &c]);
    env.ok(&dir, &["update", &b, "-p", "0", "--add-label", "z"]);
    assert_consistent(&env, &dir, "after updates");
    let cache = dir.join(".git/beads/cache");
    assert!(cache.is_dir(), "the cache lives under the git common dir");
    std::fs::remove_dir_all(&cache).unwrap();
    assert_consistent(&env, &dir, "after the cache was deleted");

    // A ref moved by hand to an older state.
    let old = env.git(&dir, &["rev-parse", "refs/beads/heads/main~2"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &old]);
    assert_consistent(&env, &dir, "after update-ref to an older commit");
    let listed = env.json(&dir, &["list", "--all", "--limit", "0"]);
    assert!(!listed.to_string().contains("\"z\""), "the hand-moved ref is what is shown");

    // A corrupt cache file is ignored and rebuilt.
    for e in std::fs::read_dir(&cache).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "idx") {
            std::fs::write(&p, b"GBEADSIXgarbage").unwrap();
        }
    }
    assert_consistent(&env, &dir, "after the cache was damaged");
}

#[test]
fn a_plain_git_fetch_is_picked_up() {
    let env = Env::new();
    let up = env.beads_repo("up");
    let a = env.create(&up, &["From upstream"]);
    let down = env.repo("down");
    env.ok(&down, &["init", "--prefix", "bd"]);
    assert_eq!(env.json(&down, &["list"]), serde_json::json!([]));
    env.git(&down, &["fetch", "-q", up.to_str().unwrap(), "+refs/beads/heads/*:refs/beads/heads/*"]);
    assert_eq!(env.json(&down, &["show", &a])[0]["title"], "From upstream");
    env.create(&up, &["Second upstream"]);
    env.git(&down, &["fetch", "-q", up.to_str().unwrap(), "+refs/beads/heads/*:refs/beads/heads/*"]);
    assert_eq!(env.json(&down, &["list"]).as_array().unwrap().len(), 2);
    assert_consistent(&env, &down, "after fetches");
}

#[test]
fn worktrees_share_one_cache() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["One"]);
    env.git(&dir, &["worktree", "add", "-q", "-b", "side", "../wt"]);
    env.ok(&env.path("wt"), &["list"]);
    let files: Vec<_> = std::fs::read_dir(dir.join(".git/beads/cache"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "idx"))
        .collect();
    assert_eq!(files.len(), 1, "one index file for one tree, whichever worktree asked");
    assert!(!env.path("wt/.git").is_dir(), "nothing is written into the worktree");
}

#[test]
fn a_stray_copy_under_another_path_never_hides_the_real_issue() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Real"]);
    env.create(&dir, &["Other"]);
    env.ok(&dir, &["list"]);
    // Copy a's blob under a wrong path with plain git, behind the cache's back.
    let blob =
        env.git(&dir, &["rev-parse", &format!("refs/beads/heads/main:issues/{}/{}/{a}.json", &a[3..4], &a[4..5])]).trim().to_string();
    let run = |args: &[&str]| env.git_scratch(&dir, args);
    run(&["read-tree", "refs/beads/heads/main"]);
    run(&["update-index", "--add", "--cacheinfo", &format!("100644,{blob},issues/z/z/{a}.json")]);
    run(&["update-index", "--add", "--cacheinfo", &format!("100644,{blob},issues/q/q/junk/x.txt")]);
    let tree = run(&["write-tree"]);
    let commit = env.git(&dir, &["commit-tree", &tree, "-p", "refs/beads/heads/main", "-m", "stray"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &commit]);
    assert_consistent(&env, &dir, "after a stray copy appeared");
    assert_eq!(env.json(&dir, &["show", &a])[0]["title"], "Real");
    // Removing the stray tree clears its warning.
    run(&["rm", "--cached", "-q", "-r", "issues/q/q/junk"]);
    let tree = run(&["write-tree"]);
    let commit = env.git(&dir, &["commit-tree", &tree, "-p", "refs/beads/heads/main", "-m", "clean"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &commit]);
    let r = env.run(&dir, &["list"]);
    assert!(!r.stderr.contains("junk"), "{}", r.stderr);
    assert_consistent(&env, &dir, "after the stray tree went away");
}

#[test]
fn a_cold_build_reads_packed_deltified_and_loose_blobs_alike() {
    // Big enough for the cold build to read through its own pack mappings.
    let env = Env::new();
    let dir = env.beads_repo("r");
    let data = crate::common::shared().join("data").join("br-export-2k.jsonl");
    env.ok(&dir, &["import", data.to_str().unwrap()]);
    // Near-identical long descriptions, which `git gc` stores as deltas;
    // written after the import, they start as loose objects.
    let body = "The same long paragraph of context, repeated so that git deltifies it. ".repeat(60);
    for i in 0..40 {
        env.create(&dir, &[&format!("Similar {i}"), "-d", &format!("{body}\nvariant {i}")]);
    }
    let cache = dir.join(".git/beads/cache");
    let cold = |when: &str| {
        std::fs::remove_dir_all(&cache).ok();
        let a = answers(&env, &dir, Mode::Deltas);
        assert_eq!(a, answers(&env, &dir, Mode::NoCache), "{when}");
        a
    };
    let mixed = cold("pack plus loose objects");
    assert!(env.git(&dir, &["count-objects", "-v"]).contains("count: 2"), "some blobs are loose");
    env.git(&dir, &["gc", "-q", "--aggressive"]);
    let deltas = env.git(&dir, &["verify-pack", "-v", &first_pack_idx(&dir)]);
    assert!(deltas.lines().any(|l| l.contains(" blob ") && l.split_whitespace().count() >= 7), "gc stored some blobs as deltas");
    assert_eq!(cold("after gc --aggressive"), mixed);
    // The blob reads of the build agree with gix's own, issue by issue.
    let exported = env.ok(&dir, &["export"]);
    let listed = env.json(&dir, &["list", "--all", "--limit", "0"]);
    let titles: std::collections::BTreeMap<String, String> = exported
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_string(), v["title"].as_str().unwrap().to_string()))
        .collect();
    let listed: std::collections::BTreeMap<String, String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["id"].as_str().unwrap().to_string(), v["title"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(listed, titles);
}

fn first_pack_idx(dir: &Path) -> String {
    let pack = dir.join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "idx")).unwrap();
    idx.to_str().unwrap().to_string()
}
