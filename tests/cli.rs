//! End-to-end: the real binary in temporary repositories with a pinned
//! environment, comparing whole outputs. Every run also checks that the
//! working tree, the index and HEAD were left alone (see crate::common::Env::run).

use crate::common::Env;
use serde_json::json;

#[test]
fn init_is_idempotent_and_says_what_it_did() {
    let env = Env::new();
    let dir = env.repo("r");
    env.git(&dir, &["remote", "add", "origin", "/nonexistent/origin.git"]);
    let first = env.ok(&dir, &["init", "--prefix", "bd"]);
    let place = dir.canonicalize().unwrap();
    assert_eq!(
        first,
        format!(
            "git-beads set up in {}: prefix bd, canonical namespace refs/beads/heads/main\n  \
             set beads.canonical = main (canonical namespace refs/beads/heads/main)\n  \
             set beads.prefix = bd\n  \
             added fetch refspec +refs/beads/heads/*:refs/beads/remotes/origin/heads/* to remote origin\n  \
             added refs/beads/ to log.excludeDecoration\n",
            place.display()
        )
    );
    let second = env.json(&dir, &["init"]);
    assert_eq!(second["changed"], json!(false));
    assert_eq!(second["actions"], json!([]));
    assert_eq!(second["prefix"], json!("bd"));
    assert_eq!(env.git(&dir, &["config", "--get-all", "remote.origin.fetch"]).lines().count(), 2);
    assert_eq!(env.git(&dir, &["config", "--get-all", "log.excludeDecoration"]).trim(), "refs/beads/");
}

#[test]
fn init_infers_the_prefix_from_the_directory() {
    let env = Env::new();
    let dir = env.repo("My-Project_9");
    let out = env.json(&dir, &["init"]);
    assert_eq!(out["prefix"], json!("myprojec"));
}

#[test]
fn create_prints_only_the_id_and_list_shows_it() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Fix login timeout", "-p", "1", "-t", "bug", "-l", "backend,auth"]);
    assert_eq!(a, "bd-xf65");
    let b = env.create(&dir, &["Write docs", "-p", "P3", "--type", "docs", "-a", "alice"]);
    assert_eq!(b, "bd-9jef");
    assert_eq!(
        env.ok(&dir, &["list"]),
        "bd-xf65  P1  open        bug      Fix login timeout\nbd-9jef  P3  open        docs     Write docs  @alice\n"
    );
    let listed = env.json(&dir, &["list"]);
    assert_eq!(
        listed,
        json!([
            {"id":"bd-xf65","title":"Fix login timeout","status":"open","priority":1,"issue_type":"bug","created_at":"2026-01-02T03:04:05Z","created_by":"Test User","updated_at":"2026-01-02T03:04:05Z","labels":["auth","backend"],"dependency_count":0,"dependent_count":0,"namespace":"heads/main","visibility":"canonical"},
            {"id":"bd-9jef","title":"Write docs","status":"open","priority":3,"issue_type":"docs","assignee":"alice","created_at":"2026-01-02T03:04:05Z","created_by":"Test User","updated_at":"2026-01-02T03:04:05Z","dependency_count":0,"dependent_count":0,"namespace":"heads/main","visibility":"canonical"}
        ])
    );
}

#[test]
fn one_commit_per_mutation_with_summary_and_trailers() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Fix login timeout"]);
    env.ok(&dir, &["close", &a, "--reason", "fixed in abc"]);
    let log = env.git(&dir, &["log", "--format=%an <%ae>%n%B---", "refs/beads/heads/main"]);
    assert_eq!(
        log,
        "Test User <test@example.com>\nclose bd-xf65: Fix login timeout\n\nBeads-Op: close\nBeads-Issue: bd-xf65\nBeads-Reason: fixed in abc\n---\n\
         Test User <test@example.com>\ncreate bd-xf65: Fix login timeout\n\nBeads-Op: create\nBeads-Issue: bd-xf65\n---\n"
    );
    // --actor becomes the author (and the committer stays the git identity).
    env.ok(&dir, &["reopen", &a, "--actor", "agent-7"]);
    assert_eq!(env.git(&dir, &["log", "-1", "--format=%an|%cn", "refs/beads/heads/main"]).trim(), "agent-7|Test User");
}

