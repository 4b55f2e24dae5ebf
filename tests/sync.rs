//! Sync between real clones through real remotes: bare repositories over
//! file paths and a real `git daemon` on 127.0.0.1.
use crate::common::{Daemon, Env};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A bare repository with one commit on main, and `n` clones of it set up
/// for git-beads.
fn setup(env: &Env, n: usize) -> (PathBuf, Vec<PathBuf>) {
    let seed = env.repo("seed");
    let bare = env.path("remote.git");
    env.git(&env.path(""), &["clone", "-q", "--bare", seed.to_str().unwrap(), bare.to_str().unwrap()]);
    let clones = (0..n)
        .map(|i| {
            let name = format!("clone{i}");
            env.git(&env.path(""), &["clone", "-q", bare.to_str().unwrap(), &name]);
            let dir = env.path(&name);
            env.ok(&dir, &["init", "--prefix", "bd"]);
            dir
        })
        .collect();
    (bare, clones)
}

fn tree(env: &Env, dir: &Path) -> String {
    env.git(dir, &["rev-parse", "refs/beads/heads/main^{tree}"]).trim().to_string()
}

fn issue(env: &Env, dir: &Path, id: &str) -> Value {
    env.json(dir, &["show", id])[0].clone()
}

fn at(env: &mut Env, when: &str) {
    env.set("GIT_BEADS_NOW", when);
}

#[test]
fn clone_init_sync_brings_every_issue_and_plain_fetch_tracks() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 2);
    let (a, b) = (&clones[0], &clones[1]);
    let x = env.create(a, &["From A", "-l", "l1"]);
    let y = env.create(a, &["Also from A", "--deps", &x]);
    let out = env.ok(a, &["sync"]);
    assert_eq!(out, "origin: heads/main pushed\n");
    // The remote holds the namespace, and no tracking refs.
    let refs = env.git(&bare, &["for-each-ref", "--format=%(refname)", "refs/beads/"]);
    assert_eq!(refs, "refs/beads/heads/main\n");
    // A brand-new clone: clone, init, sync.
    env.git(&env.path(""), &["clone", "-q", bare.to_str().unwrap(), "fresh"]);
    let fresh = env.path("fresh");
    env.ok(&fresh, &["init"]);
    let out = env.ok(&fresh, &["sync"]);
    assert_eq!(out, "origin: heads/main created from the remote\n");
    assert_eq!(env.json(&fresh, &["list"]), env.json(a, &["list"]));
    assert_eq!(tree(&env, &fresh), tree(&env, a));
    assert_eq!(env.json(&fresh, &["init"])["prefix"], "bd", "the prefix follows the issues");
    // After init, a plain git fetch keeps the tracking refs current.
    env.git(b, &["fetch", "-q"]);
    assert_eq!(env.git(b, &["rev-parse", "refs/beads/remotes/origin/heads/main"]), env.git(a, &["rev-parse", "refs/beads/heads/main"]));
    let st = env.json(b, &["sync", "--status"]);
    assert_eq!(st[0]["state"], "remote_only");
    env.ok(b, &["sync"]);
    assert_eq!(issue(&env, b, &y)["dependencies"][0]["depends_on_id"], json!(x));
}

