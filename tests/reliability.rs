//! Reliability under a hostile environment, with real processes: git's own
//! maintenance beside writers, real signals in the middle of a write, a
//! remote that hangs, clones racing to push, remotes and collaborators that
//! send what they should not, a damaged cache. Each test is named after
//! what once broke.
use crate::common::{Daemon, Env};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Where the blob of issue `id` lives in a namespace tree.
/// The JSON error a failed `--json` command printed (its last stderr line;
/// warnings before it are JSON lines too).
fn json_error(r: &crate::common::Run) -> Value {
    let last = r.stderr.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("stderr does not end in JSON ({e}): {}", r.stderr))
}

fn path_of(id: &str) -> String {
    git_beads::model::id::blob_path(id)
}

fn ids_in(env: &Env, dir: &Path) -> std::collections::BTreeSet<String> {
    env.json(dir, &["list", "--all", "--limit", "0"]).as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn acknowledged_writes_survive_pack_refs_and_gc_running_beside_them() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    env.create(&dir, &["before"]);
    let stop = AtomicBool::new(false);
    const WRITERS: usize = 8;
    const EACH: usize = 25;
    let acknowledged: Vec<String> = std::thread::scope(|s| {
        let maintenance = [&["pack-refs", "--all"][..], &["maintenance", "run", "--task=pack-refs"][..], &["gc", "--quiet"][..]];
        for args in maintenance {
            let (env, dir, stop) = (&env, &dir, &stop);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _ = env.git_output(dir, args);
                }
            });
        }
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (env, dir) = (&env, &dir);
                s.spawn(move || (0..EACH).map(|i| env.run(dir, &["create", &format!("w{w} i{i}")])).collect::<Vec<_>>())
            })
            .collect();
        let runs: Vec<crate::common::Run> = writers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect();
        stop.store(true, Ordering::Relaxed);
        let failed: Vec<&crate::common::Run> = runs.iter().filter(|r| r.code != 0).collect();
        assert!(failed.is_empty(), "{} creates failed, the first: {}", failed.len(), failed[0].stderr);
        runs.iter().map(|r| r.stdout.trim().to_string()).collect()
    });
    assert_eq!(acknowledged.len(), WRITERS * EACH);
    let present = ids_in(&env, &dir);
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !present.contains(*id)).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged creates were lost: {lost:?}", lost.len(), acknowledged.len());
    assert_eq!(present.len(), WRITERS * EACH + 1);
    let fsck = env.git_output(&dir, &["fsck", "--no-dangling"]);
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stderr));
}

/// Starts `create` so that it blocks while it holds the ref lock: the
/// namespace's reflog is a FIFO nobody reads, and git-beads appends to the
/// reflog under the lock (`core.logAllRefUpdates=always`).
fn writer_stuck_in_the_lock(env: &Env, dir: &Path) -> (std::process::Child, PathBuf) {
    env.git(dir, &["config", "core.logAllRefUpdates", "always"]);
    let log = dir.join(".git/logs/refs/beads/heads/main");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(Command::new("mkfifo").arg(&log).status().unwrap().success());
    let child = env.command(dir, &["create", "stuck"]).spawn().unwrap();
    let lock = dir.join(".git/refs/beads/heads/main.lock");
    let t = Instant::now();
    while !lock.exists() {
        assert!(t.elapsed() < Duration::from_secs(10), "the writer never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
    (child, lock)
}

fn signal(pid: u32, sig: &str) {
    assert!(Command::new("kill").args(["-s", sig, &pid.to_string()]).status().unwrap().success());
}

#[test]
fn sigterm_and_sigint_in_the_middle_of_a_write_leave_no_lock_and_the_ref_unmoved() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["one"]);
    for (sig, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let before = env.tip(&dir, "refs/beads/heads/main");
        let (mut child, lock) = writer_stuck_in_the_lock(&env, &dir);
        signal(child.id(), sig);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{sig}");
        assert!(!lock.exists(), "SIG{sig} left {}", lock.display());
        assert_eq!(env.tip(&dir, "refs/beads/heads/main"), before, "SIG{sig}: the ref moved");
        std::fs::remove_file(dir.join(".git/logs/refs/beads/heads/main")).unwrap();
        env.create(&dir, &[&format!("after SIG{sig}")]);
    }
}