#[test]
fn the_blob_is_canonical_and_laid_out_by_hash() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Fix login timeout", "-l", "z,a", "-d", "line1\nline2"]);
    let tree = env.git(&dir, &["ls-tree", "-r", "--name-only", "refs/beads/heads/main"]);
    assert_eq!(tree, "format\nissues/x/f/bd-xf65.json\n");
    assert_eq!(env.git(&dir, &["cat-file", "-p", "refs/beads/heads/main:format"]), "{\"format_version\": 1}\n");
    let blob = env.git(&dir, &["cat-file", "-p", &format!("refs/beads/heads/main:issues/x/f/{a}.json")]);
    assert_eq!(
        blob,
        "{\n  \"format_version\": 1,\n  \"id\": \"bd-xf65\",\n  \"title\": \"Fix login timeout\",\n  \"description\": \"line1\\nline2\",\n  \
         \"status\": \"open\",\n  \"priority\": 2,\n  \"issue_type\": \"task\",\n  \"created_at\": \"2026-01-02T03:04:05Z\",\n  \
         \"created_by\": \"Test User\",\n  \"updated_at\": \"2026-01-02T03:04:05Z\",\n  \"labels\": [\"a\",\"z\"]\n}\n"
    );
    // Saving the same state again is a no-op: no new commit.
    let tip = env.tip(&dir, "refs/beads/heads/main");
    env.ok(&dir, &["update", &a, "--priority", "2"]);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip);
}

#[test]
fn show_has_dependencies_dependents_and_comments() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Design the schema", "-p", "1"]);
    let b = env.create(&dir, &["Implement the schema", "--deps", &format!("blocks:{a}")]);
    env.ok(&dir, &["comments", "add", &b, "Waiting", "on", "design"]);
    let out = env.ok(&dir, &["show", &b]);
    assert_eq!(
        out,
        "bd-65ts: Implement the schema\nStatus: open   Priority: P2   Type: task\n\
         Created: 2026-01-02 03:04 by Test User   Updated: 2026-01-02 03:04\n\n\
         Depends on (1):\n  -> bd-xf65  [blocks]  open  Design the schema\n\n\
         Comments (1):\n  [2026-01-02 03:04] Test User:\n    Waiting on design\n"
    );
    let shown = env.json(&dir, &["show", &a]);
    assert_eq!(
        shown[0]["dependents"],
        json!([{"id":"bd-65ts","title":"Implement the schema","status":"open","priority":2,"dependency_type":"blocks"}])
    );
    let shown = env.json(&dir, &["show", &b]);
    assert_eq!(shown[0]["dependencies"][0]["depends_on_id"], json!("bd-xf65"));
    assert_eq!(shown[0]["dependencies"][0]["title"], json!("Design the schema"));
    assert_eq!(shown[0]["comments"][0]["text"], json!("Waiting on design"));
    assert_eq!(shown[0]["comments"][0]["author"], json!("Test User"));
}

#[test]
fn ready_and_blocked_follow_dependencies() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Design", "-p", "1"]);
    let b = env.create(&dir, &["Build", "--deps", &a]);
    let c = env.create(&dir, &["Notes", "--deps", &format!("related:{a}")]);
    let ids = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&env.json(&dir, &["ready"])), [a.clone(), c.clone()]);
    let blocked = env.json(&dir, &["blocked"]);
    assert_eq!(ids(&blocked), [b.clone()]);
    assert_eq!(blocked[0]["blocked_by"], json!([a]));
    assert_eq!(blocked[0]["blocked_by_count"], json!(1));
    assert_eq!(env.ok(&dir, &["blocked"]), format!("{b}  P2  open        task     Build  <- {a} (open)\n"));
    env.ok(&dir, &["close", &a]);
    // Same priority, same creation time: the smaller ID first.
    let mut both = [b.clone(), c.clone()];
    both.sort();
    assert_eq!(ids(&env.json(&dir, &["ready"])), both);
    assert_eq!(env.json(&dir, &["blocked"]), json!([]));
}

