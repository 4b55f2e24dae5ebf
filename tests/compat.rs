//! Command forms taken verbatim from bd's and br's agent instructions:
//! each works here, with the JSON shapes bd's callers parse.

use crate::common::Env;
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn dash_reads_standard_input_for_every_text_flag() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    for flag in ["--description=-", "--body-file=-", "--design=-", "--notes=-", "--acceptance=-"] {
        let r = env.run_with(&dir, &["create", "T", flag, "--silent"], Some(b"line one\nline two\n"), &[]);
        assert_eq!(r.code, 0, "{flag}: {}", r.stderr);
        let id = r.stdout.trim();
        let field = match flag {
            "--description=-" | "--body-file=-" => "description",
            "--design=-" => "design",
            "--notes=-" => "notes",
            _ => "acceptance_criteria",
        };
        assert_eq!(env.json(&dir, &["show", id])[0][field], json!("line one\nline two\n"), "{flag}");
    }
    // The separate-value form, and create --stdin.
    let r = env.run_with(&dir, &["create", "S", "--description", "-"], Some(b"spaced"), &[]);
    assert_eq!(env.json(&dir, &["show", r.stdout.trim()])[0]["description"], json!("spaced"));
    let r = env.run_with(&dir, &["create", "U", "--stdin"], Some(b"piped"), &[]);
    let id = r.stdout.trim().to_string();
    assert_eq!(env.json(&dir, &["show", &id])[0]["description"], json!("piped"));
    // update reads it too.
    for (flag, field) in
        [("--description", "description"), ("--notes", "notes"), ("--design", "design"), ("--acceptance", "acceptance_criteria")]
    {
        let r = env.run_with(&dir, &["update", &id, flag, "-"], Some(b"new text"), &[]);
        assert_eq!(r.code, 0, "{flag}: {}", r.stderr);
        assert_eq!(env.json(&dir, &["show", &id])[0][field], json!("new text"), "{flag}");
    }
}

#[test]
fn bad_standard_input_is_refused_and_writes_nothing() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let r = env.run_with(&dir, &["create", "T", "--description", "-"], Some(b""), &[]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--description -: standard input is empty"), "{}", r.stderr);
    let r = env.run_with(&dir, &["create", "T", "--notes=-"], Some(&[0xff, 0xfe, b'a']), &[]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--notes -: standard input is not UTF-8 text (first bad byte at offset 0)"), "{}", r.stderr);
    let r = env.run_with(&dir, &["create", "T", "--notes=-", "--design=-"], Some(b"x"), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("both ask for standard input"), "{}", r.stderr);
    assert_eq!(env.json(&dir, &["count"]), json!({"count": 0}));
}

#[test]
fn create_silent_and_dry_run() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["First"]);
    // --silent prints the ID alone, even with --json.
    let r = env.run(&dir, &["create", "Second", "--silent", "--json"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.trim().starts_with("bd-") && r.stdout.trim().lines().count() == 1, "{}", r.stdout);
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let d = env.json(&dir, &["create", "Third", "--deps", &a, "-p", "1", "--dry-run"]);
    assert_eq!((d["dry_run"].clone(), d["title"].clone(), d["priority"].clone()), (json!(true), json!("Third"), json!(1)));
    assert_eq!(d["dependencies"][0]["depends_on_id"], json!(a));
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip, "a dry run wrote nothing");
    assert!(env.ok(&dir, &["create", "Third", "--dry-run"]).starts_with("would create bd-"));
    // It makes the real checks: a missing dependency fails as it would.
    env.fails(&dir, &["create", "Fourth", "--deps", "bd-zzzz", "--dry-run"], 3);
    assert_eq!(env.json(&dir, &["count"]), json!({"count": 2}));
}

#[test]
fn parent_selects_an_epics_descendants_in_list_ready_and_blocked() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let epic = env.create(&dir, &["Epic", "-t", "epic"]);
    let c1 = env.create(&dir, &["Child one", "--parent", &epic]);
    let c2 = env.create(&dir, &["Child two", "--parent", &epic, "--deps", &c1]);
    let g = env.create(&dir, &["Grandchild", "--parent", &c1]);
    let other = env.create(&dir, &["Elsewhere"]);
    assert_eq!(sorted(ids(&env.json(&dir, &["list", "--parent", &epic]))), sorted(vec![c1.clone(), c2.clone(), g.clone()]));
    assert_eq!(ids(&env.json(&dir, &["ready", "--parent", &epic])), [g.clone()]);
    assert_eq!(sorted(ids(&env.json(&dir, &["blocked", "--parent", &epic]))), sorted(vec![c1.clone(), c2.clone()]));
    assert!(!ids(&env.json(&dir, &["list"])).is_empty() && ids(&env.json(&dir, &["list", "--parent", &c1])) == [g.clone()]);
    assert!(ids(&env.json(&dir, &["ready"])).contains(&other));
    // An unknown parent is an error, not an empty list.
    env.fails(&dir, &["list", "--parent", "bd-zzzz"], 3);
}