#[test]
fn a_lock_left_by_a_killed_writer_is_reported_at_once_and_unlock_removes_it() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["one"]);
    let (mut child, lock) = writer_stuck_in_the_lock(&env, &dir);
    // While its writer lives, the lock is in use: unlock keeps it.
    let kept = env.json(&dir, &["unlock"]);
    assert_eq!(kept[0]["in_use"], true, "{kept}");
    assert_eq!(kept[0]["removed"], false);
    assert!(lock.exists());
    signal(child.id(), "KILL");
    child.wait().unwrap();
    assert!(lock.exists(), "SIGKILL cannot clean up: the lock stays");
    std::fs::remove_file(dir.join(".git/logs/refs/beads/heads/main")).unwrap();
    // The next write names the lock, its age and what to do, within about
    // the second it takes to tell a stale lock from one being written.
    let t = Instant::now();
    let r = env.fails(&dir, &["create", "two", "--json"], 8);
    assert!(t.elapsed() < Duration::from_secs(4), "took {:?}", t.elapsed());
    let err = json_error(&r);
    assert_eq!(err["error"]["code"], "STALE_LOCK");
    assert_eq!(err["error"]["path"], lock.display().to_string());
    assert!(err["error"]["age_secs"].as_u64().is_some());
    assert!(err["error"]["hint"].as_str().unwrap().contains("git beads unlock"));
    let r = env.fails(&dir, &["create", "two"], 8);
    assert!(r.stderr.contains("main.lock is locked by a process that is gone"), "{}", r.stderr);
    assert!(!r.stderr.contains("many writers"), "{}", r.stderr);
    let removed = env.json(&dir, &["unlock"]);
    assert_eq!(removed[0]["removed"], true, "{removed}");
    assert!(!lock.exists());
    env.create(&dir, &["two"]);
    assert_eq!(env.json(&dir, &["unlock"]), serde_json::json!([]));
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

#[test]
fn a_ref_update_refused_for_permissions_fails_at_once_without_retrying() {
    if !is_root() {
        eprintln!("skipped: needs root to run the binary as another user");
        return;
    }
    use std::os::unix::process::CommandExt;
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["one"]);
    env.git(&dir, &["pack-refs", "--all"]);
    std::fs::write(
        env.path("home/.gitconfig"),
        std::fs::read_to_string(env.path("home/.gitconfig")).unwrap() + "[safe]\n\tdirectory = *\n",
    )
    .unwrap();
    // Everything readable by others, objects and the cache writable, the
    // refs directory not.
    let chmod = |mode: &str, p: &Path| assert!(Command::new("chmod").args(["-R", mode]).arg(p).status().unwrap().success());
    chmod("a+rX", env.root.path());
    chmod("a+w", &dir.join(".git/objects"));
    std::fs::create_dir_all(dir.join(".git/beads")).unwrap();
    chmod("a+w", &dir.join(".git/beads"));
    std::fs::create_dir_all(dir.join(".git/refs/beads/heads")).unwrap();
    chmod("a-w", &dir.join(".git/refs"));
    let t = Instant::now();
    let out = env.command(&dir, &["create", "two"]).uid(65534).gid(65534).output().unwrap();
    let took = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not update refs/beads/heads/main"), "{stderr}");
    assert!(stderr.contains("Permission denied"), "{stderr}");
    assert!(took < Duration::from_secs(2), "a permission error is not retried: took {took:?}");
    assert_eq!(ids_in(&env, &dir).len(), 1);
}

/// A TCP server that accepts connections and never answers.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming() {
            held.push(c);
        }
    });
    port
}

fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Whether process `pid` is still running (a zombie waiting to be reaped is not).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
}