#[test]
fn epics_wait_for_their_children_and_blocked_parents_block_children() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let gate = env.create(&dir, &["Gate"]);
    let epic = env.create(&dir, &["Epic", "-t", "epic", "--deps", &gate]);
    let child = env.create(&dir, &["Child", "--parent", &epic]);
    assert_eq!(child, format!("{epic}.1"));
    let child2 = env.create(&dir, &["Child two", "--parent", &epic]);
    assert_eq!(child2, format!("{epic}.2"));
    let ids = |v: serde_json::Value| v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(env.json(&dir, &["ready"])), [gate.clone()]);
    let blocked = env.json(&dir, &["blocked", "--limit", "0"]);
    let reasons: Vec<(String, serde_json::Value)> =
        blocked.as_array().unwrap().iter().map(|x| (x["id"].as_str().unwrap().to_string(), x["blockers"].clone())).collect();
    assert!(reasons.contains(&(child.clone(), json!([{"reason":"parent","id":epic}]))), "{reasons:?}");
    env.ok(&dir, &["close", &gate]);
    // The epic is no longer blocked by the gate, but waits for its children.
    assert_eq!(ids(env.json(&dir, &["ready"])), [child.clone(), child2.clone()]);
    env.ok(&dir, &["close", &child, &child2]);
    assert_eq!(ids(env.json(&dir, &["ready"])), [epic.clone()]);
}

#[test]
fn claim_is_atomic_and_refuses_someone_elses_issue() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Task"]);
    let out = env.json(&dir, &["update", &a, "--claim", "--actor", "alice"]);
    assert_eq!(out[0]["assignee"], json!("alice"));
    assert_eq!(out[0]["status"], json!("in_progress"));
    let r = env.fails(&dir, &["update", &a, "--claim", "--actor", "bob"], 7);
    assert!(r.stderr.contains("Error: bd-xf65 is already claimed by alice"), "{}", r.stderr);
    // Claiming again as the holder is fine and changes nothing.
    let tip = env.tip(&dir, "refs/beads/heads/main");
    env.ok(&dir, &["update", &a, "--claim", "--actor", "alice"]);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip);
}

#[test]
fn update_changes_fields_and_labels() {
    let mut env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Task", "-l", "old,keep"]);
    env.set("GIT_BEADS_NOW", "2026-01-03T00:00:00Z");
    env.ok(
        &dir,
        &[
            "update",
            &a,
            "--title",
            "Renamed",
            "-s",
            "in-progress",
            "-p",
            "0",
            "-a",
            "carol",
            "--add-label",
            "new",
            "--remove-label",
            "old",
            "--notes",
            "n",
            "--due",
            "2026-02-01",
            "-e",
            "90",
        ],
    );
    let i = &env.json(&dir, &["show", &a])[0];
    assert_eq!(i["title"], json!("Renamed"));
    assert_eq!(i["status"], json!("in_progress"));
    assert_eq!(i["priority"], json!(0));
    assert_eq!(i["assignee"], json!("carol"));
    assert_eq!(i["labels"], json!(["keep", "new"]));
    assert_eq!(i["notes"], json!("n"));
    assert_eq!(i["due_at"], json!("2026-02-01T00:00:00Z"));
    assert_eq!(i["estimated_minutes"], json!(90));
    assert_eq!(i["updated_at"], json!("2026-01-03T00:00:00Z"));
    env.ok(&dir, &["update", &a, "--assignee", "", "--due", ""]);
    let i = &env.json(&dir, &["show", &a])[0];
    assert!(i.get("assignee").is_none() && i.get("due_at").is_none(), "{i}");
}

#[test]
fn close_keeps_closed_at_consistent_and_refuses_blocked_work() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["First"]);
    let b = env.create(&dir, &["Second", "--deps", &a]);
    let r = env.fails(&dir, &["close", &b], 4);
    assert!(r.stderr.contains(&format!("{b} is blocked by {a}")), "{}", r.stderr);
    assert!(r.stderr.contains("Hint: close what blocks it first, or use --force to go ahead anyway"), "{}", r.stderr);
    // Closing the blocker in the same command unblocks it.
    // bd's shape: an array of the issues, in full.
    let out = env.json(&dir, &["close", &a, &b, "-r", "done"]);
    let ids: Vec<&str> = out.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
    assert_eq!((out[1]["status"].clone(), out[1]["close_reason"].clone()), (json!("closed"), json!("done")));
    let i = &env.json(&dir, &["show", &b])[0];
    assert_eq!(
        (i["status"].clone(), i["closed_at"].clone(), i["close_reason"].clone()),
        (json!("closed"), json!("2026-01-02T03:04:05Z"), json!("done"))
    );
    let again = env.run(&dir, &["--json", "close", &b]);
    assert_eq!(again.code, 0);
    let again_json: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(again_json[0]["id"], json!(b));
    assert!(again.stderr.contains(&format!("{b} was already closed")), "{}", again.stderr);
    env.ok(&dir, &["reopen", &b, "-r", "not really"]);
    let i = &env.json(&dir, &["show", &b])[0];
    assert!(i.get("closed_at").is_none() && i.get("close_reason").is_none(), "{i}");
    assert_eq!(i["comments"][0]["text"], json!("Reopened: not really"));
}