#[test]
fn concurrent_edits_on_three_clones_converge() {
    let mut env = Env::unseeded();
    let (_bare, clones) = setup(&env, 3);
    let (a, b, c) = (&clones[0], &clones[1], &clones[2]);
    at(&mut env, "2026-01-01T00:00:00Z");
    let x = env.create(a, &["Shared issue", "-l", "base,doomed", "-d", "original"]);
    let gone = env.create(a, &["Deleted untouched"]);
    let edited = env.create(a, &["Deleted but edited"]);
    env.ok(a, &["sync"]);
    env.ok(b, &["sync"]);
    env.ok(c, &["sync"]);
    // Concurrent edits, each clone on its own.
    at(&mut env, "2026-01-02T00:00:00Z");
    env.ok(a, &["update", &x, "--title", "Title from A", "--add-label", "a", "--remove-label", "doomed"]);
    env.ok(a, &["comments", "add", &x, "comment from A"]);
    env.ok(a, &["delete", &gone, "--force"]);
    env.ok(a, &["delete", &edited, "--force"]);
    at(&mut env, "2026-01-03T00:00:00Z");
    env.ok(b, &["update", &x, "--title", "Title from B", "-p", "0", "--add-label", "b"]);
    env.ok(b, &["comments", "add", &x, "comment from B"]);
    env.ok(b, &["update", &edited, "--notes", "B still needs this"]);
    at(&mut env, "2026-01-04T00:00:00Z");
    env.ok(c, &["update", &x, "-d", "description from C", "--add-label", "c"]);
    let new_c = env.create(c, &["Created on C"]);
    // Sync in an order where every clone merges.
    env.ok(a, &["sync"]);
    let out = env.ok(b, &["sync"]);
    assert!(out.contains("merged (2 auto-resolved), pushed"), "{out}");
    assert!(out.contains(&format!("auto-resolved {edited} issue: deleted on one side and edited on the other; kept the edit")), "{out}");
    assert!(out.contains(&format!("auto-resolved {x} title: changed on both sides; kept the local value (later update)")), "{out}");
    env.ok(c, &["sync"]);
    env.ok(a, &["sync"]);
    env.ok(b, &["sync"]);
    let t = tree(&env, a);
    assert_eq!(tree(&env, b), t);
    assert_eq!(tree(&env, c), t);
    let i = issue(&env, a, &x);
    assert_eq!(i["title"], "Title from B", "both changed the title: the later update wins");
    assert_eq!(i["priority"], 0);
    assert_eq!(i["description"], "description from C");
    assert_eq!(i["labels"], json!(["a", "b", "base", "c"]), "adds and removes from every side apply");
    let texts: Vec<&str> = i["comments"].as_array().unwrap().iter().map(|c| c["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["comment from A", "comment from B"]);
    env.fails(a, &["show", &gone], 3);
    assert_eq!(issue(&env, a, &edited)["notes"], "B still needs this", "deleted against edited keeps the edit");
    assert_eq!(issue(&env, a, &new_c)["title"], "Created on C");
    // The merge commit lists what it resolved.
    let log = env.git(b, &["log", "--merges", "--format=%B", "refs/beads/heads/main"]);
    assert!(log.contains("Auto-resolved:\n- ") && log.contains("Beads-Op: merge") && log.contains("Beads-Merge-Base: "), "{log}");
    // Everyone is up to date now.
    for d in [a, b, c] {
        assert_eq!(env.json(d, &["sync", "--status"])[0]["state"], "up_to_date");
    }
}

#[test]
fn status_counts_commits_and_issues_ahead_and_behind() {
    let env = Env::unseeded();
    let (_bare, clones) = setup(&env, 2);
    let (a, b) = (&clones[0], &clones[1]);
    env.create(a, &["One"]);
    env.ok(a, &["sync"]);
    env.ok(b, &["sync"]);
    env.create(a, &["Two"]);
    env.create(a, &["Three"]);
    env.ok(a, &["sync"]);
    env.create(b, &["Four"]);
    env.ok(b, &["fetch"]);
    let st = env.json(b, &["sync", "--status"]);
    assert_eq!(
        (
            st[0]["state"].clone(),
            st[0]["ahead"].clone(),
            st[0]["behind"].clone(),
            st[0]["issues_ahead"].clone(),
            st[0]["issues_behind"].clone()
        ),
        (json!("diverged"), json!(1), json!(2), json!(1), json!(2))
    );
    let r = env.fails(b, &["push"], 6);
    assert!(r.stderr.contains("has changes this clone does not; run `git beads sync origin`"), "{}", r.stderr);
    env.ok(b, &["sync"]);
    assert_eq!(env.json(b, &["list"]).as_array().unwrap().len(), 4);
    env.create(b, &["Five"]);
    assert_eq!(env.json(b, &["sync", "--status"])[0]["state"], "ahead");
    env.ok(b, &["push"]);
    assert_eq!(env.json(b, &["sync", "--status"])[0]["state"], "up_to_date");
}

#[test]
fn sync_json_reports_each_namespace() {
    let env = Env::unseeded();
    let (_bare, clones) = setup(&env, 1);
    let a = &clones[0];
    env.create(a, &["One"]);
    let out = env.json(a, &["sync"]);
    assert_eq!(out[0]["remote"], "origin");
    assert_eq!(out[0]["namespaces"][0]["namespace"], "refs/beads/heads/main");
    assert_eq!(out[0]["namespaces"][0]["action"], "pushed");
    assert_eq!(out[0]["namespaces"][0]["local_after"], out[0]["namespaces"][0]["remote_after"]);
}

// ---- bad cases: the local namespaces are exactly as before, and the next
// sync succeeds once the cause is gone.

fn local_refs(env: &Env, dir: &Path) -> String {
    env.git(dir, &["for-each-ref", "--format=%(refname) %(objectname)", "refs/beads/heads/"])
}

#[test]
fn a_remote_that_does_not_exist() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    env.create(&dir, &["One"]);
    let r = env.fails(&dir, &["sync"], 6);
    assert!(r.stderr.contains("Error: no remote named \"origin\" is configured (this repository has no remotes)"), "{}", r.stderr);
    let r = env.fails(&dir, &["sync", "upstream", "--json"], 6);
    let e: Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(e["error"]["code"], "NO_SUCH_REMOTE");
}

#[test]
fn a_remote_that_does_not_answer() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 1);
    let a = &clones[0];
    env.create(a, &["One"]);
    std::fs::rename(&bare, env.path("moved.git")).unwrap();
    let before = local_refs(&env, a);
    let r = env.fails(a, &["sync"], 6);
    assert!(r.stderr.contains("could not reach remote origin"), "{}", r.stderr);
    assert!(r.stderr.contains("Hint:"), "{}", r.stderr);
    assert_eq!(local_refs(&env, a), before);
    std::fs::rename(env.path("moved.git"), &bare).unwrap();
    env.ok(a, &["sync"]);
}