#[test]
fn a_remote_that_hangs_ends_at_the_timeout_and_sigint_ends_the_git_child_too() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let port = silent_server();
    env.git(&dir, &["remote", "add", "origin", &format!("git://127.0.0.1:{port}/hang.git")]);
    env.create(&dir, &["local work"]);
    let before = env.tip(&dir, "refs/beads/heads/main");
    // The flag.
    let t = Instant::now();
    let r = env.fails(&dir, &["sync", "--timeout", "1s", "--json"], 6);
    assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
    let err = json_error(&r);
    assert_eq!(err["error"]["code"], "NETWORK_TIMEOUT", "{}", r.stderr);
    assert!(err["error"]["message"].as_str().unwrap().contains("git fetch origin"), "{}", r.stderr);
    // The setting.
    env.git(&dir, &["config", "beads.timeout", "1s"]);
    let t = Instant::now();
    let r = env.fails(&dir, &["sync"], 6);
    assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
    assert!(r.stderr.contains("did not finish within 1s"), "{}", r.stderr);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), before, "the local namespace is unchanged");
    env.git(&dir, &["config", "beads.timeout", "bogus"]);
    let r = env.fails(&dir, &["sync"], 4);
    assert!(r.stderr.contains("beads.timeout"), "{}", r.stderr);
    let r = env.fails(&dir, &["sync", "--timeout", "soon"], 2);
    assert!(r.stderr.contains("--timeout"), "{}", r.stderr);
    // SIGINT to git-beads alone (not its process group) ends its git fetch too.
    env.git(&dir, &["config", "beads.timeout", "0"]);
    let mut child = env.command(&dir, &["sync"]).spawn().unwrap();
    let t = Instant::now();
    let git = loop {
        if let Some(&g) = children_of(child.id()).first() {
            break g;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "sync never started git");
        std::thread::sleep(Duration::from_millis(10));
    };
    std::thread::sleep(Duration::from_millis(200));
    signal(child.id(), "INT");
    let t = Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(t.elapsed() < Duration::from_secs(4), "took {:?}", t.elapsed());
    let t = Instant::now();
    while running(git) {
        assert!(t.elapsed() < Duration::from_secs(5), "git fetch (pid {git}) outlived git-beads");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), before);
}

/// A bare remote on a file path and `n` clones set up for git-beads.
fn clones(env: &Env, n: usize) -> (PathBuf, Vec<PathBuf>) {
    let seed = env.repo("seed");
    let bare = env.path("remote.git");
    env.git(&env.path(""), &["clone", "-q", "--bare", seed.to_str().unwrap(), bare.to_str().unwrap()]);
    let dirs = (0..n)
        .map(|i| {
            let name = format!("clone{i}");
            env.git(&env.path(""), &["clone", "-q", bare.to_str().unwrap(), &name]);
            let dir = env.path(&name);
            env.ok(&dir, &["init", "--prefix", "bd"]);
            dir
        })
        .collect();
    (bare, dirs)
}

/// No byte that drives a terminal: ESC, BEL, CSI (C1) or a bidi override.
fn assert_inert(what: &str, s: &str) {
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{9d}', '\u{202e}', '\u{2066}'] {
        assert!(!s.contains(bad), "{what} shows {bad:?} raw:\n{s}");
    }
}

