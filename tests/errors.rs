//! Bad input gets a clear error and loses nothing.

use crate::common::Env;
use serde_json::json;

#[test]
fn outside_a_repository() {
    let env = Env::new();
    let dir = env.path("plain");
    std::fs::create_dir_all(&dir).unwrap();
    let r = env.fails(&dir, &["list"], 1);
    assert!(r.stderr.starts_with("Error: not a git repository"), "{}", r.stderr);
    assert!(r.stderr.contains("Hint: run git-beads inside a git repository"), "{}", r.stderr);
    let r = env.fails(&dir, &["list", "--json"], 1);
    let e: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(e["error"]["code"], json!("NOT_A_REPOSITORY"));
    assert_eq!(r.stdout, "");
}

#[test]
fn reads_and_writes_need_init() {
    let env = Env::new();
    let dir = env.repo("r");
    // "No issues" would be a lie where git-beads was never set up.
    let r = env.fails(&dir, &["list", "--json"], 1);
    assert!(r.stderr.contains("\"code\":\"NOT_INITIALIZED\""), "{}", r.stderr);
    // The overview still says what to do.
    assert!(env.ok(&dir, &[]).contains("run `git beads init`"));
    let r = env.fails(&dir, &["create", "x"], 1);
    assert_eq!(r.stderr, "Error: git-beads is not initialized in this repository\nHint: run `git beads init` first\n");
}

#[test]
fn unknown_ids() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["One"]);
    let r = env.fails(&dir, &["show", "bd-zzzz"], 3);
    assert_eq!(r.stderr, "Error: issue bd-zzzz not found in refs/beads/heads/main\nHint: `git beads list --all` shows every ID\n");
    env.fails(&dir, &["close", "nope"], 3);
    env.fails(&dir, &["update", "bd-zzzz", "-p", "1"], 3);
    env.fails(&dir, &["dep", "add", "bd-xf65", "bd-zzzz"], 3);
    let r = env.fails(&dir, &["show", "bd/../x"], 3);
    assert!(r.stderr.contains("not found"), "{}", r.stderr);
}

#[test]
fn invalid_field_values_are_named() {
    let mut env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["One"]);
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let cases: &[(&[&str], &str)] = &[
        (&["create", "x", "-p", "7"], "invalid priority \"7\": expected 0-4 or P0-P4"),
        (&["create", "x", "-p", "high"], "invalid priority \"high\""),
        (&["create", "x", "-t", "story"], "invalid issue type \"story\": expected one of bug, feature, task, epic, chore, docs, question"),
        (
            &["update", &a, "-s", "done"],
            "invalid status \"done\": expected one of open, in_progress, blocked, deferred, closed, pinned, tombstone",
        ),
        (&["create", "x", "--due", "someday"], "invalid date or time \"someday\""),
        (&["defer", &a, "--until", "2026-02-30"], "invalid date or time \"2026-02-30\""),
        (&["create", "   "], "the title is empty"),
        (&["list", "-p", "9"], "invalid priority \"9\""),
    ];
    for (args, msg) in cases {
        let r = env.fails(&dir, args, 4);
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
    }
    let long = "é".repeat(501);
    let r = env.fails(&dir, &["create", &long], 4);
    assert!(r.stderr.contains("the title is 501 characters long; at most 500 are allowed"), "{}", r.stderr);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip, "nothing was written");
    let ok = "é".repeat(500);
    env.create(&dir, &[&ok]);
    // Custom statuses and types once configured.
    env.git(&dir, &["config", "beads.customStatus", "review,qa"]);
    env.git(&dir, &["config", "beads.customType", "story"]);
    env.ok(&dir, &["update", &a, "-s", "review"]);
    env.create(&dir, &["As a user", "-t", "story"]);
    env.set("GIT_BEADS_NOW", "2026-01-02T03:04:05Z");
    assert_eq!(env.json(&dir, &["show", &a])[0]["status"], json!("review"));
}