#[test]
fn a_push_refused_by_a_server_side_hook() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 2);
    let (a, b) = (&clones[0], &clones[1]);
    env.create(a, &["One"]);
    env.ok(a, &["sync"]);
    env.create(b, &["Two"]);
    env.ok(b, &["sync"]);
    env.create(a, &["Three"]);
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'beads refs are frozen for the release' >&2\nexit 1\n").unwrap();
    make_executable(&hook);
    let before = local_refs(&env, a);
    let r = env.fails(a, &["sync"], 6);
    assert!(r.stderr.contains("remote origin refused the push: pre-receive hook declined"), "{}", r.stderr);
    assert!(r.stderr.contains("beads refs are frozen for the release"), "{}", r.stderr);
    assert_eq!(local_refs(&env, a), before, "the merge was not applied locally");
    std::fs::remove_file(&hook).unwrap();
    env.ok(a, &["sync"]);
    env.ok(b, &["sync"]);
    assert_eq!(env.json(b, &["list"]).as_array().unwrap().len(), 3);
    assert_eq!(tree(&env, a), tree(&env, b));
}

fn make_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_force_rewritten_remote_history_loses_nothing() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 1);
    let a = &clones[0];
    let mine = env.create(a, &["Mine"]);
    env.ok(a, &["sync"]);
    let mine2 = env.create(a, &["Mine, unpushed"]);
    // Someone replaces the remote namespace with unrelated history.
    let other = env.beads_repo("other");
    let theirs = env.create(&other, &["Theirs"]);
    env.git(&other, &["push", "-q", "--force", bare.to_str().unwrap(), "refs/beads/heads/main:refs/beads/heads/main"]);
    let out = env.ok(a, &["sync"]);
    assert!(out.contains("merged"), "{out}");
    let ids: Vec<String> = env.json(a, &["list"]).as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
    for id in [&mine, &mine2, &theirs] {
        assert!(ids.contains(id), "{id} lost: {ids:?}");
    }
    let log = env.git(a, &["log", "-1", "--format=%B", "refs/beads/heads/main"]);
    assert!(log.contains("Beads-Merge-Base: none"), "{log}");
}