#[test]
fn terminal_escapes_from_a_collaborators_blob_never_reach_the_terminal() {
    let env = Env::unseeded();
    let (_, dirs) = clones(&env, 2);
    let (attacker, victim) = (&dirs[0], &dirs[1]);
    let target = env.create(attacker, &["Plain target"]);
    env.ok(attacker, &["sync"]);
    let hostile = "\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}31m\u{202e}";
    let blob = serde_json::json!({
        "format_version": 1,
        "id": "bd-evil",
        "title": format!("title {hostile}"),
        "description": format!("desc {hostile}"),
        "status": format!("open{hostile}"),
        "priority": 1,
        "issue_type": format!("bug{hostile}"),
        "assignee": format!("mallory{hostile}"),
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "labels": [format!("l{hostile}")],
        "dependencies": [{"id": target, "type": format!("blocks{hostile}")}],
        "comments": [{"id": format!("c{hostile}"), "author": format!("m{hostile}"), "text": format!("t{hostile}"), "created_at": "2026-01-01T00:00:00Z"}],
        format!("x-field{hostile}"): format!("v{hostile}"),
    });
    env.write_blob(attacker, &path_of("bd-evil"), (serde_json::to_string_pretty(&blob).unwrap() + "\n").as_bytes());
    env.ok(attacker, &["sync"]);
    env.ok(victim, &["sync"]);
    let commands: [&[&str]; 12] = [
        &["list"],
        &["list", "--all"],
        &["show", "bd-evil"],
        &["comments", "bd-evil"],
        &["dep", "tree", "bd-evil"],
        &["dep", "list", "bd-evil"],
        &["log", "bd-evil"],
        &["search", "title"],
        &["blocked"],
        &["ready"],
        &["stats"],
        &["label", "list-all"],
    ];
    for args in commands {
        let r = env.run(victim, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_inert(&format!("{args:?} stdout"), &r.stdout);
        assert_inert(&format!("{args:?} stderr"), &r.stderr);
        let mut j = args.to_vec();
        j.push("--json");
        let r = env.run(victim, &j);
        assert_eq!(r.code, 0, "{j:?}: {}", r.stderr);
        assert_inert(&format!("{j:?} stdout"), &r.stdout);
        // Escaped, and the text is still exactly the collaborator's.
        assert!(r.json().to_string().contains("\\u001b") || args[0] == "stats" || args[0] == "blocked" || args[0] == "ready");
    }
    let shown = env.json(victim, &["show", "bd-evil"]);
    assert_eq!(shown[0]["title"], format!("title {hostile}"));
    let export = env.ok(victim, &["export"]);
    assert_inert("export", &export);
    assert!(export.contains("\\u009b31m\\u202e"), "{export}");
}

#[test]
fn one_bad_remote_ref_holds_back_only_its_namespace() {
    let env = Env::unseeded();
    let (bare, dirs) = clones(&env, 2);
    let (a, b) = (&dirs[0], &dirs[1]);
    let from_a = env.create(a, &["from A"]);
    env.ok(a, &["sync"]);
    // Someone pushes refs that are not namespaces: one at a blob, one in a
    // layout version from the future.
    let blob = env.git_stdin(&bare, &["hash-object", "-w", "--stdin"], b"not a commit\n");
    env.git(&bare, &["update-ref", "refs/beads/heads/x", &blob]);
    let fmt = env.git_stdin(&bare, &["hash-object", "-w", "--stdin"], b"{\"format_version\": 9}\n");
    let tree = env.git_stdin(&bare, &["mktree"], format!("100644 blob {fmt}\tformat\n").as_bytes());
    let future = env.git(&bare, &["commit-tree", &tree, "-m", "from the future"]).trim().to_string();
    env.git(&bare, &["update-ref", "refs/beads/heads/future", &future]);
    let from_b = env.create(b, &["from B"]);
    for dir in [b, a] {
        let r = env.fails(dir, &["sync", "--json"], 6);
        let reports: Value = serde_json::from_str(&r.stdout).unwrap();
        let ns = reports[0]["namespaces"].as_array().unwrap();
        let by = |name: &str| ns.iter().find(|n| n["namespace"] == name).unwrap_or_else(|| panic!("{name} in {ns:?}")).clone();
        assert_eq!(by("refs/beads/heads/x")["action"], "held_back");
        assert!(by("refs/beads/heads/x")["warning"].as_str().unwrap().contains("does not point at a commit"), "{ns:?}");
        assert_eq!(by("refs/beads/heads/future")["action"], "held_back");
        assert!(by("refs/beads/heads/future")["warning"].as_str().unwrap().contains("format version 9"), "{ns:?}");
        let r = env.fails(dir, &["sync"], 6);
        assert!(r.stdout.contains("heads/x") && r.stderr.contains("refs/beads/heads/x"), "{}\n{}", r.stdout, r.stderr);
    }
    // The canonical namespace synced both ways all the same.
    for dir in [a, b] {
        let ids = ids_in(&env, dir);
        assert!(ids.contains(&from_a) && ids.contains(&from_b), "{ids:?}");
    }
    // Views in the clones are unaffected.
    env.ok(b, &["list"]);
    env.ok(b, &["proposals"]);
}

#[test]
fn a_clashing_branch_namespace_is_held_back_and_canonical_still_pushes() {
    let env = Env::unseeded();
    let (_, dirs) = clones(&env, 2);
    let (a, b) = (&dirs[0], &dirs[1]);
    env.create(a, &["on clash/x", "--ns", "clash/x"]);
    env.ok(a, &["sync"]);
    // B made `heads/clash` before fetching A's `heads/clash/x`.
    env.create(b, &["on clash", "--ns", "clash"]);
    let canonical = env.create(b, &["canonical from B"]);
    let r = env.fails(b, &["sync", "--json"], 6);
    let reports: Value = serde_json::from_str(&r.stdout).unwrap();
    let ns = reports[0]["namespaces"].as_array().unwrap();
    let clash = ns.iter().find(|n| n["namespace"] == "refs/beads/heads/clash").unwrap();
    assert_eq!(clash["action"], "held_back");
    assert!(clash["warning"].as_str().unwrap().contains("refs/beads/heads/clash/x"), "{clash}");
    let main = ns.iter().find(|n| n["namespace"] == "refs/beads/heads/main").unwrap();
    assert_eq!(main["action"], "pushed", "{ns:?}");
    env.ok(a, &["sync"]);
    assert!(ids_in(&env, a).contains(&canonical));
    // Again and again: the clash never blocks the rest.
    env.create(b, &["more from B"]);
    env.fails(b, &["sync"], 6);
    env.ok(a, &["sync"]);
    assert_eq!(ids_in(&env, a).len(), 2);
}

#[test]
fn five_clones_syncing_at_once_over_git_daemon_all_succeed() {
    let env = Env::unseeded();
    let served = env.path("served");
    std::fs::create_dir_all(&served).unwrap();
    let seed = env.repo("seed");
    env.git(&served, &["clone", "-q", "--bare", seed.to_str().unwrap(), "proj.git"]);
    let daemon = Daemon::start(&env, &served);
    let dirs: Vec<PathBuf> = (0..5)
        .map(|i| {
            let name = format!("c{i}");
            env.git(&env.path(""), &["clone", "-q", &daemon.url("proj.git"), &name]);
            let dir = env.path(&name);
            env.ok(&dir, &["init", "--prefix", "bd"]);
            dir
        })
        .collect();
    for round in 0..2 {
        let mut made = Vec::new();
        for (i, d) in dirs.iter().enumerate() {
            for k in 0..2 {
                made.push(env.create(d, &[&format!("round {round} clone {i} #{k}")]));
            }
        }
        let results: Vec<crate::common::Run> = std::thread::scope(|s| {
            let hs: Vec<_> = dirs.iter().map(|d| s.spawn(|| env.run(d, &["sync", "--json"]))).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in &results {
            assert_eq!(r.code, 0, "a sync racing four others failed:\n{}\n{}", r.stdout, r.stderr);
        }
        for d in &dirs {
            env.ok(d, &["sync"]);
        }
        let first = ids_in(&env, &dirs[0]);
        for d in &dirs {
            assert_eq!(ids_in(&env, d), first);
        }
        assert!(made.iter().all(|m| first.contains(m)));
    }
}

fn index_file(dir: &Path) -> PathBuf {
    let tree = String::from_utf8(
        Command::new("git").arg("-C").arg(dir).args(["rev-parse", "refs/beads/heads/main^{tree}"]).output().unwrap().stdout,
    )
    .unwrap();
    dir.join(".git/beads/cache").join(format!("{}.idx", tree.trim()))
}

#[test]
fn a_damaged_index_file_is_detected_and_rebuilt_never_believed() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let file = env.path("in.jsonl");
    // 400 real issues from br's export: an index of about 400 KB.
    let text = std::fs::read_to_string(crate::common::shared().join("data/br-export-2k.jsonl")).unwrap();
    std::fs::write(&file, text.lines().take(400).map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    env.ok(&dir, &["import", file.to_str().unwrap()]);
    let args = ["list", "--all", "--limit", "0", "--json"];
    let fresh = env.run_with(&dir, &args, None, &[("GIT_BEADS_NO_CACHE", "1")]).stdout;
    assert_eq!(env.run(&dir, &args).stdout, fresh);
    let path = index_file(&dir);
    let good = std::fs::read(&path).unwrap();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for trial in 0..100 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut bad = good.clone();
        let bit = (rng % (bad.len() as u64 * 8)) as usize;
        bad[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(&path, &bad).unwrap();
        let r = env.run(&dir, &args);
        assert_eq!(r.code, 0, "trial {trial}: {}", r.stderr);
        assert!(r.stdout == fresh, "trial {trial}: a flipped bit at {bit} changed the answer");
        // The damaged file was replaced by a good one.
        assert_eq!(std::fs::read(&path).unwrap(), good, "trial {trial}: not rebuilt");
    }
    // A delta is never derived from a damaged base: damage it, write, read.
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x10;
    std::fs::write(&path, &bad).unwrap();
    env.create(&dir, &["after the damage"]);
    let fresh = env.run_with(&dir, &args, None, &[("GIT_BEADS_NO_CACHE", "1")]).stdout;
    assert_eq!(env.run(&dir, &args).stdout, fresh);
    // A truncated file and a foreign one (another tree's index under this name).
    let path = index_file(&dir);
    let now = std::fs::read(&path).unwrap();
    std::fs::write(&path, &now[..now.len() / 3]).unwrap();
    assert_eq!(env.run(&dir, &args).stdout, fresh);
    std::fs::write(&path, &good).unwrap();
    assert_eq!(env.run(&dir, &args).stdout, fresh);
}

#[test]
fn tracking_proposal_and_unknown_namespaces_are_read_only_to_every_command() {
    let env = Env::unseeded();
    let (_, dirs) = clones(&env, 1);
    let dir = &dirs[0];
    let id = env.create(dir, &["one"]);
    env.ok(dir, &["sync"]);
    for ns in ["refs/beads/remotes/origin/heads/main", "remotes/origin/heads/main", "proposals/mine", "refs/beads/other"] {
        for args in [&["create", "x"][..], &["update", &id, "--title", "y"][..], &["close", &id][..], &["import", "-"][..]] {
            let mut a = vec!["--ns", ns, "--json"];
            a.extend_from_slice(args);
            let r = env.run_with(dir, &a, Some(b""), &[]);
            let err: Value = serde_json::from_str(&r.stderr).unwrap_or_else(|_| panic!("{a:?}: {}", r.stderr));
            assert_eq!(r.code, 4, "{a:?}: {}", r.stderr);
            assert_eq!(err["error"]["code"], "READ_ONLY", "{a:?}");
        }
    }
    env.ok(dir, &["sync"]);
    assert_eq!(ids_in(&env, dir).len(), 1);
}

#[test]
fn export_of_a_namespace_with_unreadable_issues_fails_and_names_them() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["fine"]);
    env.write_blob(&dir, "issues/x/x/bd-broken.json", b"{ not json");
    let r = env.fails(&dir, &["export"], 1);
    assert!(r.stdout.is_empty(), "nothing is written: {}", r.stdout);
    assert!(r.stderr.contains("the export would be incomplete") && r.stderr.contains("issues/x/x/bd-broken.json"), "{}", r.stderr);
    assert!(r.stderr.contains("--skip-unreadable"), "{}", r.stderr);
    let out = env.path("backup.jsonl");
    env.fails(&dir, &["export", "-o", out.to_str().unwrap()], 1);
    assert!(!out.exists(), "no partial backup is left");
    let lines = env.ok(&dir, &["export", "--skip-unreadable"]);
    assert_eq!(lines.lines().count(), 1);
}

#[test]
fn delete_force_removes_an_unreadable_issue() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let keep = env.create(&dir, &["fine"]);
    env.write_blob(&dir, &path_of("bd-broken"), b"{ not json");
    let preview = env.ok(&dir, &["delete", "bd-broken"]);
    assert!(preview.contains("would delete bd-broken"), "{preview}");
    env.ok(&dir, &["delete", "bd-broken", "--force"]);
    assert_eq!(
        env.git_output(&dir, &["cat-file", "-e", &format!("refs/beads/heads/main:{}", path_of("bd-broken"))]).status.code(),
        Some(128)
    );
    let r = env.run(&dir, &["list"]);
    assert!(!r.stderr.contains("skipped"), "{}", r.stderr);
    assert!(ids_in(&env, &dir).contains(&keep));
}

