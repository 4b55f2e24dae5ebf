//! `check` on real commits between real revisions, as CI runs it, and
//! `close-from-commits` after a merge.

use crate::common::Env;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A commit on the current branch with `message` (and a file change, as real work has).
fn commit(env: &Env, dir: &Path, message: &str) -> String {
    let n = std::fs::read_dir(dir).unwrap().count();
    std::fs::write(dir.join(format!("work-{n}.txt")), message).unwrap();
    env.git(dir, &["add", "."]);
    env.git(dir, &["commit", "-q", "-m", message]);
    env.git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

fn rules(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["issue"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn check_json(env: &Env, dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--json"];
    all.extend_from_slice(args);
    let r = env.run(dir, &all);
    (r.code, r.json())
}

#[test]
fn a_good_pull_request_passes_and_a_bad_one_fails_on_the_right_commits() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let design = env.create(&dir, &["Design the schema"]);
    let build = env.create(&dir, &["Build it", "--deps", &design]);
    let docs = env.create(&dir, &["Document it"]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    commit(&env, &dir, &format!("Write the docs\n\nCloses: {docs}"));
    commit(&env, &dir, &format!("Start the build [{build}]\n\nRefs: JIRA-12, #7"));
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["passed"], json!(true));
    assert_eq!(report["range"], json!("main..HEAD"));
    assert_eq!(report["commits"].as_array().unwrap().len(), 2);
    assert_eq!(report["commits"][1]["mentions"], json!([{"id": build, "kind": "bracket"}]), "JIRA-12 and #7 are not issues");
    let human = env.ok(&dir, &["check"]);
    assert!(human.ends_with("check passed: 1 namespace, 3 issues, 2 commits (main..HEAD); 0 errors, 0 warnings\n"), "{human}");

    // A commit closing blocked work, and one naming an issue that does not exist.
    let blocked_at = commit(&env, &dir, &format!("Finish the build\n\nFixes: {build}"));
    let missing_at = commit(&env, &dir, "Tidy up\n\nCloses: bd-zzzz");
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), [("closes-blocked".to_string(), build.clone()), ("missing-issue".into(), "bd-zzzz".into())]);
    assert_eq!(report["findings"][0]["commit"], json!(blocked_at));
    assert_eq!(report["findings"][1]["commit"], json!(missing_at));
    assert!(report["findings"][0]["message"].as_str().unwrap().contains(&format!("still blocked by {design} (open)")), "{report}");

    // GitHub annotations name the commit.
    let r = env.run(&dir, &["check", "--format", "github"]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "::error title=git-beads closes-blocked in commit {}::commit {}",
            &blocked_at[..12],
            &blocked_at[..12]
        )),
        "{}",
        r.stdout
    );
    assert!(lines[1].starts_with(&format!("::error title=git-beads missing-issue in commit {}::", &missing_at[..12])), "{}", r.stdout);

    // JUnit: one case per commit, failures on the two bad ones.
    let r = env.run(&dir, &["check", "--format", "junit"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("<testsuites name=\"git-beads check\" tests=\"5\" failures=\"2\">"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("<failure ").count(), 2);
    assert_eq!(r.stdout.matches("<testcase ").count(), r.stdout.matches("</testcase>").count() + r.stdout.matches("/>\n").count());

    // Closing the blocker in the same range makes the close fine.
    commit(&env, &dir, &format!("Design done\n\nCloses: {design}"));
    let (_, report) = check_json(&env, &dir, &[]);
    assert_eq!(rules(&report), [("missing-issue".to_string(), "bd-zzzz".to_string())]);
    // An explicit range that leaves the bad commit out passes.
    let (code, _) = check_json(&env, &dir, &["--base", "main", "--head", &blocked_at]);
    assert_eq!(code, 1, "the blocked close is still in main..blocked_at");
    let (code, _) = check_json(&env, &dir, &["--base", "main", "--head", "HEAD~3"]);
    assert_eq!(code, 0);
}

#[test]
fn every_namespace_is_validated() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A"]);
    let b = env.create(&dir, &["B", "--deps", &a]);
    let path_of = |id: &str| format!("issues/{}/{}/{id}.json", &id[3..4], &id[4..5]);
    let text = env.git(&dir, &["cat-file", "-p", &format!("refs/beads/heads/main:{}", path_of(&a))]);
    // a depends on b (a cycle), on an ID that exists nowhere, and is closed without closed_at.
    let bad = text
        .replace("\"status\": \"open\"", "\"status\": \"closed\"")
        .replace(
            "  \"updated_at\": \"2026-01-02T03:04:05Z\"\n",
            &format!(
                "  \"updated_at\": \"2026-01-02T03:04:05Z\",\n  \"dependencies\": [\n    {{\"id\":\"{b}\",\"type\":\"blocks\"}},\n    {{\"id\":\"bd-gone\",\"type\":\"related\"}}\n  ]\n"
            ),
        );
    env.write_blob(&dir, &path_of(&a), bad.as_bytes());
    env.write_blob(&dir, "issues/q/q/bd-qq.json", b"{not json");
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 1, "{report}");
    let mut found = rules(&report);
    found.sort();
    assert_eq!(
        found,
        [
            ("closed-at".to_string(), a.clone()),
            ("cycle".into(), [a.clone(), b.clone()].into_iter().min().unwrap()),
            ("dangling-dependency".into(), a.clone()),
            ("invalid-blob".into(), "bd-qq".into()),
        ]
    );
    let dangling = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "dangling-dependency").unwrap();
    assert_eq!(dangling["severity"], json!("warning"), "a soft dependency dangling is a warning");
    // A namespace of an unknown layout version.
    env.git(&dir, &["checkout", "-q", "-b", "future"]);
    env.create(&dir, &["On the branch", "--ns", "future"]);
    let future = env.git(&dir, &["rev-parse", "refs/beads/heads/future^{tree}"]).trim().to_string();
    let fmt = env.git_stdin(&dir, &["hash-object", "-w", "--stdin"], b"{\"format_version\": 9}\n");
    let listing = env
        .git(&dir, &["ls-tree", &future])
        .replace(&format!("blob {}", env.git(&dir, &["rev-parse", &format!("{future}:format")]).trim()), &format!("blob {}", fmt.trim()));
    let tree = env.git_stdin(&dir, &["mktree"], listing.as_bytes());
    let c = env.git(&dir, &["commit-tree", tree.trim(), "-m", "from the future"]);
    env.git(&dir, &["update-ref", "refs/beads/heads/future", c.trim()]);
    let (_, report) = check_json(&env, &dir, &["--open-branch-issues", "off"]);
    assert!(rules(&report).contains(&("unknown-format".to_string(), String::new())), "{report}");
}