#[test]
fn delete_previews_without_force() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Doomed"]);
    let b = env.create(&dir, &["Depends on doomed", "--deps", &a]);
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let preview = env.run(&dir, &["delete", &a]);
    assert_eq!(preview.code, 0);
    assert_eq!(preview.stdout, format!("would delete {a}\n  would remove dependency {b} -> {a} (blocks)\n"));
    assert!(preview.stderr.contains("preview only"));
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip, "a preview writes nothing");
    let out = env.json(&dir, &["delete", &a, "--force"]);
    assert_eq!(out["deleted"], json!([a]));
    assert_eq!(out["dependencies_removed"], json!(1));
    env.fails(&dir, &["show", &a], 3);
    assert!(env.json(&dir, &["show", &b])[0].get("dependencies").is_none());
    // Its history survives in git.
    let log = env.json(&dir, &["log", &a]);
    assert_eq!(log.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["deleted", "created"]);
}

#[test]
fn defer_hides_from_ready_until_undeferred() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Later"]);
    let b = env.create(&dir, &["Scheduled", "--defer", "+3d"]);
    let ids = |v: serde_json::Value| v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(env.json(&dir, &["ready"])), [a.clone()]);
    env.ok(&dir, &["defer", &a, "--until", "2026-03-01"]);
    let i = &env.json(&dir, &["show", &a])[0];
    assert_eq!((i["status"].clone(), i["defer_until"].clone()), (json!("deferred"), json!("2026-03-01T00:00:00Z")));
    assert_eq!(env.json(&dir, &["ready"]), json!([]));
    env.ok(&dir, &["undefer", &a]);
    assert_eq!(ids(env.json(&dir, &["ready"])), [a.clone()]);
    // Time passes: the scheduled issue becomes ready on its own.
    let later = env.run_with(&dir, &["ready", "--json"], None, &[("GIT_BEADS_NOW", "2026-01-06T00:00:00Z")]);
    let got: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    // Both are old now, and equally old: the smaller ID first.
    assert_eq!(ids(got), [b, a]);
}

#[test]
fn dependencies_add_remove_list_tree_and_refuse_cycles() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A"]);
    let b = env.create(&dir, &["B"]);
    let c = env.create(&dir, &["C"]);
    env.ok(&dir, &["dep", "add", &a, &b]);
    env.ok(&dir, &["dep", "add", &b, &c, "--type", "waits-for"]);
    let r = env.fails(&dir, &["dep", "add", &c, &a], 5);
    assert!(r.stderr.contains(&format!("would create a cycle: {c} -> {a} -> {b} -> {c}")), "{}", r.stderr);
    let r = env.fails(&dir, &["dep", "add", &a, &a], 5);
    assert!(r.stderr.contains("cannot depend on itself"), "{}", r.stderr);
    // Soft links may go both ways.
    env.ok(&dir, &["dep", "add", &c, &a, "--type", "related"]);
    assert_eq!(env.json(&dir, &["dep", "cycles"]), json!({"cycles": [], "count": 0}));
    assert_eq!(
        env.ok(&dir, &["dep", "tree", &a]),
        format!(
            "{a}  open  P2  A\n  [blocks] {b}  open  P2  B\n    [waits-for] {c}  open  P2  C\n      [related] {a}  open  P2  A  (cycle)\n"
        )
    );
    let list = env.json(&dir, &["dep", "list", &b, "--direction", "both"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let out = env.json(&dir, &["dep", "remove", &a, &b]);
    assert_eq!(out["status"], json!("removed"));
    let out = env.json(&dir, &["dep", "remove", &a, &b]);
    assert_eq!(out["status"], json!("not_found"));
    // A new parent is checked for cycles too.
    let child = env.create(&dir, &["Child", "--parent", &a]);
    let r = env.fails(&dir, &["update", &a, "--parent", &child], 5);
    assert!(r.stderr.contains("would create a cycle"), "{}", r.stderr);
    let r = env.fails(&dir, &["dep", "add", &a, &b, "--type", "likes"], 2);
    assert!(r.stderr.contains("unknown dependency type"), "{}", r.stderr);
}

#[test]
fn cycles_written_behind_the_tools_back_are_listed() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A"]);
    let b = env.create(&dir, &["B", "--deps", &a]);
    // Write a's blob by hand so it depends on b: a cycle dep add would refuse.
    let text = env.git(&dir, &["cat-file", "-p", &format!("refs/beads/heads/main:issues/x/f/{a}.json")]);
    let text = text.replace(
        "  \"updated_at\": \"2026-01-02T03:04:05Z\"\n",
        &format!("  \"updated_at\": \"2026-01-02T03:04:05Z\",\n  \"dependencies\": [\n    {{\"id\":\"{b}\",\"type\":\"blocks\"}}\n  ]\n"),
    );
    env.write_blob(&dir, &format!("issues/x/f/{a}.json"), text.as_bytes());
    // Cycles start at their smallest ID.
    assert_eq!(env.json(&dir, &["dep", "cycles"]), json!({"cycles": [[b, a, b]], "count": 1}));
}