#[test]
fn huge_and_binary_text() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let big = env.path("big.txt");
    std::fs::write(&big, "x".repeat(300 * 1024)).unwrap();
    let r = env.fails(&dir, &["create", "Big", "-f", big.to_str().unwrap()], 4);
    assert!(r.stderr.contains("invalid description: it is 307200 bytes long; at most 262144 are allowed"), "{}", r.stderr);
    let bin = env.path("bin.dat");
    std::fs::write(&bin, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let r = env.fails(&dir, &["create", "Bin", "-f", bin.to_str().unwrap()], 4);
    assert!(r.stderr.contains("is not UTF-8 text (first bad byte at offset 0)"), "{}", r.stderr);
    // NUL and other control characters are stored and shown escaped.
    let nul = env.path("nul.txt");
    std::fs::write(&nul, "a\u{0}b").unwrap();
    let a = env.create(&dir, &["Nul", "-f", nul.to_str().unwrap()]);
    assert_eq!(env.json(&dir, &["show", &a])[0]["description"], json!("a\u{0}b"));
    assert!(env.ok(&dir, &["show", &a]).contains("a\\x00b"));
    let r = env.fails(&dir, &["import", bin.to_str().unwrap()], 4);
    assert!(r.stderr.contains("is not UTF-8"), "{}", r.stderr);
}

#[test]
fn terminal_escapes_in_titles_are_not_replayed() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let evil = "Clear \u{1b}[2J\u{1b}]0;owned\u{7} screen \u{9b}31m \u{202e}olleh";
    let a = env.create(&dir, &[evil, "-a", "eve\u{1b}[31m"]);
    for args in [vec!["list"], vec!["ready"], vec!["show", a.as_str()], vec!["search", "clear"]] {
        let out = env.ok(&dir, &args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{9b}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
        assert!(out.contains("Clear \\x1b[2J\\x1b]0;owned\\x07 screen \\x9b31m \\u{202e}olleh"), "{args:?}: {out:?}");
    }
    let out = env.ok(&dir, &["list", "--json"]);
    assert!(!out.contains('\u{1b}'), "JSON escapes control characters");
    assert_eq!(env.json(&dir, &["show", &a])[0]["title"], json!(evil), "the stored title is exact");
    // Error messages are cleaned as well.
    let r = env.fails(&dir, &["show", "bd-\u{1b}[31m"], 3);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
}

#[test]
fn a_malformed_blob_is_named_and_everything_else_still_lists() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Good one"]);
    env.write_blob(&dir, "issues/x/y/bd-xybad.json", b"{ not json");
    let blob = env.git(&dir, &["rev-parse", "refs/beads/heads/main:issues/x/y/bd-xybad.json"]).trim().to_string();
    let r = env.run(&dir, &["list"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, format!("{a}  P2  open        task     Good one\n"));
    assert!(
        r.stderr.contains(&format!(
            "warning: skipped issues/x/y/bd-xybad.json in refs/beads/heads/main (blob {blob}): not valid JSON for an issue"
        )),
        "{}",
        r.stderr
    );
    let shown = env.fails(&dir, &["show", "bd-xybad"], 1);
    assert!(
        shown.stderr.contains(&format!("issue bd-xybad in refs/beads/heads/main cannot be read: blob {blob} at issues/x/y/bd-xybad.json")),
        "{}",
        shown.stderr
    );
    assert!(shown.stderr.contains(&format!("Hint: inspect it with `git cat-file -p {blob}`")), "{}", shown.stderr);
    // Writing to it refuses and leaves it alone; writing elsewhere keeps it.
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let r = env.fails(&dir, &["update", "bd-xybad", "-p", "1"], 1);
    assert!(r.stderr.contains("cannot be read"), "{}", r.stderr);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip);
    env.ok(&dir, &["update", &a, "-p", "1"]);
    assert_eq!(
        env.git(&dir, &["rev-parse", "refs/beads/heads/main:issues/x/y/bd-xybad.json"]).trim(),
        blob,
        "the bad blob is kept as it was"
    );
    let stats = env.json(&dir, &["stats"]);
    assert_eq!(stats["invalid_blobs"], json!(1));
}

#[test]
fn an_unknown_format_version_in_a_blob_is_refused_by_name() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Good one"]);
    let future = b"{\n  \"format_version\": 2,\n  \"id\": \"bd-fut1\",\n  \"title\": \"From the future\",\n  \"created_at\": \"2026-01-01T00:00:00Z\"\n}\n";
    env.write_blob(&dir, "issues/f/u/bd-fut1.json", future);
    let r = env.run(&dir, &["list", "--json"]);
    assert_eq!(r.code, 0);
    let listed: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], json!(a));
    assert!(r.stderr.contains("unknown format version 2 (this git-beads reads version 1)"), "{}", r.stderr);
    let r = env.fails(&dir, &["show", "bd-fut1"], 1);
    assert!(r.stderr.contains("unknown format version 2"), "{}", r.stderr);
}

