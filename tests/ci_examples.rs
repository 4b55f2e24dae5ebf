//! The CI examples of docs/examples/ are valid YAML, and their commands are
//! the ones that work: each job's shell steps run here, in a fresh clone as
//! a CI runner makes one, with the values CI would give their variables.
//! (Steps that install git-beads are skipped: the binary under test is on
//! PATH.)

use crate::common::Env;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

/// Replaces GitHub's `${{ expr }}` with values from `ctx`; every expression
/// the examples use must be known (a typo fails the test).
fn expand(text: &str, ctx: &HashMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        out.push_str(ctx.get(expr).unwrap_or_else(|| panic!("unknown expression {expr}")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs `script` as CI does (`bash -eo pipefail`) in `dir` with `vars`.
fn shell(env: &Env, dir: &Path, script: &str, vars: &[(String, String)]) -> (i32, String, String) {
    let mut c = Command::new("bash");
    c.env_clear();
    for (k, v) in env.vars.iter().chain(vars) {
        c.env(k, v);
    }
    let out = c.current_dir(dir).args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Runs the shell steps of a GitHub job, stopping at the first failure.
fn github_job(env: &Env, dir: &Path, job: &Yaml, ctx: &HashMap<&str, String>) -> (i32, String) {
    let mut all = String::new();
    for step in job["steps"].as_vec().unwrap() {
        let Some(run) = step["run"].as_str() else { continue };
        if step["name"].as_str().is_some_and(|n| n.starts_with("Install git-beads")) {
            continue;
        }
        let vars: Vec<(String, String)> = step["env"]
            .as_hash()
            .map(|h| h.iter().map(|(k, v)| (k.as_str().unwrap().to_string(), expand(v.as_str().unwrap(), ctx))).collect())
            .unwrap_or_default();
        let (code, out, err) = shell(env, dir, &expand(run, ctx), &vars);
        all.push_str(&out);
        all.push_str(&err);
        if code != 0 {
            return (code, all);
        }
    }
    (0, all)
}

/// Runs the script of a GitLab job, its lines as one shell script.
fn gitlab_job(env: &Env, dir: &Path, job: &Yaml, vars: &[(&str, String)]) -> (i32, String) {
    let lines: Vec<&str> =
        job["script"].as_vec().unwrap().iter().map(|l| l.as_str().unwrap()).filter(|l| !l.starts_with("cargo install")).collect();
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let (code, out, err) = shell(env, dir, &lines.join("\n"), &vars);
    (code, out + &err)
}

/// A project on a bare remote, its developer clone, and issues: `ready`
/// (open, unblocked) and `blocked` (waiting on `blocker`).
struct Project {
    env: Env,
    remote: PathBuf,
    dev: PathBuf,
    ready: String,
    blocked: String,
    runs: std::cell::Cell<usize>,
}

impl Project {
    fn new() -> Project {
        let env = Env::new();
        let remote = env.path("origin.git");
        env.git(&env.path(""), &["init", "-q", "--bare", remote.to_str().unwrap()]);
        let dev = env.beads_repo("dev");
        env.git(&dev, &["remote", "add", "origin", remote.to_str().unwrap()]);
        env.ok(&dev, &["init"]);
        let ready = env.create(&dev, &["Fix the login"]);
        let blocker = env.create(&dev, &["Design the schema"]);
        let blocked = env.create(&dev, &["Build the schema", "--deps", &blocker]);
        env.ok(&dev, &["sync"]);
        env.git(&dev, &["push", "-q", "origin", "main"]);
        Project { env, remote, dev, ready, blocked, runs: std::cell::Cell::new(0) }
    }

    fn sha(&self, rev: &str) -> String {
        self.env.git(&self.dev, &["rev-parse", rev]).trim().to_string()
    }

    /// A branch with one commit per message, pushed.
    fn branch(&self, name: &str, messages: &[String]) {
        let env = &self.env;
        env.git(&self.dev, &["checkout", "-q", "-b", name, "main"]);
        for (i, m) in messages.iter().enumerate() {
            std::fs::write(self.dev.join(format!("{name}-{i}.txt")), m).unwrap();
            env.git(&self.dev, &["add", "."]);
            env.git(&self.dev, &["commit", "-q", "-m", m]);
        }
        env.git(&self.dev, &["push", "-q", "origin", name]);
        env.git(&self.dev, &["checkout", "-q", "main"]);
    }

    /// A fresh clone checked out at `rev`, as a CI runner makes (no beads refs).
    fn runner(&self, rev: &str) -> PathBuf {
        self.runs.set(self.runs.get() + 1);
        let dir = self.env.path(&format!("runner-{}", self.runs.get()));
        let url = format!("file://{}", self.remote.display());
        self.env.git(&self.env.path(""), &["clone", "-q", &url, dir.to_str().unwrap()]);
        self.env.git(&dir, &["fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*"]);
        self.env.git(&dir, &["checkout", "-q", "--detach", rev]);
        assert!(self.env.git(&dir, &["for-each-ref", "refs/beads"]).is_empty());
        dir
    }
}

#[test]
fn the_github_workflow_checks_pull_requests_and_closes_merged_work() {
    let wf = load("github-workflow.yml");
    assert!(!wf["on"]["pull_request"].is_badvalue() && wf["on"]["push"]["branches"][0].as_str() == Some("main"));
    for job in ["check", "close"] {
        let checkout = &wf["jobs"][job]["steps"][0];
        assert_eq!(checkout["uses"].as_str(), Some("actions/checkout@v4"));
        assert_eq!(checkout["with"]["fetch-depth"].as_i64(), Some(0), "{job} needs the whole history");
    }
    assert_eq!(wf["jobs"]["close"]["permissions"]["contents"].as_str(), Some("write"));

    let p = Project::new();
    let env = &p.env;
    let ctx = |base: &str, head: &str, branch: &str, before: &str, after: &str| -> HashMap<&'static str, String> {
        [
            ("github.event.repository.default_branch", "main".to_string()),
            ("github.event.pull_request.base.sha", base.to_string()),
            ("github.event.pull_request.head.sha", head.to_string()),
            ("github.head_ref", branch.to_string()),
            ("github.event.before", before.to_string()),
            ("github.event.after", after.to_string()),
            ("vars.GIT_BEADS_REPO", "unused: the install step is skipped".to_string()),
        ]
        .into_iter()
        .collect()
    };
    let main = p.sha("main");

    // A good pull request passes.
    p.branch("fix-login", &[format!("Fix the login\n\nCloses: {}", p.ready)]);
    let head = p.sha("fix-login");
    let (code, out) = github_job(env, &p.runner(&head), &wf["jobs"]["check"], &ctx(&main, &head, "fix-login", "", ""));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("check passed"), "{out}");

    // A bad one fails, with annotations on the right commits.
    p.branch("too-early", &[format!("Build it\n\nCloses: {}", p.blocked), "Tidy [bd-zzzz]".to_string()]);
    let bad = p.sha("too-early");
    let first = p.sha("too-early~1");
    let (code, out) = github_job(env, &p.runner(&bad), &wf["jobs"]["check"], &ctx(&main, &bad, "too-early", "", ""));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("::error title=git-beads closes-blocked in commit {}::", &first[..12])), "{out}");
    assert!(out.contains(&format!("::error title=git-beads missing-issue in commit {}::", &bad[..12])), "{out}");

    // After the merge, the push job closes what the merged commits close, once.
    env.git(&p.dev, &["merge", "-q", "--ff-only", "fix-login"]);
    env.git(&p.dev, &["push", "-q", "origin", "main"]);
    let after = p.sha("main");
    let job = &wf["jobs"]["close"];
    let (code, out) = github_job(env, &p.runner(&after), job, &ctx("", "", "", &main, &after));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("closed {}", p.ready)), "{out}");
    let beads_tip = env.git(&p.remote, &["rev-parse", "refs/beads/heads/main"]);
    let (code, out) = github_job(env, &p.runner(&after), job, &ctx("", "", "", &main, &after));
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.git(&p.remote, &["rev-parse", "refs/beads/heads/main"]), beads_tip, "a second run changes nothing");
    env.ok(&p.dev, &["sync"]);
    let shown = &env.json(&p.dev, &["show", &p.ready])[0];
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["close_reason"], format!("closed by commit {} (Fix the login)", &after[..12]));
    // A first push (no "before") is a no-op.
    let (code, _) = github_job(env, &p.runner(&after), job, &ctx("", "", "", &"0".repeat(40), &after));
    assert_eq!(code, 0);
}