#[test]
fn labels_and_comments() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A", "-l", "x"]);
    let b = env.create(&dir, &["B"]);
    let out = env.json(&dir, &["label", "add", &a, &b, "urgent"]);
    assert_eq!(out, json!([{"status":"added","issue_id":a,"label":"urgent"},{"status":"added","issue_id":b,"label":"urgent"}]));
    assert_eq!(env.json(&dir, &["label", "list", &a]), json!(["urgent", "x"]));
    assert_eq!(env.json(&dir, &["label", "list-all"]), json!([{"label":"urgent","count":2},{"label":"x","count":1}]));
    env.ok(&dir, &["label", "remove", &b, "-l", "urgent"]);
    assert_eq!(env.ok(&dir, &["label", "list-all"]), "urgent  1\nx       1\n");
    let r = env.fails(&dir, &["label", "add", &a, "a,b"], 4);
    assert!(r.stderr.contains("invalid label"), "{}", r.stderr);
    let c = env.json(&dir, &["comments", "add", &a, "first"]);
    assert_eq!((c["issue_id"].clone(), c["text"].clone()), (json!(a), json!("first")));
    let listed = env.json(&dir, &["comments", &a]);
    assert_eq!(listed[0]["text"], json!("first"));
}

#[test]
fn search_stats_count_stale() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Login page broken", "-t", "bug", "-d", "The OAuth redirect loops"]);
    let b = env.create(&dir, &["Dark mode", "-t", "feature", "-a", "alice"]);
    env.ok(&dir, &["close", &b]);
    let ids = |v: serde_json::Value| v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(env.json(&dir, &["search", "oauth"])), [a.clone()]);
    assert_eq!(ids(env.json(&dir, &["search", "DARK"])), [b.clone()]);
    assert_eq!(ids(env.json(&dir, &["search", "dark", "--status", "open"])), Vec::<String>::new());
    assert_eq!(env.json(&dir, &["count"]), json!({"count": 1}));
    assert_eq!(
        env.json(&dir, &["count", "--by", "type", "--all"]),
        json!({"total": 2, "groups": [{"group":"bug","count":1},{"group":"feature","count":1}]})
    );
    let stats = env.json(&dir, &["stats"]);
    assert_eq!(stats["summary"]["total_issues"], json!(2));
    assert_eq!(stats["summary"]["closed_issues"], json!(1));
    assert_eq!(stats["summary"]["ready_issues"], json!(1));
    let stale = env.run_with(&dir, &["stale", "--days", "30", "--json"], None, &[("GIT_BEADS_NOW", "2026-03-01T00:00:00Z")]);
    assert_eq!(ids(serde_json::from_str(&stale.stdout).unwrap()), [a.clone()]);
    assert_eq!(env.json(&dir, &["stale"]), json!([]));
}

