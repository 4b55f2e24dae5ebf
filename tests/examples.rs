//! The programs in `examples/`, run as a downstream user would run them.

use crate::common::Env;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// An example's binary: `cargo test` builds every example beside the test
/// binaries (`target/debug/examples/`).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("examples").join(name);
    assert!(path.exists(), "{} is missing: `cargo test` builds the examples", path.display());
    path
}

#[test]
fn orchestrator_workers_take_every_issue_exactly_once() {
    let env = Env::unseeded();
    let dir = env.beads_repo("r");
    // Thirty independent issues, and a chain of five where each waits on the
    // one before: those become ready only as workers close their blockers.
    let mut all: Vec<String> = (0..30).map(|n| env.create(&dir, &[&format!("task {n}")])).collect();
    let mut prev = env.create(&dir, &["chain 0"]);
    all.push(prev.clone());
    for n in 1..5 {
        prev = env.create(&dir, &[&format!("chain {n}"), "--deps", &format!("blocks:{prev}")]);
        all.push(prev.clone());
    }
    let mut cmd = Command::new(example("orchestrator"));
    cmd.env_clear();
    for (k, v) in &env.vars {
        cmd.env(k, v);
    }
    let out = cmd.arg(&dir).args(["--workers", "4"]).output().expect("the example runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "orchestrator failed:\n{stderr}");
    let mut taken: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (worker, id) = line.split_once('\t').expect("worker<TAB>id");
        taken.entry(id.to_string()).or_default().push(worker.to_string());
    }
    for (id, workers) in &taken {
        assert_eq!(workers.len(), 1, "{id} was taken by {workers:?}");
    }
    all.sort();
    assert_eq!(taken.keys().cloned().collect::<Vec<_>>(), all, "every issue was taken");
    let workers: std::collections::BTreeSet<&String> = taken.values().flatten().collect();
    assert!(workers.len() > 1, "the work was shared: {workers:?}");
    // Each issue is closed, by the worker that took it.
    let listed = env.json(&dir, &["list", "--all"]);
    for issue in listed.as_array().unwrap() {
        let id = issue["id"].as_str().unwrap();
        assert_eq!(issue["status"], "closed", "{id}");
        assert_eq!(issue["assignee"].as_str(), Some(taken[id][0].as_str()), "{id}");
    }
    assert!(stderr.contains("4 workers took 35 issues"), "{stderr}");
}