/// A project on a bare remote with its beads refs, and a CI-like clone of it
/// (`git clone`, as actions/checkout does: no beads refs).
fn ci_setup(env: &Env) -> (PathBuf, PathBuf, PathBuf) {
    let dev = env.beads_repo("dev");
    let remote = env.path("remote.git");
    env.git(&env.path(""), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    env.git(&dev, &["remote", "add", "origin", remote.to_str().unwrap()]);
    env.ok(&dev, &["init"]);
    for i in 0..3 {
        commit(env, &dev, &format!("history {i}"));
    }
    env.git(&dev, &["push", "-q", "origin", "main"]);
    let ci = env.path("ci");
    env.git(&env.path(""), &["clone", "-q", &format!("file://{}", remote.display()), ci.to_str().unwrap()]);
    (dev, remote, ci)
}

#[test]
fn in_ci_it_fetches_the_beads_refs_and_says_what_is_missing() {
    let env = Env::new();
    let (dev, _remote, ci) = ci_setup(&env);
    let issue = env.create(&dev, &["Fix the login"]);
    env.ok(&dev, &["sync"]);
    env.git(&dev, &["checkout", "-q", "-b", "fix-login"]);
    commit(&env, &dev, &format!("Fix it\n\nCloses: {issue}"));
    env.git(&dev, &["push", "-q", "origin", "fix-login"]);
    env.git(&ci, &["fetch", "-q", "origin", "fix-login"]);
    env.git(&ci, &["checkout", "-q", "-b", "fix-login", "FETCH_HEAD"]);

    // No beads refs: could not check, and how to fix it.
    let r = env.run(&ci, &["check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("there are no beads refs in this clone") && r.stderr.contains("--fetch origin"), "{}", r.stderr);
    let r = env.run(&ci, &["check", "--json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("\"code\":\"CANNOT_CHECK\""), "{}", r.stderr);

    // With --fetch: the tracking refs stand in for the namespaces.
    let (code, report) = check_json(&env, &ci, &["--fetch", "origin"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["namespaces"], json!(["heads/main <- refs/beads/remotes/origin/heads/main"]));
    assert_eq!(report["range"], json!("origin/main..HEAD"));
    assert_eq!(report["commits"][0]["mentions"][0]["id"], json!(issue));
    assert!(env.git(&ci, &["for-each-ref", "refs/beads/heads"]).is_empty(), "check writes no local namespace");

    // A base that does not exist.
    let r = env.run(&ci, &["check", "--base", "nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("the base \"nope\" does not name a commit"), "{}", r.stderr);
}

#[test]
fn a_shallow_clone_missing_the_base_says_how_to_deepen() {
    let env = Env::new();
    let (dev, remote, _ci) = ci_setup(&env);
    env.create(&dev, &["Something"]);
    env.ok(&dev, &["sync"]);
    env.git(&dev, &["checkout", "-q", "-b", "topic"]);
    commit(&env, &dev, "Topic work");
    env.git(&dev, &["push", "-q", "origin", "topic"]);
    let shallow = env.path("shallow");
    env.git(
        &env.path(""),
        &["clone", "-q", "--depth", "1", "--branch", "topic", &format!("file://{}", remote.display()), shallow.to_str().unwrap()],
    );
    let r = env.run(&shallow, &["check", "--fetch", "origin", "--base", "main~2"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("shallow") && r.stderr.contains("--deepen"), "{}", r.stderr);
    // The default base (origin/main, fetched at depth 1) has no common history with the head.
    env.git(&shallow, &["fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main"]);
    let r = env.run(&shallow, &["check", "--fetch", "origin"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no common history in this shallow clone"), "{}", r.stderr);
    // Deepened, it checks.
    env.git(&shallow, &["fetch", "-q", "--unshallow", "origin"]);
    let r = env.run(&shallow, &["check", "--fetch", "origin"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn open_issues_left_in_the_branch_namespace_fail_until_promoted_or_proposed() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    let left = env.create(&dir, &["Follow-up found on the branch"]);
    let done = env.create(&dir, &["Done on the branch"]);
    env.ok(&dir, &["close", &done]);
    commit(&env, &dir, "Feature work");
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["branch"], json!("feature"));
    assert_eq!(rules(&report), [("open-branch-issue".to_string(), left.clone())]);
    // As a warning (flag, or config), it passes.
    let (code, report) = check_json(&env, &dir, &["--open-branch-issues", "warning"]);
    assert_eq!((code, report["warnings"].clone()), (0, json!(1)));
    env.git(&dir, &["config", "beads.check.openBranchIssues", "off"]);
    assert_eq!(check_json(&env, &dir, &[]).0, 0);
    env.git(&dir, &["config", "--unset", "beads.check.openBranchIssues"]);
    // Promoted, it is fine.
    env.ok(&dir, &["promote", &left]);
    assert_eq!(check_json(&env, &dir, &[]).0, 0);
    // On another branch, a proposed issue is fine too.
    env.git(&dir, &["checkout", "-q", "-b", "other"]);
    let offered = env.create(&dir, &["Offered upstream"]);
    let upstream = env.path("up.git");
    env.git(&env.path(""), &["init", "-q", "--bare", upstream.to_str().unwrap()]);
    env.git(&dir, &["remote", "add", "upstream", upstream.to_str().unwrap()]);
    assert_eq!(check_json(&env, &dir, &[]).0, 1);
    env.ok(&dir, &["propose", &offered]);
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 0, "{report}");
    // --branch names the pull request's branch explicitly.
    let (_, report) = check_json(&env, &dir, &["--branch", "main"]);
    assert_eq!(report["branch"], json!("main"));
}

#[test]
fn close_from_commits_closes_what_was_merged_once() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Fix the login"]);
    let b = env.create(&dir, &["Fix the logout"]);
    let c = env.create(&dir, &["Only referenced"]);
    let before = env.git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    let first = commit(&env, &dir, &format!("Login\n\nCloses: {a}\nRefs: {c}"));
    commit(&env, &dir, &format!("Logout\n\nfixes: {b}, bd-nope"));
    let out = env.json(&dir, &["close-from-commits", &format!("{before}..HEAD")]);
    let closed: Vec<&str> = out["closed"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    let mut want = vec![a.as_str(), b.as_str()];
    want.sort();
    assert_eq!(closed, want);
    assert_eq!(out["missing"][0]["id"], json!("bd-nope"));
    let shown = &env.json(&dir, &["show", &a])[0];
    assert_eq!(shown["status"], json!("closed"));
    assert_eq!(shown["close_reason"], json!(format!("closed by commit {} (Login)", &first[..12])));
    assert_eq!(env.json(&dir, &["show", &c])[0]["status"], json!("open"), "Refs: does not close");
    // Again: nothing changes.
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let again = env.json(&dir, &["close-from-commits", &format!("{before}..HEAD")]);
    assert_eq!(again["closed"], json!([]));
    assert_eq!(again["already_closed"].as_array().unwrap().len(), 2);
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip);
    let r = env.run(&dir, &["close-from-commits", "not-a-range"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
}

#[test]
fn only_this_projects_whole_ids_count() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Something"]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    // Other trackers' and tools' bracketed words are not issues.
    commit(&env, &dir, "Quick fix [ci:skip] [WIP:draft]\n\nRefs: upstream:abc-123, JIRA-12");
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["commits"][0]["mentions"], json!([]));
    // A shortened ID is refused: a commit message is forever.
    let short = &a[..a.len() - 1];
    commit(&env, &dir, &format!("Fix it\n\nFixes: {short}"));
    let (code, report) = check_json(&env, &dir, &[]);
    assert_eq!(code, 1);
    assert!(report["findings"][0]["message"].as_str().unwrap().contains(&format!("is not a whole ID (write {a}")), "{report}");
    // Whole IDs in any case, in brackets inside trailers, and qualified.
    env.git(&dir, &["config", "beads.project", "proj"]);
    commit(&env, &dir, &format!("Again\n\nCloses: [{}]\nRefs: proj:{}", a.to_uppercase(), &a[3..]));
    let (_, report) = check_json(&env, &dir, &["--base", "HEAD~1"]);
    assert_eq!(report["passed"], json!(true), "{report}");
    assert_eq!(report["commits"][0]["mentions"].as_array().unwrap().len(), 2);
}

#[test]
fn the_branch_comes_from_head_and_odd_input_is_handled() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    env.create(&dir, &["Left open"]);
    commit(&env, &dir, "Subject with \u{ffff} and \u{1b}[31mescapes\u{1b}[0m");
    env.git(&dir, &["checkout", "-q", "main"]);
    let (code, report) = check_json(&env, &dir, &["--base", "main", "--head", "feature"]);
    assert_eq!((code, report["branch"].clone()), (1, json!("feature")));
    // JUnit stays well-formed XML whatever the subjects hold.
    let r = env.run(&dir, &["check", "--base", "main", "--head", "feature", "--format", "junit"]);
    assert!(!r.stdout.contains('\u{ffff}') && !r.stdout.contains('\u{1b}'), "{}", r.stdout);
    // Human output shows escapes, never the raw control characters.
    let r = env.run(&dir, &["check", "--base", "main", "--head", "feature"]);
    assert!(!r.stdout.contains('\u{1b}'));
    // `git -c` settings reach it.
    let out = env.git_output(&dir, &["-c", "beads.check.openBranchIssues=off", "beads", "check", "--base", "main", "--head", "feature"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // Outside a repository it could not check: exit 2.
    let nowhere = env.path("nowhere");
    std::fs::create_dir_all(&nowhere).unwrap();
    let r = env.run(&nowhere, &["check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("Error: could not check\nCaused by:\n   1: not a git repository"), "{}", r.stderr);
    // A remote that does not exist cannot be fetched: could not check.
    let r = env.run(&dir, &["check", "--fetch", "nowhere"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no remote named \"nowhere\""), "{}", r.stderr);
    // A remote without beads refs: no advice to fetch what was just fetched.
    let bare = env.path("empty.git");
    env.git(&env.path(""), &["init", "-q", "--bare", bare.to_str().unwrap()]);
    let plain = env.repo("plain");
    env.git(&plain, &["remote", "add", "origin", bare.to_str().unwrap()]);
    let r = env.run(&plain, &["check", "--fetch", "origin"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("origin has none either"), "{}", r.stderr);
}

#[test]
fn close_from_commits_takes_plain_ranges_and_only_this_projects_issues() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Fix the login"]);
    let before = env.git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    commit(&env, &dir, &format!("Login\n\nCloses: {a}, JIRA-12"));
    let r = env.run(&dir, &["close-from-commits", &format!("{before}...HEAD")]);
    assert_eq!(r.code, 4);
    assert!(r.stderr.contains("symmetric difference"), "{}", r.stderr);
    let out = env.json(&dir, &["close-from-commits", &format!("{before}..")]);
    assert_eq!(out["closed"][0]["id"], json!(a));
    assert_eq!(out["missing"], json!([]), "JIRA-12 is not this project's");
}