#[test]
fn an_unknown_namespace_format_is_refused_whole() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["One"]);
    env.write_blob(&dir, "format", b"{\"format_version\": 7}\n");
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let r = env.fails(&dir, &["list"], 1);
    assert!(r.stderr.contains("namespace refs/beads/heads/main uses format version 7; this git-beads reads version 1"), "{}", r.stderr);
    assert!(r.stderr.contains("Hint: this namespace was written by a newer git-beads"), "{}", r.stderr);
    env.fails(&dir, &["create", "x"], 1);
    // Not even by exact ID, which needs no index.
    env.fails(&dir, &["update", "bd-xf65", "--title", "x"], 1);
    env.fails(&dir, &["comments", "add", "bd-xf65", "hello"], 1);
    env.fails(&dir, &["label", "add", "bd-xf65", "l"], 1);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip, "nothing is written over a newer format");
}

#[test]
fn a_blob_under_the_wrong_name_is_refused() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Real"]);
    let text = env.git(&dir, &["cat-file", "-p", &format!("refs/beads/heads/main:issues/x/f/{a}.json")]);
    env.write_blob(&dir, "issues/z/z/bd-zzcopy.json", text.as_bytes());
    let r = env.run(&dir, &["list", "--json"]);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert!(r.stderr.contains("its path names another issue"), "{}", r.stderr);
}

#[test]
fn import_reports_every_bad_line_and_imports_nothing() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let file = env.path("bad.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"bd-1\",\"title\":\"ok\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n\
         not json\n\
         {\"id\":\"bd-2\",\"title\":\"\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n\
         <<<<<<< HEAD\n\
         {\"id\":\"bd-1\",\"title\":\"again\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    let r = env.fails(&dir, &["import", file.to_str().unwrap()], 4);
    assert!(r.stderr.contains("4 lines of bad.jsonl cannot be imported; nothing was imported"), "{}", r.stderr);
    for needle in [
        "line 2: not valid JSON",
        "line 3:",
        "title is empty",
        "line 4: a merge conflict marker",
        "line 5: issue bd-1 appears again (first on line 1)",
    ] {
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
    }
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), None);
}

#[test]
fn bad_usage_exits_2() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.fails(&dir, &["frobnicate"], 2);
    env.fails(&dir, &["create"], 2);
    env.fails(&dir, &["ready", "--sort", "random"], 2);
    env.fails(&dir, &["count", "--by", "colour"], 2);
    env.fails(&dir, &["search", " "], 2);
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    for n in 0..30 {
        env.create(&dir, &[&format!("issue {n} {}", "x".repeat(400))]);
    }
    let mut c = std::process::Command::new(crate::common::bin());
    c.env_clear();
    for (k, v) in &env.vars {
        c.env(k, v);
    }
    c.current_dir(&dir).args(["list", "--limit", "0"]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn update_without_changes_is_a_usage_error() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["One"]);
    let r = env.fails(&dir, &["update", &a], 2);
    assert!(r.stderr.contains("nothing to update"), "{}", r.stderr);
}

#[test]
fn far_future_dates_are_refused_not_wrapped() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["One"]);
    for when in ["+99999999w", "+5000000d", "12000-01-01"] {
        let r = env.fails(&dir, &["update", &a, "--due", when], 4);
        assert!(r.stderr.contains("invalid date or time"), "{when}: {}", r.stderr);
    }
    env.ok(&dir, &["update", &a, "--due", "9999-12-31"]);
    assert_eq!(env.json(&dir, &["show", &a])[0]["due_at"], "9999-12-31T00:00:00Z");
}