#[test]
fn a_damaged_layout_is_named_by_check_and_refused_by_writes() {
    // A garbage format blob is damage, not "a newer git-beads".
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["one"]);
    env.write_blob(&dir, "format", b"garbage\n");
    let r = env.fails(&dir, &["create", "two", "--json"], 1);
    let err = json_error(&r);
    assert_eq!(err["error"]["code"], "DAMAGED_NAMESPACE", "{}", r.stderr);
    assert!(!r.stderr.contains("newer"), "{}", r.stderr);
    let check = env.run(&dir, &["check", "--format", "json"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stdout.contains("damaged-namespace"), "{}", check.stdout);
    // An `issues` entry that is a blob: reads name it, writes refuse to replace it.
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["one"]);
    let fmt = env.git(&dir, &["rev-parse", "refs/beads/heads/main:format"]).trim().to_string();
    let blob = env.git_stdin(&dir, &["hash-object", "-w", "--stdin"], b"precious\n");
    let tree = env.git_stdin(&dir, &["mktree"], format!("100644 blob {fmt}\tformat\n100644 blob {blob}\tissues\n").as_bytes());
    let c = env.git(&dir, &["commit-tree", &tree, "-p", "refs/beads/heads/main", "-m", "hand"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &c]);
    let r = env.run(&dir, &["list"]);
    assert!(r.stderr.contains("the `issues` entry is a blob"), "{}", r.stderr);
    let r = env.fails(&dir, &["create", "two"], 1);
    assert!(r.stderr.contains("`issues` entry is a blob"), "{}", r.stderr);
    assert_eq!(env.git(&dir, &["rev-parse", "refs/beads/heads/main:issues"]).trim(), blob, "the blob is still there");
    let check = env.run(&dir, &["check", "--format", "json"]);
    assert!(check.stdout.contains("\"issues\""), "{}", check.stdout);
    // A tree with issues but no format blob.
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["one"]);
    let issues = env.git(&dir, &["rev-parse", "refs/beads/heads/main:issues"]).trim().to_string();
    let tree = env.git_stdin(&dir, &["mktree"], format!("040000 tree {issues}\tissues\n").as_bytes());
    let c = env.git(&dir, &["commit-tree", &tree, "-p", "refs/beads/heads/main", "-m", "hand"]).trim().to_string();
    env.git(&dir, &["update-ref", "refs/beads/heads/main", &c]);
    let check = env.run(&dir, &["check", "--format", "json"]);
    assert!(check.stdout.contains("missing-format"), "{}", check.stdout);
}

