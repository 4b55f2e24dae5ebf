//! Whole-output snapshots: for every command, human and JSON, what it
//! prints on stdout and stderr and how it exits, as one transcript per
//! scenario in `tests/snapshots/` (insta; `INSTA_UPDATE=always cargo test`
//! rewrites them after a deliberate change, and review is `git diff`).
//! The clock and ID seed are pinned, so IDs and commit hashes are stable;
//! temporary paths print as `[TMP]`.

use crate::common::Env;
use std::path::Path;

/// A transcript of commands run in one repository.
struct Transcript<'e> {
    env: &'e Env,
    text: String,
}

impl<'e> Transcript<'e> {
    fn new(env: &'e Env) -> Self {
        Transcript { env, text: String::new() }
    }

    /// Runs `args` in `dir`, human then with `--json`.
    fn both(&mut self, dir: &Path, args: &[&str]) {
        self.run(dir, args);
        let mut json = args.to_vec();
        json.push("--json");
        self.run(dir, &json);
    }

    /// Runs `args` in `dir` once and records everything it printed;
    /// returns stdout.
    fn run(&mut self, dir: &Path, args: &[&str]) -> String {
        let r = self.env.run(dir, args);
        let root = self.env.root.path().display().to_string();
        let scrub = |s: &str| s.replace(&root, "[TMP]");
        self.text += &format!("$ git beads {}\n", args.join(" "));
        if r.code != 0 {
            self.text += &format!("[exit {}]\n", r.code);
        }
        self.text += &scrub(&r.stdout);
        if !r.stderr.is_empty() {
            self.text += "--- stderr\n";
            self.text += &scrub(&r.stderr);
        }
        self.text += "\n";
        r.stdout
    }
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn everyday_commands() {
    let env = Env::new();
    let dir = env.repo("r");
    let mut t = Transcript::new(&env);
    t.both(&dir, &["init", "--prefix", "bd"]);
    let schema = t.run(&dir, &["create", "Design the schema", "-p", "1", "-t", "feature", "-l", "db"]).trim().to_string();
    let api = t.run(&dir, &["create", "Build the API", "--deps", &format!("blocks:{schema}"), "-d", "REST, then gRPC"]).trim().to_string();
    let docs = t.run(&dir, &["create", "Write the docs", "-t", "chore", "--json"]);
    let docs = serde_json::from_str::<serde_json::Value>(&docs).unwrap()["id"].as_str().unwrap().to_string();
    let typo = t.run(&dir, &["q", "Fix the typo"]).trim().to_string();
    let spare = t.run(&dir, &["q", "Spare", "--json"]);
    let spare = serde_json::from_str::<serde_json::Value>(&spare).unwrap()["id"].as_str().unwrap().to_string();
    let (schema, api, docs, typo, spare) = (&schema, &api, &docs, &typo, &spare);
    for args in [
        vec!["list"],
        vec!["ready"],
        vec!["blocked"],
        vec!["show", api.as_str()],
        vec!["search", "schema"],
        vec!["stats"],
        vec!["count", "--by", "status"],
        vec!["stale", "--days", "0"],
    ] {
        t.both(&dir, &args);
    }
    t.both(&dir, &["update", schema, "--claim"]);
    t.both(&dir, &["update", docs, "--priority", "3", "--add-label", "docs"]);
    t.both(&dir, &["dep", "add", docs, api]);
    t.both(&dir, &["dep", "list", docs]);
    t.both(&dir, &["dep", "tree", docs]);
    t.both(&dir, &["dep", "remove", docs, api]);
    t.both(&dir, &["label", "add", typo, "quick"]);
    t.both(&dir, &["label", "list", typo]);
    t.both(&dir, &["comments", "add", schema, "Started on the tables"]);
    t.both(&dir, &["comments", schema]);
    t.both(&dir, &["close", schema, "--reason", "done"]);
    t.both(&dir, &["ready"]);
    t.both(&dir, &["reopen", schema]);
    t.both(&dir, &["defer", typo, "--until", "2026-02-01"]);
    t.both(&dir, &["undefer", typo]);
    t.both(&dir, &["log", schema]);
    t.both(&dir, &["delete", typo]);
    t.run(&dir, &["delete", typo, "--force"]);
    t.run(&dir, &["delete", spare, "--force", "--json"]);
    t.both(&dir, &["export"]);
    settings().bind(|| insta::assert_snapshot!("everyday_commands", t.text));
}

#[test]
fn errors_human_and_json() {
    let env = Env::new();
    let mut t = Transcript::new(&env);
    let plain = env.path("plain");
    std::fs::create_dir_all(&plain).unwrap();
    t.both(&plain, &["list"]);
    let bare = env.repo("fresh");
    t.both(&bare, &["create", "x"]);
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["A"]);
    let b = env.create(&dir, &["B", "--deps", &format!("blocks:{a}")]);
    t.both(&dir, &["show", "bd-zzzz"]);
    t.both(&dir, &["close", &b]);
    t.both(&dir, &["dep", "add", &a, &b]);
    t.both(&dir, &["dep", "add", &a, &a]);
    t.both(&dir, &["update", &a, "--priority", "9"]);
    t.both(&dir, &["update", &a, "--claim", "--actor", "ann"]);
    t.both(&dir, &["update", &a, "--claim", "--actor", "bob"]);
    t.both(&dir, &["--ns", "refs/beads/remotes/origin/heads/main", "create", "x"]);
    t.both(&dir, &["sync", "nowhere"]);
    t.both(&dir, &["list", "--sort", "sideways"]);
    t.both(&dir, &["frobnicate"]);
    settings().bind(|| insta::assert_snapshot!("errors_human_and_json", t.text));
}

#[test]
fn sharing_commands() {
    let env = Env::new();
    let remote = env.path("remote.git");
    env.git(env.root.path(), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    let dir = env.beads_repo("r");
    env.git(&dir, &["remote", "add", "origin", remote.to_str().unwrap()]);
    env.git(&dir, &["push", "-q", "origin", "main"]);
    let mut t = Transcript::new(&env);
    let a = env.create(&dir, &["Shared work"]);
    t.both(&dir, &["sync", "--status"]);
    t.both(&dir, &["sync"]);
    t.both(&dir, &["fetch"]);
    t.both(&dir, &["push"]);
    t.both(&dir, &["ns", "list"]);
    t.both(&dir, &["propose", &a, "--name", "ann/first"]);
    t.both(&dir, &["proposals"]);
    t.both(&dir, &["check"]);
    t.both(&dir, &["hooks", "list"]);
    t.both(&dir, &["unlock"]);
    settings().bind(|| insta::assert_snapshot!("sharing_commands", t.text));
}