#[test]
fn an_invalid_blob_on_the_remote_is_refused_and_the_rest_merges() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 2);
    let (a, b) = (&clones[0], &clones[1]);
    env.create(a, &["One"]);
    env.ok(a, &["sync"]);
    env.ok(b, &["sync"]);
    // b publishes a good issue and, by hand, a broken blob.
    let good = env.create(b, &["Good from B"]);
    let blob = env.git_stdin(b, &["hash-object", "-w", "--stdin"], b"{ broken");
    let with_index = |args: &[&str]| env.git_scratch(b, args);
    with_index(&["read-tree", "refs/beads/heads/main"]);
    with_index(&["update-index", "--add", "--cacheinfo", &format!("100644,{blob},issues/x/x/bd-xxbad.json")]);
    let t = with_index(&["write-tree"]);
    let commit = env.git(b, &["commit-tree", &t, "-p", "refs/beads/heads/main", "-m", "broken"]).trim().to_string();
    env.git(b, &["push", "-q", bare.to_str().unwrap(), &format!("{commit}:refs/beads/heads/main")]);
    let mine = env.create(a, &["Mine"]);
    let r = env.fails(a, &["sync"], 6);
    assert!(r.stderr.contains("not merged: remote issues/x/x/bd-xxbad.json"), "{}", r.stderr);
    assert!(r.stdout.contains("NOT pushed"), "{}", r.stdout);
    // The good issue arrived; the broken one did not; nothing was pushed.
    assert_eq!(issue(&env, a, &good)["title"], "Good from B");
    env.fails(a, &["show", "bd-xxbad"], 3);
    assert_eq!(env.git(&bare, &["rev-parse", "refs/beads/heads/main"]).trim(), commit);
    // Once the remote is fixed, sync completes.
    with_index(&["read-tree", &commit]);
    with_index(&["rm", "--cached", "-q", "issues/x/x/bd-xxbad.json"]);
    let t2 = with_index(&["write-tree"]);
    let c2 = env.git(b, &["commit-tree", &t2, "-p", &commit, "-m", "fix"]).trim().to_string();
    env.git(b, &["push", "-q", bare.to_str().unwrap(), &format!("{c2}:refs/beads/heads/main")]);
    env.ok(a, &["sync"]);
    env.git(b, &["update-ref", "refs/beads/heads/main", &c2]);
    env.ok(b, &["sync"]);
    assert_eq!(issue(&env, b, &mine)["title"], "Mine");
    assert_eq!(tree(&env, a), tree(&env, b));
}

#[test]
fn unrelated_remote_refs_are_ignored() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 1);
    let a = &clones[0];
    env.git(a, &["tag", "v1"]);
    env.git(
        a,
        &[
            "push",
            "-q",
            "origin",
            "v1",
            "HEAD:refs/heads/other",
            "HEAD:refs/notes/commits",
            "HEAD:refs/beadsish/x",
            "HEAD:refs/beads-old/heads/main",
        ],
    );
    env.create(a, &["One"]);
    env.ok(a, &["sync"]);
    let refs = env.git(a, &["for-each-ref", "--format=%(refname)", "refs/beads/"]);
    assert_eq!(refs, "refs/beads/heads/main\nrefs/beads/remotes/origin/heads/main\n");
    assert!(env.git(&bare, &["for-each-ref", "refs/beads-old/"]).contains("refs/beads-old/heads/main"));
}

#[test]
fn three_clones_converge_over_git_daemon() {
    let mut env = Env::unseeded();
    let served = env.path("served");
    std::fs::create_dir_all(&served).unwrap();
    let seed = env.repo("seed");
    env.git(&served, &["clone", "-q", "--bare", seed.to_str().unwrap(), "proj.git"]);
    let daemon = Daemon::start(&env, &served);
    let clones: Vec<PathBuf> = (0..3)
        .map(|i| {
            let name = format!("d{i}");
            env.git(&env.path(""), &["clone", "-q", &daemon.url("proj.git"), &name]);
            let dir = env.path(&name);
            env.ok(&dir, &["init", "--prefix", "bd"]);
            dir
        })
        .collect();
    at(&mut env, "2026-02-01T00:00:00Z");
    let x = env.create(&clones[0], &["Over the wire"]);
    env.ok(&clones[0], &["sync"]);
    for c in &clones[1..] {
        env.ok(c, &["sync"]);
    }
    for (n, c) in clones.iter().enumerate() {
        at(&mut env, &format!("2026-02-0{}T00:00:00Z", n + 2));
        env.ok(c, &["update", &x, "--add-label", &format!("from-{n}"), "--title", &format!("title {n}")]);
        env.create(c, &[&format!("new on {n}")]);
    }
    for c in clones.iter().chain(clones.iter()) {
        env.ok(c, &["sync"]);
    }
    let t = tree(&env, &clones[0]);
    for c in &clones {
        assert_eq!(tree(&env, c), t);
    }
    let i = issue(&env, &clones[0], &x);
    assert_eq!(i["labels"], json!(["from-0", "from-1", "from-2"]));
    assert_eq!(i["title"], "title 2");
    assert_eq!(env.json(&clones[0], &["list"]).as_array().unwrap().len(), 4);
}