#[test]
fn the_gitlab_jobs_check_merge_requests_and_close_merged_work() {
    let ci = load("gitlab-ci.yml");
    assert_eq!(ci["beads-check"]["artifacts"]["reports"]["junit"].as_str(), Some("beads-check.xml"));
    assert_eq!(ci["beads-check"]["variables"]["GIT_DEPTH"].as_i64(), Some(0));

    let p = Project::new();
    let env = &p.env;
    let main = p.sha("main");
    p.branch("too-early", &[format!("Build it\n\nFixes: {}", p.blocked)]);
    let bad = p.sha("too-early");
    let runner = p.runner(&bad);
    let vars = [
        ("CI_DEFAULT_BRANCH", "main".to_string()),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", main.clone()),
        ("CI_COMMIT_SHA", bad.clone()),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "too-early".to_string()),
    ];
    let (code, out) = gitlab_job(env, &runner, &ci["beads-check"], &vars);
    assert_eq!(code, 1, "{out}");
    let junit = std::fs::read_to_string(runner.join("beads-check.xml")).unwrap();
    assert!(junit.contains("failures=\"1\"") && junit.contains("<failure type=\"closes-blocked\""), "{junit}");

    p.branch("fix-login", &[format!("Fix the login\n\nCloses: {}", p.ready)]);
    env.git(&p.dev, &["merge", "-q", "--ff-only", "fix-login"]);
    env.git(&p.dev, &["push", "-q", "origin", "main"]);
    let after = p.sha("main");
    let vars = [("CI_DEFAULT_BRANCH", "main".to_string()), ("CI_COMMIT_BEFORE_SHA", main), ("CI_COMMIT_SHA", after)];
    let (code, out) = gitlab_job(env, &p.runner("main"), &ci["beads-close"], &vars);
    assert_eq!(code, 0, "{out}");
    env.ok(&p.dev, &["sync"]);
    assert_eq!(env.json(&p.dev, &["show", &p.ready])[0]["status"], "closed");
}