#[test]
fn hooks_uninstall_keeps_a_hook_edited_after_install() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.ok(&dir, &["hooks", "install"]);
    let hook = dir.join(".git/hooks/pre-push");
    let edited = std::fs::read_to_string(&hook).unwrap() + "\necho my own addition\n";
    std::fs::write(&hook, &edited).unwrap();
    let out = env.json(&dir, &["hooks", "uninstall"]);
    let pre_push = out["hooks"].as_array().unwrap().iter().find(|h| h["hook"] == "pre-push").unwrap().clone();
    assert!(pre_push["action"].as_str().unwrap().starts_with("kept"), "{out}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited);
    assert!(!dir.join(".git/hooks/commit-msg").exists(), "the untouched ones are removed");
    // install does not overwrite the edit either.
    let out = env.json(&dir, &["hooks", "install"]);
    assert!(out.to_string().contains("kept"), "{out}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited);
}

#[test]
fn log_in_a_shallow_clone_says_the_history_is_cut() {
    let env = Env::new();
    let up = env.beads_repo("up");
    let id = env.create(&up, &["one"]);
    env.ok(&up, &["update", &id, "--title", "two"]);
    env.ok(&up, &["update", &id, "--title", "three"]);
    let bare = env.path("up.git");
    env.git(&env.path(""), &["clone", "-q", "--bare", up.to_str().unwrap(), bare.to_str().unwrap()]);
    env.git(&bare, &["fetch", "-q", up.to_str().unwrap(), "+refs/beads/*:refs/beads/*"]);
    let url = format!("file://{}", bare.display());
    env.git(&env.path(""), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let sh = env.path("shallow");
    env.git(&sh, &["fetch", "-q", "--depth", "2", "origin", "+refs/beads/heads/*:refs/beads/remotes/origin/heads/*"]);
    env.ok(&sh, &["init"]);
    env.ok(&sh, &["sync", "--no-push"]);
    let r = env.run(&sh, &["log", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("shallow"), "{}", r.stderr);
    assert!(r.stdout.contains("three"), "{}", r.stdout);
}

#[test]
fn error_messages_are_whole_readable_and_bounded() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["fine"]);
    // A cause is printed once.
    env.write_blob(&dir, &path_of("bd-broken"), b"{ not json");
    let r = env.fails(&dir, &["show", "bd-broken"], 1);
    let r2 = env.run(&dir, &["list"]);
    for line in r.stderr.lines().chain(r2.stderr.lines()) {
        let parts: Vec<&str> = line.split(": ").collect();
        for w in parts.windows(2) {
            assert_ne!(w[0], w[1], "repeated cause in {line:?}");
        }
    }
    // An import's refused lines are lines, not `\n`.
    let file = env.path("bad.jsonl");
    std::fs::write(&file, "nope\nnope\n").unwrap();
    let r = env.fails(&dir, &["import", file.to_str().unwrap()], 4);
    assert!(!r.stderr.contains("\\n"), "{}", r.stderr);
    assert!(r.stderr.lines().any(|l| l.trim() == "line 1: not valid JSON for an issue: expected ident at line 1 column 2"), "{}", r.stderr);
    let r = env.fails(&dir, &["import", file.to_str().unwrap(), "--json"], 4);
    let err = json_error(&r);
    assert_eq!(err["error"]["lines"][1]["line"], 2, "{}", r.stderr);
    // A cycle through thousands of issues makes a short message.
    let n = 3000;
    let mut jsonl = String::new();
    for i in 0..n {
        let dep = if i + 1 < n {
            format!(",\"dependencies\":[{{\"issue_id\":\"bd-c{i}\",\"depends_on_id\":\"bd-c{}\",\"type\":\"blocks\"}}]", i + 1)
        } else {
            String::new()
        };
        jsonl.push_str(&format!("{{\"id\":\"bd-c{i}\",\"title\":\"c{i}\",\"created_at\":\"2026-01-01T00:00:00Z\"{dep}}}\n"));
    }
    std::fs::write(&file, jsonl).unwrap();
    env.ok(&dir, &["import", file.to_str().unwrap()]);
    let last = format!("bd-c{}", n - 1);
    let r = env.fails(&dir, &["dep", "add", &last, "bd-c0"], 5);
    assert!(r.stderr.len() < 2000, "{} bytes of error", r.stderr.len());
    assert!(r.stderr.contains("more"), "{}", r.stderr);
    let r = env.fails(&dir, &["dep", "add", &last, "bd-c0", "--json"], 5);
    let err = json_error(&r);
    assert_eq!(err["error"]["cycle_length"], n + 1);
    // A clock or seed that does not parse is an error, not ignored.
    let r = env.run_with(&dir, &["list"], None, &[("GIT_BEADS_NOW", "banana")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("GIT_BEADS_NOW"), "{}", r.stderr);
    let r = env.run_with(&dir, &["create", "x"], None, &[("GIT_BEADS_SEED", "forty-two")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_remote_name_is_never_read_as_a_git_option() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let bare = env.path("remote.git");
    env.git(&env.path(""), &["init", "-q", "--bare", bare.to_str().unwrap()]);
    let pwned = env.path("PWNED");
    let evil = format!("--upload-pack=touch {}", pwned.display());
    env.git(&dir, &["config", &format!("remote.{evil}.url"), bare.to_str().unwrap()]);
    for cmd in ["fetch", "sync", "push"] {
        let _ = env.run(&dir, &[cmd, "--", &evil]);
        assert!(!pwned.exists(), "`git beads {cmd}` ran an option smuggled in as a remote name");
    }
}