#[test]
fn a_connection_that_dies_mid_push() {
    let env = Env::unseeded();
    let served = env.path("served");
    std::fs::create_dir_all(&served).unwrap();
    let seed = env.repo("seed");
    env.git(&served, &["clone", "-q", "--bare", seed.to_str().unwrap(), "proj.git"]);
    let mut daemon = Daemon::start(&env, &served);
    env.git(&env.path(""), &["clone", "-q", &daemon.url("proj.git"), "c"]);
    let c = env.path("c");
    env.ok(&c, &["init", "--prefix", "bd"]);
    env.create(&c, &["Before"]);
    env.ok(&c, &["sync"]);
    env.create(&c, &["During"]);
    // The server dies while receiving the push: the hook kills the daemon's
    // whole process group (daemon, receive-pack, itself).
    let hook = served.join("proj.git/hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\nkill -9 0\n").unwrap();
    make_executable(&hook);
    let before = local_refs(&env, &c);
    let r = env.fails(&c, &["sync"], 6);
    assert!(r.stderr.starts_with("Error: "), "{}", r.stderr);
    assert_eq!(local_refs(&env, &c), before);
    daemon.stop();
    std::fs::remove_file(&hook).unwrap();
    let daemon2 = Daemon::start(&env, &served);
    env.git(&c, &["remote", "set-url", "origin", &daemon2.url("proj.git")]);
    env.ok(&c, &["sync"]);
    let remote_tip = env.git(&served.join("proj.git"), &["rev-parse", "refs/beads/heads/main"]);
    assert_eq!(remote_tip, env.git(&c, &["rev-parse", "refs/beads/heads/main"]));
    // A daemon that is gone altogether.
    drop(daemon2);
    let r = env.fails(&c, &["fetch"], 6);
    assert!(r.stderr.contains("could not reach remote origin"), "{}", r.stderr);
}

// ---- the merge function itself, through the library

#[test]
fn merging_two_namespaces_is_symmetric_and_idempotent() {
    let mut env = Env::unseeded();
    let dir = env.beads_repo("r");
    at(&mut env, "2026-03-01T00:00:00Z");
    let x = env.create(&dir, &["Base", "-l", "k"]);
    let base = env.git(&dir, &["rev-parse", "refs/beads/heads/main"]).trim().to_string();
    at(&mut env, "2026-03-02T00:00:00Z");
    env.ok(&dir, &["update", &x, "--title", "Left", "--add-label", "l"]);
    env.create(&dir, &["Left only"]);
    let left = env.git(&dir, &["rev-parse", "refs/beads/heads/main"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &base]);
    at(&mut env, "2026-03-03T00:00:00Z");
    env.ok(&dir, &["update", &x, "--title", "Right", "-p", "1", "--remove-label", "k"]);
    let right = env.git(&dir, &["rev-parse", "refs/beads/heads/main"]).trim().to_string();
    let store = git_beads::store::Store::discover(&dir).unwrap();
    let oid = |s: &str| gix::ObjectId::from_hex(s.as_bytes()).unwrap();
    let tree_of = |c: &str| env.git(&dir, &["rev-parse", &format!("{c}^{{tree}}")]).trim().to_string();
    let m = |o: &str, t: &str| {
        git_beads::merge::merge_trees(store.repo(), "refs/beads/heads/main", Some(oid(&tree_of(&base))), oid(&tree_of(o)), oid(&tree_of(t)))
            .unwrap()
            .tree
            .unwrap()
    };
    assert_eq!(m(&left, &right), m(&right, &left), "A merged with B equals B merged with A");
    assert_eq!(m(&left, &left).to_string(), tree_of(&left), "A merged with A is A");
    let merged = m(&left, &right);
    let blob = env.git(&dir, &["cat-file", "-p", &format!("{merged}:issues/{}/{}/{x}.json", &x[3..4], &x[4..5])]);
    assert!(blob.contains("\"title\": \"Right\"") && blob.contains("\"labels\": [\"l\"]") && blob.contains("\"priority\": 1"), "{blob}");
}

