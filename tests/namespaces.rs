//! Namespaces: branch-scoped issues, seed 002's ID grammar, the planning
//! remote, propose/accept/reject/withdraw, promote, and `ns`.
use crate::common::Env;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn rows(v: &Value) -> Vec<(String, String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["id"].as_str().unwrap().to_string(),
                x["namespace"].as_str().unwrap().to_string(),
                x["visibility"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn beads_refs(env: &Env, repo: &Path) -> Vec<String> {
    env.git(repo, &["for-each-ref", "--format=%(refname)", "refs/beads/"]).lines().map(str::to_string).collect()
}

#[test]
fn new_issues_go_to_the_current_branchs_namespace() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    let canon = env.create(&dir, &["On main"]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    let feat = env.create(&dir, &["On the feature branch"]);
    assert_eq!(
        env.git(&dir, &["ls-tree", "-r", "--name-only", "refs/beads/heads/feature"])
            .lines()
            .filter(|l| l.ends_with(&format!("{feat}.json")))
            .count(),
        1
    );
    // The branch view shows both, each marked.
    let mut got = rows(&env.json(&dir, &["list"]));
    got.sort();
    let mut want = vec![
        (canon.clone(), "heads/main".to_string(), "canonical".to_string()),
        (feat.clone(), "heads/feature".to_string(), "local".to_string()),
    ];
    want.sort();
    assert_eq!(got, want);
    let human = env.ok(&dir, &["list"]);
    assert!(human.contains(&format!("[feature]  {feat}")) && human.contains(&format!("[main]     {canon}")), "{human}");
    // --ns narrows, and the canonical view does not see branch work.
    assert_eq!(rows(&env.json(&dir, &["list", "--ns", "feature"])).len(), 1);
    env.git(&dir, &["checkout", "-q", "main"]);
    assert_eq!(rows(&env.json(&dir, &["list"])), vec![(canon.clone(), "heads/main".into(), "canonical".into())]);
    // --all-ns widens; a full ID reaches it from anywhere.
    assert_eq!(rows(&env.json(&dir, &["list", "--all-ns"])).len(), 2);
    assert_eq!(env.json(&dir, &["show", &feat])[0]["namespace"], "heads/feature");
    // --ns writes anywhere; beads.routing=canonical sends branch work to canonical.
    let there = env.create(&dir, &["Explicitly on feature", "--ns", "feature"]);
    assert_eq!(env.json(&dir, &["show", &there])[0]["namespace"], "heads/feature");
    env.git(&dir, &["config", "beads.routing", "canonical"]);
    env.git(&dir, &["checkout", "-q", "feature"]);
    let routed = env.create(&dir, &["Routed to canonical"]);
    assert_eq!(env.json(&dir, &["show", &routed])[0]["namespace"], "heads/main");
}

#[test]
fn dependencies_and_writes_cross_namespaces() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    let base = env.create(&dir, &["Canonical groundwork"]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    let work = env.create(&dir, &["Branch work", "--deps", &base]);
    let ids = |v: Value| rows(&v).into_iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(ids(env.json(&dir, &["ready"])), [base.clone()]);
    let blocked = env.json(&dir, &["blocked"]);
    assert_eq!(blocked[0]["blocked_by"], json!([base]));
    // Closing the canonical issue from the branch writes to canonical.
    env.ok(&dir, &["close", &base]);
    assert_eq!(env.git(&dir, &["log", "-1", "--format=%s", "refs/beads/heads/main"]).trim(), format!("close {base}: Canonical groundwork"));
    assert_eq!(ids(env.json(&dir, &["ready"])), [work.clone()]);
    // A discovered issue lands in the namespace of the issue it came from.
    env.git(&dir, &["checkout", "-q", "main"]);
    let found = env.create(&dir, &["Found while on it", "--deps", &format!("discovered-from:{work}")]);
    assert_eq!(env.json(&dir, &["show", &found])[0]["namespace"], "heads/feature");
    // Cycles across namespaces are refused.
    let r = env.fails(&dir, &["dep", "add", &base, &work], 5);
    assert!(r.stderr.contains("would create a cycle"), "{}", r.stderr);
}

#[test]
fn bad_namespace_names_are_refused() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    for bad in ["bad..name", "x.lock", "with space", "trailing/"] {
        let r = env.fails(&dir, &["list", "--ns", bad], 4);
        assert!(r.stderr.contains("not a valid git ref name"), "{bad}: {}", r.stderr);
    }
    env.fails(&dir, &["create", "x", "--ns", "a..b"], 4);
}

/// Seed 002's resolution table, row by row. Context: project `beads`, on
/// branch `fix-auth`; another project is fetched as the remote `other`.
#[test]
fn seed_002_resolution_table() {
    let env = Env::unseeded();
    let other = env.repo("other");
    env.ok(&other, &["init", "--prefix", "ot"]);
    env.ok(&other, &["create", "Other project's issue", "--id", "ot-f6g7"]);
    let dir = env.beads_repo("beads");
    env.git(&dir, &["config", "beads.project", "beads"]);
    env.git(&dir, &["remote", "add", "other", other.to_str().unwrap()]);
    env.ok(&dir, &["fetch", "other"]);
    env.ok(&dir, &["create", "Core feature", "--id", "bd-b7c9"]);
    env.ok(&dir, &["create", "Another canonical one", "--id", "bd-c4d8"]);
    env.git(&dir, &["checkout", "-q", "-b", "fix-auth"]);
    env.ok(&dir, &["create", "Fix the widget", "--id", "bd-a3f2"]);
    let show = |input: &str| {
        let v = env.json(&dir, &["show", input]);
        (v[0]["id"].as_str().unwrap().to_string(), v[0]["namespace"].as_str().unwrap().to_string())
    };
    // | a3f2          | beads:fix-auth-a3f2 | current context |
    assert_eq!(show("a3f2"), ("bd-a3f2".into(), "heads/fix-auth".into()));
    // | fix-auth-a3f2 | beads:fix-auth-a3f2 | explicit branch |
    assert_eq!(show("fix-auth-a3f2"), ("bd-a3f2".into(), "heads/fix-auth".into()));
    // | main-b7c9     | beads:main-b7c9     | different branch |
    assert_eq!(show("main-b7c9"), ("bd-b7c9".into(), "heads/main".into()));
    // | beads:c4d8    | beads:main-c4d8     | explicit project, default branch |
    assert_eq!(show("beads:c4d8"), ("bd-c4d8".into(), "heads/main".into()));
    // | other:f6g7    | other:main-f6g7     | different project |
    assert_eq!(show("other:f6g7"), ("ot-f6g7".into(), "remotes/other/heads/main".into()));
    // The full forms too, and beads-style IDs.
    assert_eq!(show("beads:fix-auth-a3f2"), ("bd-a3f2".into(), "heads/fix-auth".into()));
    assert_eq!(show("bd-a3f2"), ("bd-a3f2".into(), "heads/fix-auth".into()));
    assert_eq!(show("bd:c4d8"), ("bd-c4d8".into(), "heads/main".into()), "the prefix names this project too");
    // A qualified reference can be a dependency target.
    env.ok(&dir, &["dep", "add", "a3f2", "main-b7c9"]);
    assert_eq!(env.json(&dir, &["show", "a3f2"])[0]["dependencies"][0]["depends_on_id"], "bd-b7c9");
    let r = env.fails(&dir, &["show", "nowhere:abcd"], 4);
    assert!(r.stderr.contains("no project or remote named \"nowhere\""), "{}", r.stderr);
}

#[test]
fn one_id_in_two_namespaces_asks_which_unless_the_current_branch_has_it() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    env.ok(&dir, &["create", "On x", "--id", "bd-dup1", "--ns", "x"]);
    env.ok(&dir, &["create", "On y", "--id", "bd-dup1", "--ns", "y"]);
    let r = env.fails(&dir, &["show", "bd-dup1", "--all-ns"], 3);
    assert!(
        r.stderr.contains("bd-dup1 is in several namespaces (refs/beads/heads/x, refs/beads/heads/y); say which: x-dup1 or y-dup1"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Hint: type one of x-dup1, y-dup1, or pass --ns"), "{}", r.stderr);
    assert_eq!(env.json(&dir, &["show", "y-dup1", "--all-ns"])[0]["title"], "On y");
    assert_eq!(env.json(&dir, &["show", "bd-dup1", "--ns", "x"])[0]["title"], "On x");
    // On branch x, the current context wins.
    env.git(&dir, &["checkout", "-q", "-b", "x"]);
    assert_eq!(env.json(&dir, &["show", "dup1", "--all-ns"])[0]["title"], "On x");
}

#[test]
fn promote_moves_issues_keeping_their_ids() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    let canon = env.create(&dir, &["Already canonical", "-l", "a"]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    let keep = env.create(&dir, &["Worth keeping"]);
    let drop = env.create(&dir, &["Scratch note"]);
    let out = env.json(&dir, &["promote", &keep]);
    assert_eq!(out["moved"], json!([keep]));
    assert_eq!(env.json(&dir, &["show", &keep])[0]["namespace"], "heads/main");
    assert!(!env.git(&dir, &["ls-tree", "-r", "--name-only", "refs/beads/heads/feature"]).contains(&keep));
    // Promoting onto an ID the target has with other content merges it and says so.
    env.ok(&dir, &["create", "Feature copy", "--id", &canon, "--ns", "feature", "-l", "b"]);
    let out = env.run(&dir, &["promote", &format!("feature-{}", &canon[3..])]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(&format!("{canon} was already in main with other content: merged by the sync rules")), "{}", out.stdout);
    let merged = &env.json(&dir, &["show", &canon])[0];
    assert_eq!(merged["labels"], json!(["a", "b"]));
    // --all-from after merging the branch.
    env.git(&dir, &["checkout", "-q", "main"]);
    let out = env.json(&dir, &["promote", "--all-from", "feature"]);
    assert_eq!(out["moved"], json!([drop]));
    assert_eq!(env.json(&dir, &["list", "--ns", "feature"]), json!([]));
}

#[test]
fn ns_list_and_prune_namespaces_of_deleted_branches() {
    let env = Env::unseeded();
    let remote = env.path("remote.git");
    let dir = env.repo("r");
    env.git(&env.path(""), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    env.git(&dir, &["remote", "add", "origin", remote.to_str().unwrap()]);
    env.ok(&dir, &["init", "--prefix", "bd"]);
    env.create(&dir, &["Canonical"]);
    env.git(&dir, &["branch", "gone-done"]);
    env.git(&dir, &["branch", "gone-open"]);
    let done = env.create(&dir, &["Finished branch work", "--ns", "gone-done"]);
    env.ok(&dir, &["close", &done]);
    let open = env.create(&dir, &["Unfinished branch work", "--ns", "gone-open"]);
    env.ok(&dir, &["sync"]);
    env.git(&dir, &["branch", "-D", "gone-done", "gone-open"]);
    let list = env.json(&dir, &["ns", "list"]);
    let gone: Vec<&str> =
        list.as_array().unwrap().iter().filter(|r| r["branch_exists"] == json!(false)).map(|r| r["namespace"].as_str().unwrap()).collect();
    assert_eq!(gone, ["refs/beads/heads/gone-done", "refs/beads/heads/gone-open"]);
    // Their issues stay reachable by full ID until pruned.
    assert_eq!(env.json(&dir, &["show", &open])[0]["namespace"], "heads/gone-open");
    let preview = env.json(&dir, &["ns", "prune"]);
    assert_eq!(preview.as_array().unwrap().iter().filter(|s| s["pruned"] == json!(true)).count(), 0);
    let applied = env.json(&dir, &["ns", "prune", "--apply"]);
    let pruned: Vec<&str> =
        applied.as_array().unwrap().iter().filter(|s| s["pruned"] == json!(true)).map(|s| s["namespace"].as_str().unwrap()).collect();
    assert_eq!(pruned, ["refs/beads/heads/gone-done"], "open work is kept without --force");
    assert!(!beads_refs(&env, &remote).contains(&"refs/beads/heads/gone-done".to_string()), "pruned on the remote too");
    env.ok(&dir, &["ns", "prune", "--apply", "--force"]);
    assert_eq!(beads_refs(&env, &remote), ["refs/beads/heads/main"]);
    env.fails(&dir, &["show", &open], 3);
    // The next sync does not bring them back.
    env.ok(&dir, &["sync"]);
    assert!(!beads_refs(&env, &dir).iter().any(|r| r.contains("gone-")));
}

// ---- seed 000's use cases

struct Oss {
    env: Env,
    upstream: PathBuf,
    fork: PathBuf,
    planning: PathBuf,
    maintainer: PathBuf,
}

/// An upstream project with a maintainer's clone, and a fork of it.
fn oss() -> Oss {
    let env = Env::unseeded();
    let seed = env.repo("seed");
    let upstream = env.path("project.git");
    let fork = env.path("fork.git");
    env.git(&env.path(""), &["clone", "-q", "--bare", seed.to_str().unwrap(), upstream.to_str().unwrap()]);
    env.git(&env.path(""), &["clone", "-q", "--bare", upstream.to_str().unwrap(), fork.to_str().unwrap()]);
    env.git(&env.path(""), &["clone", "-q", upstream.to_str().unwrap(), "maintainer"]);
    let maintainer = env.path("maintainer");
    env.ok(&maintainer, &["init", "--prefix", "bd"]);
    let planning = env.path("planning.git");
    Oss { env, upstream, fork, planning, maintainer }
}

/// [`oss`] with a canonical issue upstream and a contributor set up.
fn oss_with_contributor() -> (Oss, PathBuf) {
    let o = oss();
    o.env.create(&o.maintainer, &["Seed"]);
    o.env.ok(&o.maintainer, &["sync"]);
    let c = o.contributor("contributor");
    (o, c)
}

impl Oss {
    /// A contributor's clone of the fork, with upstream, set up for planning.
    fn contributor(&self, name: &str) -> PathBuf {
        let env = &self.env;
        env.git(&env.path(""), &["clone", "-q", self.fork.to_str().unwrap(), name]);
        let dir = env.path(name);
        env.git(&dir, &["remote", "add", "upstream", self.upstream.to_str().unwrap()]);
        env.ok(&dir, &["init", "--contributor", "--planning", self.planning.to_str().unwrap()]);
        env.ok(&dir, &["sync"]);
        dir
    }
}

#[test]
fn use_case_oss_contributor_plans_privately_proposes_and_is_accepted() {
    let o = oss();
    let env = &o.env;
    let m = &o.maintainer;
    let canon = env.create(m, &["Maintainer's issue"]);
    env.ok(m, &["sync"]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);

    let c = o.contributor("contributor");
    let init = env.json(&c, &["init"]);
    assert_eq!((init["routing"].clone(), init["planning"].clone()), (json!("planning"), json!("refs/beads/planning/project")));
    // Planning happens privately.
    let idea = env.create(&c, &["Explore dark mode"]);
    let musing = env.create(&c, &["Half-baked musing"]);
    let mut listed = rows(&env.json(&c, &["list"]));
    listed.sort();
    assert!(listed.contains(&(idea.clone(), "planning/project".into(), "local".into())), "{listed:?}");
    assert!(listed.contains(&(canon.clone(), "heads/main".into(), "canonical".into())), "{listed:?}");
    env.ok(&c, &["sync"]);
    assert_eq!(beads_refs(env, &o.planning), ["refs/beads/planning/project"]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"], "upstream never sees planning");
    assert!(beads_refs(env, &o.fork).iter().all(|r| !r.contains("planning")), "nor does the fork");
    // Branch work of the contributor's goes to the fork, never upstream.
    let branch_issue = env.create(&c, &["Work on my fork's branch", "--ns", "dark-mode"]);
    env.ok(&c, &["sync"]);
    assert!(beads_refs(env, &o.fork).contains(&"refs/beads/heads/dark-mode".to_string()));
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
    assert!(env.git(&o.fork, &["ls-tree", "-r", "--name-only", "refs/beads/heads/dark-mode"]).contains(&branch_issue));
    // A second clone of the contributor's sees the same planning.
    let c2 = o.contributor("contributor-laptop");
    assert_eq!(env.json(&c2, &["show", &idea])[0]["namespace"], "planning/project");

    // Propose one issue upstream: exactly one proposal ref appears there.
    let out = env.json(&c, &["propose", &idea]);
    let name = out["name"].as_str().unwrap().to_string();
    let upstream_refs = beads_refs(env, &o.upstream);
    assert_eq!(upstream_refs, ["refs/beads/heads/main".to_string(), format!("refs/beads/proposals/{name}")]);
    let proposed_blob = env.git(&o.upstream, &["ls-tree", "-r", &format!("refs/beads/proposals/{name}")]);
    let planning_blob = env.git(&c, &["ls-tree", "-r", "refs/beads/planning/project"]);
    let blob_of = |listing: &str| {
        listing.lines().find(|l| l.ends_with(&format!("{idea}.json"))).unwrap().split_whitespace().nth(2).unwrap().to_string()
    };
    assert_eq!(blob_of(&proposed_blob), blob_of(&planning_blob), "the very same blob");
    assert!(!proposed_blob.contains(&musing), "only what was proposed");
    assert_eq!(env.json(&c, &["show", &idea])[0]["visibility"], "proposed");

    // The maintainer sees it and accepts it.
    env.ok(m, &["fetch"]);
    let offered = env.json(m, &["proposals"]);
    assert_eq!(offered[0]["ids"], json!([idea]));
    assert_eq!(offered[0]["state"], "offered");
    env.ok(m, &["accept", &name]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"], "the proposal is gone, the issue is canonical");
    assert!(env.git(&o.upstream, &["ls-tree", "-r", "--name-only", "refs/beads/heads/main"]).contains(&idea));

    // The contributor's next sync sees the acceptance and marks the planning copy.
    let out = env.ok(&c, &["sync"]);
    assert!(out.contains(&format!("proposal {name} was accepted ({idea}); copies here marked accepted: {idea}")), "{out}");
    let shown = &env.json(&c, &["show", &idea])[0];
    assert_eq!((shown["namespace"].clone(), shown["visibility"].clone()), (json!("heads/main"), json!("canonical")));
    let planning_copy =
        env.git(&c, &["cat-file", "-p", &format!("refs/beads/planning/project:issues/{}/{}/{idea}.json", &idea[3..4], &idea[4..5])]);
    assert!(
        planning_copy.contains("\"git-beads\": {\"accepted_into\":\"remotes/upstream/heads/main\",\"visibility\":\"canonical\"}"),
        "{planning_copy}"
    );
    assert_eq!(env.json(&c, &["show", &musing])[0]["visibility"], "local");
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
    assert!(beads_refs(env, &o.fork).iter().all(|r| !r.contains("planning") && !r.contains("proposals")));
}

#[test]
fn use_case_rejected_and_withdrawn_proposals() {
    let (o, c) = oss_with_contributor();
    let env = &o.env;
    let a = env.create(&c, &["Rejected idea"]);
    let b = env.create(&c, &["Withdrawn idea"]);
    let pa = env.json(&c, &["propose", &a, "--name", "dark-mode"])["name"].as_str().unwrap().to_string();
    env.json(&c, &["propose", &b, "--name", "later"]);
    env.ok(&o.maintainer, &["fetch"]);
    let r = env.fails(&o.maintainer, &["reject", &pa], 2);
    assert!(r.stderr.contains("--reason"), "{}", r.stderr);
    env.ok(&o.maintainer, &["reject", &pa, "-r", "not in scope for 2.0"]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main", "refs/beads/proposals/later", "refs/beads/rejected/dark-mode"]);
    let out = env.ok(&c, &["sync"]);
    assert!(out.contains("proposal dark-mode was rejected: not in scope for 2.0"), "{out}");
    assert_eq!(env.json(&c, &["show", &a])[0]["visibility"], "local");
    let listed = env.json(&c, &["proposals"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "dark-mode" && p["state"] == "rejected" && p["reason"] == "not in scope for 2.0"),
        "{listed}"
    );
    // Withdrawing takes the other down, and cleans up the rejection.
    env.ok(&c, &["withdraw", "later"]);
    env.ok(&c, &["withdraw", "dark-mode"]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
    assert_eq!(env.json(&c, &["show", &b])[0]["visibility"], "local");
}

#[test]
fn proposing_to_a_missing_or_refusing_remote_leaves_nothing_behind() {
    let (o, c) = oss_with_contributor();
    let env = &o.env;
    let a = env.create(&c, &["An idea"]);
    let r = env.fails(&c, &["propose", &a, "--to", "nowhere"], 6);
    assert!(r.stderr.contains("no remote named \"nowhere\""), "{}", r.stderr);
    let hook = refuse_pushes(&o.upstream, "proposals are closed");
    let r = env.fails(&c, &["propose", &a], 6);
    assert!(r.stderr.contains("refused the push") && r.stderr.contains("proposals are closed"), "{}", r.stderr);
    assert!(!beads_refs(env, &c).iter().any(|r| r.contains("proposals")), "no local proposal for a refused push");
    assert_eq!(env.json(&c, &["show", &a])[0]["visibility"], "local");
    std::fs::remove_file(&hook).unwrap();
    env.ok(&c, &["propose", &a]);
}

#[test]
fn accepting_over_an_existing_issue_merges_and_says_so() {
    let o = oss();
    let env = &o.env;
    let m = &o.maintainer;
    env.create(m, &["Seed"]);
    env.ok(m, &["sync"]);
    let c = o.contributor("contributor");
    let idea = env.create(&c, &["Shared idea", "-l", "from-contributor"]);
    let name = env.json(&c, &["propose", &idea])["name"].as_str().unwrap().to_string();
    // Meanwhile the maintainer has an issue under that very ID.
    env.ok(m, &["create", "Maintainer's take", "--id", &idea, "-l", "from-maintainer"]);
    env.ok(m, &["fetch"]);
    let out = env.ok(m, &["accept", &name]);
    assert!(out.contains(&format!("{idea} was already there with other content: merged by the sync rules")), "{out}");
    let merged = &env.json(m, &["show", &idea])[0];
    assert_eq!(merged["labels"], json!(["from-contributor", "from-maintainer"]));
}

#[test]
fn use_case_multi_phase_planning() {
    let o = oss();
    let env = &o.env;
    env.create(&o.maintainer, &["Seed"]);
    env.ok(&o.maintainer, &["sync"]);
    let upstream_only_canonical = || assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
    upstream_only_canonical();
    let c = o.contributor("contributor");
    upstream_only_canonical();
    let arch = env.create(&c, &["Design the auth system", "--ns", "planning/project-architecture"]);
    let imp = env.create(&c, &["Implement JWT validation", "--ns", "planning/project-implementation", "--deps", &arch]);
    upstream_only_canonical();
    env.ok(&c, &["sync"]);
    let mut planning_refs = beads_refs(env, &o.planning);
    planning_refs.sort();
    // Only phases that hold issues have refs; nothing went to planning/project itself.
    assert_eq!(planning_refs, ["refs/beads/planning/project-architecture", "refs/beads/planning/project-implementation"]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
    // Each phase alone, or all of them.
    assert_eq!(rows(&env.json(&c, &["list", "--ns", "planning/project-architecture"])).len(), 1);
    let all: Vec<String> = rows(&env.json(&c, &["list", "--all-ns"])).into_iter().map(|r| r.0).collect();
    assert!(all.contains(&arch) && all.contains(&imp));
    let blocked = env.json(&c, &["blocked", "--all-ns"]);
    assert_eq!(blocked[0]["blocked_by"], json!([arch]), "dependencies resolve across phases");
    let c2 = o.contributor("contributor-2");
    env.ok(&c2, &["sync"]);
    assert_eq!(env.json(&c2, &["show", &imp, "--all-ns"])[0]["namespace"], "planning/project-implementation");
    upstream_only_canonical();
}

#[test]
fn use_case_several_contributors_on_one_project() {
    // No fork: everyone clones the project; the maintainer writes canonical,
    // each contributor plans in their own planning repository.
    let env = Env::unseeded();
    let seed = env.repo("seed");
    let project = env.path("project.git");
    env.git(&env.path(""), &["clone", "-q", "--bare", seed.to_str().unwrap(), project.to_str().unwrap()]);
    let clone = |name: &str| {
        env.git(&env.path(""), &["clone", "-q", project.to_str().unwrap(), name]);
        env.path(name)
    };
    let project_refs = || beads_refs(&env, &project);
    let alice = clone("alice");
    env.ok(&alice, &["init", "--prefix", "bd"]);
    let parser = env.create(&alice, &["Fix bug in parser"]);
    assert!(project_refs().is_empty());
    env.ok(&alice, &["sync"]);
    assert_eq!(project_refs(), ["refs/beads/heads/main"]);
    let bob = clone("bob");
    env.ok(&bob, &["init", "--contributor", "--planning", env.path("bob-planning.git").to_str().unwrap()]);
    env.ok(&bob, &["sync"]);
    assert_eq!(project_refs(), ["refs/beads/heads/main"]);
    let perf = env.create(&bob, &["Explore performance optimization"]);
    env.ok(&bob, &["sync"]);
    assert_eq!(project_refs(), ["refs/beads/heads/main"], "bob's planning stays out of the project");
    // Carol, a second contributor with her own planning repository.
    let carol = clone("carol");
    env.ok(&carol, &["init", "--contributor", "--planning", env.path("carol-planning.git").to_str().unwrap()]);
    let musing = env.create(&carol, &["Carol's musing"]);
    env.ok(&carol, &["sync"]);
    assert_eq!(project_refs(), ["refs/beads/heads/main"]);
    assert!(!rows(&env.json(&bob, &["list"])).iter().any(|r| r.0 == musing), "bob never sees carol's planning");
    let seen: Vec<String> = rows(&env.json(&bob, &["list"])).into_iter().map(|r| r.0).collect();
    assert!(seen.contains(&parser) && seen.contains(&perf), "bob sees alice's canonical issue and his own planning");
    let name = env.json(&bob, &["propose", &perf])["name"].as_str().unwrap().to_string();
    assert_eq!(beads_refs(&env, &project), ["refs/beads/heads/main".to_string(), format!("refs/beads/proposals/{name}")]);
    env.ok(&alice, &["fetch"]);
    env.ok(&alice, &["accept", &perf]);
    assert_eq!(beads_refs(&env, &project), ["refs/beads/heads/main"]);
    env.ok(&bob, &["sync"]);
    assert_eq!(env.json(&bob, &["show", &perf])[0]["visibility"], "canonical");
    assert_eq!(project_refs(), ["refs/beads/heads/main"]);
    env.ok(&alice, &["sync"]);
    let alice_sees: Vec<String> = rows(&env.json(&alice, &["list"])).into_iter().map(|r| r.0).collect();
    assert_eq!(alice_sees.len(), 2);
    env.ok(&carol, &["sync"]);
    assert!(rows(&env.json(&carol, &["list"])).iter().any(|r| r.0 == perf), "carol sees the accepted issue");
}

#[test]
fn new_ids_are_unique_across_the_namespaces_of_the_view() {
    // With the seed pinned, a namespace's first ID is drawn from the same
    // sequence as canonical's first one: the branch must skip it.
    let env = Env::new();
    let dir = env.beads_repo("r");
    let on_main = env.create(&dir, &["On main"]);
    env.git(&dir, &["checkout", "-q", "-b", "feature"]);
    let on_branch = env.create(&dir, &["On the branch"]);
    assert_ne!(on_branch, on_main);
    // Same through the path that opens the whole view (a dependency).
    env.git(&dir, &["checkout", "-q", "-b", "other", "main"]);
    let with_dep = env.create(&dir, &["Depends on main's", "--deps", &on_main]);
    assert_ne!(with_dep, on_main);
    assert_eq!(env.json(&dir, &["show", &on_main])[0]["namespace"], "heads/main");
}

fn refuse_pushes(repo: &Path, why: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let hook = repo.join("hooks/pre-receive");
    std::fs::write(&hook, format!("#!/bin/sh\necho '{why}' >&2\nexit 1\n")).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    hook
}

#[test]
fn a_contributor_never_writes_canonical_and_an_unreachable_upstream_does_not_stop_planning() {
    let o = oss();
    let env = &o.env;
    let canon = env.create(&o.maintainer, &["Maintainer's issue"]);
    env.ok(&o.maintainer, &["sync"]);
    let c = o.contributor("contributor");
    let upstream_main = || env.git(&o.upstream, &["rev-parse", "refs/beads/heads/main"]);
    let before = upstream_main();
    // Writes to canonical are refused with what to do instead.
    let r = env.fails(&c, &["comments", "add", &canon, "a musing"], 4);
    assert!(r.stderr.contains("refs/beads/heads/main is read-only in this clone") && r.stderr.contains("propose"), "{}", r.stderr);
    env.fails(&c, &["update", &canon, "--status", "in_progress"], 4);
    let r = env.run(&c, &["close", &canon, "--json"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("\"code\":\"READ_ONLY\""), "{}", r.stderr);
    // Discovered work lands in planning, not in the read-only origin's namespace.
    let found = env.create(&c, &["Found while reading", "--deps", &format!("discovered-from:{canon}")]);
    assert_eq!(env.json(&c, &["show", &found])[0]["namespace"], "planning/project");
    env.ok(&c, &["sync"]);
    assert_eq!(upstream_main(), before, "upstream's canonical is untouched");
    assert!(!env.git(&o.upstream, &["ls-tree", "-r", "--name-only", "refs/beads/heads/main"]).contains(&found));

    // Upstream unreachable: sync fails for it, and planning still syncs.
    let away = env.path("project.git.away");
    std::fs::rename(&o.upstream, &away).unwrap();
    let idea = env.create(&c, &["Planned while upstream is down"]);
    let r = env.fails(&c, &["sync"], 6);
    assert!(r.stderr.contains("sync with upstream failed (beads-planning synced)"), "{}", r.stderr);
    assert!(env.git(&o.planning, &["ls-tree", "-r", "--name-only", "refs/beads/planning/project"]).contains(&idea));
    std::fs::rename(&away, &o.upstream).unwrap();
    env.ok(&c, &["sync"]);
}

#[test]
fn namespaces_of_branches_still_on_the_remote_are_not_pruned_and_deletions_reach_other_clones() {
    let env = Env::unseeded();
    let remote = env.path("remote.git");
    env.git(&env.path(""), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    let a = env.repo("a");
    env.git(&a, &["remote", "add", "origin", remote.to_str().unwrap()]);
    env.ok(&a, &["init", "--prefix", "bd"]);
    env.create(&a, &["Canonical"]);
    env.git(&a, &["push", "-q", "origin", "main"]);
    env.git(&a, &["checkout", "-q", "-b", "feature"]);
    env.create(&a, &["Feature work"]);
    env.create(&a, &["Other branch work", "--ns", "spike"]);
    env.git(&a, &["push", "-q", "origin", "feature"]);
    env.ok(&a, &["sync"]);
    let b = env.path("b");
    env.git(&env.path(""), &["clone", "-q", remote.to_str().unwrap(), b.to_str().unwrap()]);
    env.ok(&b, &["init"]);
    env.ok(&b, &["sync"]);
    // In b, `feature` exists only as origin/feature: still a live branch.
    let list = env.json(&b, &["ns", "list"]);
    let gone: Vec<&str> =
        list.as_array().unwrap().iter().filter(|r| r["branch_exists"] == json!(false)).map(|r| r["namespace"].as_str().unwrap()).collect();
    assert_eq!(gone, ["refs/beads/heads/spike"]);
    let pruned = env.json(&b, &["ns", "prune", "--apply", "--force"]);
    assert_eq!(pruned.as_array().unwrap().len(), 1);
    assert!(!beads_refs(&env, &remote).contains(&"refs/beads/heads/spike".to_string()));
    assert!(beads_refs(&env, &remote).contains(&"refs/beads/heads/feature".to_string()));
    // a had not changed spike since: its next sync deletes it too.
    let out = env.ok(&a, &["sync"]);
    assert!(out.contains("heads/spike deleted: the remote removed it and it had not changed here"), "{out}");
    assert!(!beads_refs(&env, &a).iter().any(|r| r.contains("spike")));
    assert!(!beads_refs(&env, &remote).iter().any(|r| r.contains("spike")), "and does not push it back");
}

#[test]
fn an_accepted_proposal_from_a_branch_shows_once_and_resolves_to_canonical() {
    let (o, c) = oss_with_contributor();
    let env = &o.env;
    env.git(&c, &["checkout", "-q", "-b", "dark"]);
    let idea = env.create(&c, &["Dark mode", "--ns", "dark"]);
    let name = env.json(&c, &["propose", &idea])["name"].as_str().unwrap().to_string();
    let listed = env.ok(&c, &["list"]);
    assert!(listed.contains("Dark mode  (proposed)"), "text views mark proposed issues: {listed}");
    env.ok(&o.maintainer, &["fetch"]);
    env.ok(&o.maintainer, &["accept", &name]);
    env.ok(&c, &["sync"]);
    let ids: Vec<String> = rows(&env.json(&c, &["list"])).into_iter().map(|r| r.0).collect();
    assert_eq!(ids.iter().filter(|i| **i == idea).count(), 1, "{ids:?}");
    assert_eq!(env.json(&c, &["show", &idea])[0]["namespace"], "heads/main");
}

#[test]
fn ambiguous_ids_suggest_forms_that_resolve_and_clashing_names_fail_fast() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    env.ok(&dir, &["create", "On main", "--id", "bd-dupz"]);
    env.ok(&dir, &["create", "On a branch", "--id", "bd-dupz", "--ns", "br1"]);
    let r = env.fails(&dir, &["show", "bd-dupz", "--all-ns"], 3);
    assert!(r.stderr.contains("say which: main-dupz or br1-dupz"), "{}", r.stderr);
    assert_eq!(env.json(&dir, &["show", "main-dupz", "--all-ns"])[0]["title"], "On main");
    // heads/br1 exists: heads/br1/x cannot (git refs are files or folders).
    let r = env.fails(&dir, &["create", "x", "--ns", "br1/x"], 4);
    assert!(r.stderr.contains("refs/beads/heads/br1 exists"), "{}", r.stderr);
    assert!(
        r.stderr.contains("NAMESPACE_CLASH")
            || env.run(&dir, &["create", "x", "--ns", "br1/x", "--json"]).stderr.contains("NAMESPACE_CLASH")
    );
}

#[test]
fn qualified_dependencies_resolve_here_and_stay_as_written_for_unfetched_projects() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    env.git(&dir, &["config", "beads.project", "beads"]);
    env.ok(&dir, &["create", "Core", "--id", "bd-e079"]);
    let a = env.create(&dir, &["Uses core", "--deps", "beads:e079"]);
    assert_eq!(env.json(&dir, &["show", &a])[0]["dependencies"][0]["depends_on_id"], "bd-e079");
    let b = env.create(&dir, &["Waits for another project", "--deps", "other:f6g7"]);
    assert_eq!(env.json(&dir, &["show", &b])[0]["dependencies"][0]["depends_on_id"], "other:f6g7");
    env.fails(&dir, &["create", "Typo", "--deps", "beads:zzzz"], 3);
    env.fails(&dir, &["dep", "add", &a, "bd:zzzz"], 3);
}

#[test]
fn proposals_go_upstream_only_and_withdraw_touches_only_ours() {
    let (o, c) = oss_with_contributor();
    let env = &o.env;
    let idea = env.create(&c, &["An idea"]);
    let r = env.fails(&c, &["propose", &idea, "--to", "beads-planning"], 4);
    assert!(r.stderr.contains("beads-planning is your planning remote"), "{}", r.stderr);
    // Someone else's rejected proposal, fetched: not ours to delete.
    let other = o.contributor("other");
    let theirs = env.create(&other, &["Their idea"]);
    env.json(&other, &["--actor", "someone-else", "propose", &theirs, "--name", "theirs"]);
    env.ok(&o.maintainer, &["fetch"]);
    env.ok(&o.maintainer, &["reject", "theirs", "-r", "no"]);
    env.ok(&c, &["fetch", "upstream"]);
    let r = env.fails(&c, &["withdraw", "theirs"], 4);
    assert!(r.stderr.contains("is not a proposal of this clone"), "{}", r.stderr);
    assert!(beads_refs(env, &o.upstream).contains(&"refs/beads/rejected/theirs".to_string()));
}

#[test]
fn a_shared_planning_repository_keeps_projects_with_dashed_names_apart() {
    let o = oss();
    let env = &o.env;
    env.create(&o.maintainer, &["Seed"]);
    env.ok(&o.maintainer, &["sync"]);
    // Project "project-tools" plans in the same planning repository.
    let tools = env.repo("tools");
    env.ok(&tools, &["init", "--prefix", "pt", "--contributor", "--project", "project-tools", "--planning", o.planning.to_str().unwrap()]);
    let theirs = env.create(&tools, &["Tools planning"]);
    env.ok(&tools, &["sync", "beads-planning"]);
    assert!(beads_refs(env, &o.planning).contains(&"refs/beads/planning/project-tools".to_string()));
    // Project "project": its phases sync, project-tools' planning does not.
    let c = o.contributor("contributor");
    env.create(&c, &["A phase", "--ns", "planning/project-arch"]);
    env.ok(&c, &["sync"]);
    let refs = beads_refs(env, &c);
    assert!(refs.contains(&"refs/beads/planning/project-arch".to_string()), "{refs:?}");
    assert!(!refs.contains(&"refs/beads/planning/project-tools".to_string()), "{refs:?}");
    env.fails(&c, &["show", &theirs, "--all-ns"], 3);
    let c2 = o.contributor("contributor-2");
    assert!(beads_refs(env, &c2).contains(&"refs/beads/planning/project-arch".to_string()), "a second clone gets the phase");
    assert!(!beads_refs(env, &c2).contains(&"refs/beads/planning/project-tools".to_string()));
}

#[test]
fn an_accept_that_cannot_be_published_says_what_happened() {
    let (o, c) = oss_with_contributor();
    let env = &o.env;
    let idea = env.create(&c, &["An idea"]);
    let name = env.json(&c, &["propose", &idea])["name"].as_str().unwrap().to_string();
    env.ok(&o.maintainer, &["fetch"]);
    let hook = refuse_pushes(&o.upstream, "read-only for maintenance");
    let r = env.fails(&o.maintainer, &["accept", &name], 6);
    assert!(r.stderr.contains("accepted into refs/beads/heads/main here, but origin was not updated"), "{}", r.stderr);
    assert!(r.stderr.contains("remote origin refused the push"), "the remote's refusal is among the causes: {}", r.stderr);
    assert!(!r.stderr.contains("unchanged"), "{}", r.stderr);
    assert_eq!(env.json(&o.maintainer, &["show", &idea])[0]["namespace"], "heads/main");
    std::fs::remove_file(&hook).unwrap();
    // Once the remote takes pushes again, accepting again finishes the job.
    env.ok(&o.maintainer, &["accept", &name]);
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
}

#[test]
fn a_proposal_left_on_the_contributors_fork_is_accepted_and_cleaned_up_by_the_contributor() {
    // The contributor cannot push to upstream, so the proposal stays on the
    // fork; the maintainer reads it from there but cannot push to the fork.
    let (o, c) = oss_with_contributor();
    let env = &o.env;
    let idea = env.create(&c, &["Offered from the fork"]);
    let name = env.json(&c, &["propose", &idea, "--to", "origin"])["name"].as_str().unwrap().to_string();
    let on_fork = format!("refs/beads/proposals/{name}");
    assert!(beads_refs(env, &o.fork).contains(&on_fork));
    assert_eq!(beads_refs(env, &o.upstream), ["refs/beads/heads/main"]);
    let m = &o.maintainer;
    env.git(m, &["remote", "add", "contributor", o.fork.to_str().unwrap()]);
    env.git(m, &["remote", "set-url", "--push", "contributor", env.path("no-push-rights.git").to_str().unwrap()]);
    env.ok(m, &["fetch", "contributor"]);
    assert_eq!(env.json(m, &["proposals"])[0]["name"], json!(name));
    let out = env.json(m, &["accept", &name]);
    assert_eq!((out["accepted"].clone(), out["left"].clone()), (json!([idea]), json!([name])));
    assert!(env.git(&o.upstream, &["ls-tree", "-r", "--name-only", "refs/beads/heads/main"]).contains(&idea), "published upstream");
    assert!(beads_refs(env, &o.fork).contains(&on_fork), "still on the fork");
    // The contributor's sync sees it canonical upstream and takes the proposal down.
    let out = env.ok(&c, &["sync"]);
    assert!(out.contains(&format!("proposal {name} was accepted ({idea})")), "{out}");
    assert!(!beads_refs(env, &o.fork).contains(&on_fork));
    assert_eq!(env.json(&c, &["show", &idea])[0]["namespace"], "heads/main");
}