#[test]
fn an_empty_id_matches_nothing() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Only one"]);
    for args in [vec!["close", ""], vec!["show", " "], vec!["delete", "", "--force"], vec!["update", "", "-p", "1"]] {
        let r = env.fails(&dir, &args, 4);
        assert!(r.stderr.contains("invalid issue ID \"\": it is empty"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(env.json(&dir, &["show", &a])[0]["status"], "open");
}

#[test]
fn child_numbering_cannot_overflow() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let file = env.path("kids.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"bd-abcd\",\"title\":\"parent\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n{\"id\":\"bd-abcd.18446744073709551615\",\"title\":\"last child\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    env.ok(&dir, &["import", file.to_str().unwrap()]);
    let r = env.fails(&dir, &["create", "one more", "--parent", "bd-abcd"], 4);
    assert!(r.stderr.contains("no free ID is left under bd-abcd"), "{}", r.stderr);
}

#[test]
fn import_never_overwrites_an_unreadable_blob() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let future = b"{\n  \"format_version\": 2,\n  \"id\": \"bd-fut1\",\n  \"title\": \"From the future\",\n  \"created_at\": \"2026-01-01T00:00:00Z\"\n}\n";
    env.create(&dir, &["One"]);
    env.write_blob(&dir, "issues/f/u/bd-fut1.json", future);
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let file = env.path("in.jsonl");
    std::fs::write(&file, "{\"id\":\"bd-fut1\",\"title\":\"older\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n").unwrap();
    let r = env.fails(&dir, &["import", file.to_str().unwrap()], 1);
    assert!(
        r.stderr.contains("issue bd-fut1 in refs/beads/heads/main cannot be read") && r.stderr.contains("nothing was imported"),
        "{}",
        r.stderr
    );
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip);
}

#[test]
fn q_on_a_branch_never_reuses_an_id_the_canonical_namespace_has() {
    // What `q` draws on a fresh branch namespace with this seed...
    let env = Env::new();
    let probe = env.beads_repo("probe");
    env.git(&probe, &["checkout", "-q", "-b", "feature"]);
    let drawn = env.ok(&probe, &["q", "first", "idea"]).trim().to_string();
    // ...is taken in another repository's canonical namespace first.
    let dir = env.beads_repo("r");
    env.ok(&dir, &["create", "Canonical one", "--id", &drawn]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    let got = env.ok(&dir, &["q", "first", "idea"]).trim().to_string();
    assert_ne!(got, drawn, "q drew an ID the canonical namespace already has");
    let shown = env.json(&dir, &["show", &drawn]);
    assert_eq!(shown[0]["title"], "Canonical one", "the ID names one issue");
}

#[test]
fn a_namespace_name_with_quotes_gives_valid_json() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    for name in ["a\"b", "x\"\"y"] {
        let blocker = env.create(&dir, &[&format!("blocker in {name}"), "--ns", name]);
        let id = env.create(&dir, &[&format!("quoted in {name}"), "--ns", name, "--deps", &blocker]);
        for args in [&["list", "--all-ns"][..], &["ready", "--all-ns"][..], &["show", &id][..], &["blocked", "--all-ns"][..]] {
            let rows = env.json(&dir, args);
            let text = rows.to_string();
            assert!(text.contains(&serde_json::to_string(&format!("heads/{name}")).unwrap()), "{args:?}: {text}");
        }
    }
}

/// A ref update refused by the file system (a read-only `refs/beads/heads`,
/// as a user who cannot write there) ends at once with a clear error: a
/// compare-and-swap retries a lost swap, never a permission error.
#[test]
fn a_ref_update_refused_for_permissions_ends_at_once_with_a_clear_error() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["One"]);
    let heads = dir.join(".git/refs/beads/heads");
    let root = running_as_root();
    let mut cmd = if root {
        // As root every write is allowed: run as `nobody` on files it owns,
        // except the directory the lock goes in.
        let status = std::process::Command::new("chown").args(["-R", "65534:65534"]).arg(env.root.path()).status().unwrap();
        assert!(status.success());
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(crate::common::bin());
        c
    } else {
        std::process::Command::new(crate::common::bin())
    };
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&heads, std::fs::Permissions::from_mode(0o555)).unwrap();
    cmd.env_clear();
    for (k, v) in &env.vars {
        cmd.env(k, v);
    }
    let started = std::time::Instant::now();
    let out = cmd.current_dir(&dir).args(["--json", "create", "Two"]).output().unwrap();
    let took = started.elapsed();
    std::fs::set_permissions(&heads, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let err: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(err["error"]["code"], "REF_UPDATE_FAILED", "{err}");
    let causes = err["error"]["causes"].to_string();
    assert!(causes.contains("master.lock") || causes.contains("main.lock"), "{causes}");
    assert!(causes.contains("Permission denied"), "{causes}");
    assert!(took < std::time::Duration::from_secs(2), "gave up only after {took:?}: retried a permission error");
    assert_eq!(env.json(&dir, &["list"]).as_array().unwrap().len(), 1, "nothing was written");
}

/// Whether this process runs as root (`id -u`, without libc).
fn running_as_root() -> bool {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}