#[test]
fn local_writers_during_sync_lose_nothing() {
    let env = Env::unseeded();
    let (_bare, clones) = setup(&env, 2);
    let (x, y) = (clones[0].clone(), clones[1].clone());
    let target = env.create(&x, &["Busy issue"]);
    env.ok(&x, &["sync"]);
    env.ok(&y, &["sync"]);
    const WRITERS: usize = 3;
    const OPS: usize = 15;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (vars, x, target) = (env.vars.clone(), x.clone(), target.clone());
            std::thread::spawn(move || {
                for op in 0..OPS {
                    let mut c = Command::new(crate::common::bin());
                    c.env_clear();
                    for (k, v) in &vars {
                        c.env(k, v);
                    }
                    let out = c.current_dir(&x).args(["label", "add", &target, &format!("w{w}-{op}")]).output().unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    // Meanwhile the other clone keeps pushing, and x keeps syncing.
    for n in 0..6 {
        env.create(&y, &[&format!("from y {n}")]);
        env.ok(&y, &["sync"]);
        env.ok(&x, &["sync"]);
    }
    for w in writers {
        w.join().unwrap();
    }
    env.ok(&x, &["sync"]);
    env.ok(&y, &["sync"]);
    let labels = env.json(&x, &["label", "list", &target]);
    assert_eq!(labels.as_array().unwrap().len(), WRITERS * OPS, "every local write survived the syncs");
    assert_eq!(env.json(&y, &["label", "list", &target]), labels);
    assert_eq!(env.json(&x, &["list"]).as_array().unwrap().len(), 7);
}

#[test]
fn a_new_clone_does_not_adopt_a_namespace_with_unreadable_blobs() {
    let env = Env::unseeded();
    let (bare, clones) = setup(&env, 2);
    let (x, y) = (&clones[0], &clones[1]);
    env.create(x, &["Fine"]);
    env.ok(x, &["sync"]);
    // Publish a blob from a newer format by hand.
    let future = b"{\n  \"format_version\": 2,\n  \"id\": \"bd-fut1\",\n  \"title\": \"From the future\",\n  \"created_at\": \"2026-01-01T00:00:00Z\"\n}\n";
    let blob = env.git_stdin(x, &["hash-object", "-w", "--stdin"], future);
    let run = |args: &[&str]| env.git_scratch(x, args);
    run(&["read-tree", "refs/beads/heads/main"]);
    run(&["update-index", "--add", "--cacheinfo", &format!("100644,{blob},issues/f/u/bd-fut1.json")]);
    let t = run(&["write-tree"]);
    let c = env.git(x, &["commit-tree", &t, "-p", "refs/beads/heads/main", "-m", "future"]).trim().to_string();
    env.git(x, &["push", "-q", bare.to_str().unwrap(), &format!("{c}:refs/beads/heads/main")]);
    let r = env.fails(y, &["sync"], 6);
    assert!(r.stderr.contains("not merged: remote issues/f/u/bd-fut1.json"), "{}", r.stderr);
    assert_eq!(env.tip(y, "refs/beads/heads/main"), None, "no namespace without the remote as its base");
    // Once the blob is gone, the clone takes the namespace as it is.
    run(&["rm", "--cached", "-q", "issues/f/u/bd-fut1.json"]);
    let t2 = run(&["write-tree"]);
    let c2 = env.git(x, &["commit-tree", &t2, "-p", &c, "-m", "fixed"]).trim().to_string();
    env.git(x, &["push", "-q", bare.to_str().unwrap(), &format!("{c2}:refs/beads/heads/main")]);
    env.ok(y, &["sync"]);
    assert_eq!(env.tip(y, "refs/beads/heads/main"), Some(c2));
}