#[test]
fn list_filters_and_sorts() {
    let mut env = Env::new();
    let dir = env.beads_repo("r");
    env.set("GIT_BEADS_NOW", "2026-01-01T00:00:00Z");
    let a = env.create(&dir, &["Alpha", "-p", "2", "-l", "x,y", "-t", "bug"]);
    env.set("GIT_BEADS_NOW", "2026-01-02T00:00:00Z");
    let b = env.create(&dir, &["beta", "-p", "1", "-l", "y", "-a", "bob"]);
    env.set("GIT_BEADS_NOW", "2026-01-03T00:00:00Z");
    let c = env.create(&dir, &["Gamma", "-p", "2"]);
    env.ok(&dir, &["close", &c]);
    let ids = |args: &[&str]| {
        let v = env.json(&dir, args);
        v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&["list"]), [b.clone(), a.clone()]);
    assert_eq!(ids(&["list", "--all"]), [b.clone(), c.clone(), a.clone()]);
    assert_eq!(ids(&["list", "--all", "--sort", "created"]), [c.clone(), b.clone(), a.clone()]);
    assert_eq!(ids(&["list", "--all", "--sort", "title"]), [a.clone(), b.clone(), c.clone()]);
    assert_eq!(ids(&["list", "--all", "--sort", "title", "-r"]), [c.clone(), b.clone(), a.clone()]);
    assert_eq!(ids(&["list", "--label", "x,y"]), [a.clone()]);
    assert_eq!(ids(&["list", "--label-any", "x,y"]), [b.clone(), a.clone()]);
    assert_eq!(ids(&["list", "--status", "closed"]), [c.clone()]);
    assert_eq!(ids(&["list", "--priority", "P1"]), [b.clone()]);
    assert_eq!(ids(&["list", "--type", "bug"]), [a.clone()]);
    assert_eq!(ids(&["list", "--assignee", "bob"]), [b.clone()]);
    assert_eq!(ids(&["list", "--title-contains", "ALP"]), [a.clone()]);
    assert_eq!(ids(&["list", "--all", "--limit", "1"]), [b.clone()]);
    assert_eq!(ids(&["list", "--all", "--limit", "0"]).len(), 3);
    let r = env.fails(&dir, &["list", "--sort", "colour"], 2);
    assert!(r.stderr.contains("invalid --sort"), "{}", r.stderr);
}

#[test]
fn ready_sort_policies() {
    let mut env = Env::new();
    let dir = env.beads_repo("r");
    env.set("GIT_BEADS_NOW", "2026-01-01T00:00:00Z");
    let old_low = env.create(&dir, &["old low", "-p", "3"]);
    env.set("GIT_BEADS_NOW", "2026-01-05T00:00:00Z");
    let old_high = env.create(&dir, &["old high", "-p", "0"]);
    env.set("GIT_BEADS_NOW", "2026-01-10T00:00:00Z");
    let new_mid = env.create(&dir, &["new mid", "-p", "2"]);
    let new_high = env.create(&dir, &["new high", "-p", "1"]);
    let ids = |args: &[&str]| {
        let v = env.json(&dir, args);
        v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&["ready"]), [new_high.clone(), new_mid.clone(), old_low.clone(), old_high.clone()]);
    assert_eq!(ids(&["ready", "--sort", "priority"]), [old_high.clone(), new_high.clone(), new_mid.clone(), old_low.clone()]);
    assert_eq!(ids(&["ready", "--sort", "oldest"]), [old_low.clone(), old_high.clone(), new_mid.clone(), new_high.clone()]);
    assert_eq!(ids(&["ready", "--limit", "2", "--sort", "oldest"]), [old_low, old_high]);
}