#[test]
fn list_filters_agents_use() {
    let mut env = Env::new();
    let dir = env.beads_repo("r");
    env.set("GIT_BEADS_NOW", "2026-03-01T00:00:00Z");
    let old = env.create(&dir, &["Old login bug", "-p", "0", "-d", "The OAuth redirect loops", "-a", "ann"]);
    env.set("GIT_BEADS_NOW", "2026-03-10T00:00:00Z");
    let new = env.create(&dir, &["New dashboard", "-p", "3", "-d", "Charts"]);
    let mid = env.create(&dir, &["Middle thing", "-p", "2"]);
    env.set("GIT_BEADS_NOW", "2026-03-11T00:00:00Z");
    let l = |args: &[&str]| sorted(ids(&env.json(&dir, &[&["list"], args].concat())));
    assert_eq!(l(&["--title", "login"]), [old.clone()]);
    assert_eq!(l(&["--title-contains", "DASH"]), [new.clone()]);
    assert_eq!(l(&["--desc-contains", "oauth"]), [old.clone()]);
    assert_eq!(l(&["--no-assignee"]), sorted(vec![new.clone(), mid.clone()]));
    assert_eq!(l(&["--priority-min", "2"]), sorted(vec![new.clone(), mid.clone()]));
    assert_eq!(l(&["--priority-max", "P2"]), sorted(vec![old.clone(), mid.clone()]));
    assert_eq!(l(&["--priority-min", "1", "--priority-max", "2"]), [mid.clone()]);
    assert_eq!(l(&["--created-after", "2026-03-05"]), sorted(vec![new.clone(), mid.clone()]));
    assert_eq!(l(&["--created-before", "2026-03-05"]), [old.clone()]);
    assert_eq!(l(&["--created-after", "3d"]), sorted(vec![new.clone(), mid.clone()]));
    assert_eq!(l(&["--updated-after", "2w"]), sorted(vec![old.clone(), new.clone(), mid.clone()]));
    assert_eq!(l(&["--updated-before", "yesterday"]), [old.clone()]);
    let r = env.fails(&dir, &["list", "--created-after", "soonish"], 2);
    assert!(r.stderr.contains("--created-after") && r.stderr.contains("7d ago"), "{}", r.stderr);
    // --long adds the dates, labels and the description under each row.
    let long = env.ok(&dir, &["list", "--long", "--title", "login"]);
    assert!(long.contains("    created 2026-03-01") && long.contains("    The OAuth redirect loops"), "{long}");
}

#[test]
fn show_long_update_append_notes_comment_and_dep_blocks() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A", "--notes", "first"]);
    let b = env.create(&dir, &["B"]);
    env.ok(&dir, &["update", &a, "--append-notes", "second"]);
    env.ok(&dir, &["update", &b, "--append-notes", "only"]);
    assert_eq!(env.json(&dir, &["show", &a])[0]["notes"], json!("first\nsecond"));
    assert_eq!(env.json(&dir, &["show", &b])[0]["notes"], json!("only"));
    // bd: `dep B --blocks A` means A depends on B.
    env.ok(&dir, &["dep", &b, "--blocks", &a]);
    let shown = &env.json(&dir, &["show", &a])[0];
    assert_eq!(shown["dependencies"][0]["id"], json!(b), "{shown}");
    assert_eq!(shown["dependencies"][0]["dependency_type"], json!("blocks"));
    assert_eq!(shown["dependencies"][0]["depends_on_id"], json!(b), "the beads fields stay");
    assert_eq!(env.json(&dir, &["show", &b])[0]["dependents"][0]["id"], json!(a));
    env.fails(&dir, &["dep", &b], 2);
    // `comment` is `comments add`.
    let c = env.json(&dir, &["comment", &a, "looks", "good"]);
    assert_eq!(c["text"], json!("looks good"));
    let long = env.ok(&dir, &["show", &a, "--long"]);
    assert!(long.contains("Namespace: refs/beads/heads/main (canonical)") && long.contains("Dependency records:"), "{long}");
}