#[test]
fn ids_resolve_by_unique_prefix_and_ambiguity_lists_candidates() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    for n in 0..40 {
        env.create(&dir, &[&format!("issue {n}")]);
    }
    let all = env.json(&dir, &["list", "--limit", "0"]);
    let ids: Vec<String> = all.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
    // Find a one-character hash prefix shared by two IDs, and one that is unique.
    let hash = |id: &str| id.trim_start_matches("bd-").to_string();
    let mut by_first: std::collections::BTreeMap<char, Vec<String>> = Default::default();
    for id in &ids {
        by_first.entry(hash(id).chars().next().unwrap()).or_default().push(id.clone());
    }
    let (shared, group) = by_first.iter().find(|(_, v)| v.len() >= 2).expect("40 IDs share a first character somewhere");
    let r = env.fails(&dir, &["show", &shared.to_string()], 3);
    let mut expected = group.clone();
    expected.sort();
    assert!(r.stderr.contains(&format!("is ambiguous: it matches {}", expected.join(", "))), "{}", r.stderr);
    let j = env.run(&dir, &["show", &shared.to_string(), "--json"]);
    let err: serde_json::Value = serde_json::from_str(j.stderr.trim()).unwrap();
    assert_eq!(err["error"]["code"], json!("AMBIGUOUS_ID"));
    assert_eq!(err["error"]["candidates"], json!(expected));
    let target = &ids[0];
    let h = hash(target);
    let unique = (1..=h.len()).map(|k| &h[..k]).find(|p| ids.iter().filter(|i| hash(i).starts_with(p)).count() == 1).unwrap();
    assert_eq!(env.json(&dir, &["show", unique])[0]["id"], json!(target));
    assert_eq!(env.json(&dir, &["show", &format!("bd-{unique}")])[0]["id"], json!(target));
}

#[test]
fn works_from_subdirectories_worktrees_git_dir_and_as_git_subcommand() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Shared"]);
    std::fs::create_dir_all(dir.join("src/deep")).unwrap();
    assert_eq!(env.json(&dir.join("src/deep"), &["show", &a])[0]["id"], json!(a));
    // As `git beads`, with -C.
    let out = env.git(&env.path(""), &["-C", "r", "beads", "list", "--json"]);
    assert!(out.contains(&a), "{out}");
    let out = env.ok(&env.path(""), &["-C", "r", "show", &a, "--json"]);
    assert!(out.contains(&a));
    // A linked worktree shares the refs both ways.
    env.git(&dir, &["worktree", "add", "-q", "-b", "feature", "../wt"]);
    let wt = env.path("wt");
    assert_eq!(env.json(&wt, &["show", &a])[0]["id"], json!(a));
    // ...and writes there go to the worktree branch's namespace, reachable
    // from main by full ID but not listed there.
    let b = env.create(&wt, &["Made in the worktree"]);
    let shown = &env.json(&dir, &["show", &b])[0];
    assert_eq!((shown["title"].clone(), shown["namespace"].clone()), (json!("Made in the worktree"), json!("heads/feature")));
    assert!(!env.ok(&dir, &["list"]).contains(&b));
    assert!(env.ok(&wt, &["list"]).contains(&b));
    // GIT_DIR pointing at the repository from elsewhere.
    let r = env.run_with(&env.path(""), &["show", &a, "--json"], None, &[("GIT_DIR", &dir.join(".git").display().to_string())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A bare clone of the refs reads too.
    env.git(&env.path(""), &["clone", "-q", "--bare", dir.to_str().unwrap(), "bare.git"]);
    env.git(&env.path("bare.git"), &["fetch", "-q", dir.to_str().unwrap(), "+refs/beads/*:refs/beads/*"]);
    assert_eq!(env.json(&env.path("bare.git"), &["show", &a])[0]["id"], json!(a));
}

#[test]
fn quick_capture_prints_the_id() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let id = env.ok(&dir, &["q", "Remember", "to", "rotate", "keys", "-p", "1"]);
    assert_eq!(id, "bd-xf65\n");
    assert_eq!(env.json(&dir, &["show", "bd-xf65"])[0]["title"], json!("Remember to rotate keys"));
}

#[test]
fn no_arguments_prints_a_short_status() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.create(&dir, &["One"]);
    let out = env.ok(&dir, &[]);
    assert!(out.starts_with("refs/beads/heads/main: 1 open, 0 in progress, 1 ready, 0 blocked, 0 closed\n"), "{out}");
}

#[test]
fn history_of_one_issue() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Tracked"]);
    let _other = env.create(&dir, &["Other"]);
    env.ok(&dir, &["update", &a, "-p", "0"]);
    env.ok(&dir, &["close", &a]);
    let log = env.json(&dir, &["log", &a]);
    let kinds: Vec<(&str, &str)> =
        log.as_array().unwrap().iter().map(|e| (e["kind"].as_str().unwrap(), e["summary"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [("modified", "close bd-xf65: Tracked"), ("modified", "update bd-xf65: Tracked"), ("created", "create bd-xf65: Tracked")]
    );
    assert_eq!(log[1]["fields"], json!(["priority"]));
    assert_eq!(log[0]["fields"], json!(["closed_at", "status"]));
}