#[test]
fn close_reopen_update_print_arrays_and_suggest_next() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A"]);
    let b = env.create(&dir, &["B", "--deps", &a]);
    let c = env.create(&dir, &["C", "--deps", &a]);
    let up = env.json(&dir, &["update", &a, "--claim"]);
    assert_eq!(
        (up[0]["id"].clone(), up[0]["status"].clone(), up[0]["issue_type"].clone()),
        (json!(a), json!("in_progress"), json!("task"))
    );
    let out = env.json(&dir, &["close", &a, "--suggest-next"]);
    assert_eq!(out["closed"][0]["id"], json!(a));
    assert_eq!(sorted(ids(&out["unblocked"])), sorted(vec![b.clone(), c.clone()]));
    let human = env.ok(&dir, &["close", &b, "--suggest-next"]);
    assert!(human.contains("Nothing new is ready."), "{human}");
    let re = env.json(&dir, &["reopen", &b]);
    assert_eq!((re[0]["id"].clone(), re[0]["status"].clone()), (json!(b), json!("open")));
    let closed = env.json(&dir, &["close", &b, &c]);
    assert_eq!(ids(&closed), [b.clone(), c.clone()]);
}

#[test]
fn count_by_forms_status_alias_and_sync_status() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["A", "-t", "bug"]);
    env.create(&dir, &["B", "-l", "x"]);
    for (flag, by) in [
        ("--by-status", "status"),
        ("--by-priority", "priority"),
        ("--by-type", "type"),
        ("--by-assignee", "assignee"),
        ("--by-label", "label"),
    ] {
        assert_eq!(env.json(&dir, &["count", flag]), env.json(&dir, &["count", "--by", by]), "{flag}");
    }
    env.fails(&dir, &["count", "--by-status", "--by-type"], 2);
    // bd's `status` is its stats.
    assert_eq!(env.json(&dir, &["status"]), env.json(&dir, &["stats"]));
    // The sync report moved to `sync --status`.
    let st = env.json(&dir, &["sync", "--status"]);
    assert_eq!(st[0]["namespace"], json!("refs/beads/heads/main"), "{st}");
    assert!(st[0]["state"].is_string(), "{st}");
}

#[test]
fn usage_errors_under_json_are_json() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    for args in [&["ready", "--bogus", "--json"][..], &["--json", "frobnicate"], &["--json", "update"]] {
        let r = env.run(&dir, args);
        assert_eq!(r.code, 2, "{args:?}");
        let v: Value = serde_json::from_str(r.stderr.trim()).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", r.stderr));
        assert_eq!(v["error"]["code"], json!("USAGE"), "{v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    // Without --json they stay clap's own.
    let r = env.run(&dir, &["ready", "--bogus"]);
    assert!(r.stderr.starts_with("error: unexpected argument '--bogus' found"), "{}", r.stderr);
    // --help is still help.
    assert_eq!(env.run(&dir, &["ready", "--help", "--json"]).code, 0);
}

#[test]
fn ready_in_a_clone_that_has_not_fetched_says_so() {
    let env = Env::new();
    let origin = env.beads_repo("origin");
    env.create(&origin, &["Work waiting upstream"]);
    let bare = env.path("up.git");
    env.git(&env.path(""), &["init", "-q", "--bare", bare.to_str().unwrap()]);
    env.git(&origin, &["push", "-q", bare.to_str().unwrap(), "refs/beads/*:refs/beads/*"]);
    let clone = env.path("clone");
    env.git(&env.path(""), &["clone", "-q", bare.to_str().unwrap(), clone.to_str().unwrap()]);
    for args in [&["ready"][..], &["list"], &["blocked"], &["count"]] {
        let r = env.run(&clone, &[args, &["--json"]].concat());
        assert_eq!(r.code, 6, "{args:?}: {}", r.stderr);
        let v: Value = serde_json::from_str(r.stderr.trim()).unwrap();
        assert_eq!(v["error"]["code"], json!("NOT_FETCHED"), "{v}");
        assert!(v["error"]["hint"].as_str().unwrap().contains("git beads sync origin"), "{v}");
    }
    // After a sync the work is there.
    env.ok(&clone, &["sync"]);
    assert_eq!(env.json(&clone, &["ready"])[0]["title"], json!("Work waiting upstream"));
}

#[test]
fn version_names_the_bd_level_first() {
    let env = Env::new();
    // No repository needed: beads-mcp runs it wherever it starts.
    let out = env.ok(&env.path(""), &["version"]);
    assert!(out.starts_with("bd command line 0.49.6 (implemented by git-beads "), "{out}");
    let v = env.json(&env.path(""), &["version"]);
    assert_eq!((v["version"].clone(), v["name"].clone()), (json!("0.49.6"), json!("git-beads")));
    assert_eq!(v["git_beads_version"], json!(env!("CARGO_PKG_VERSION")));
}
