//! Test harness: temporary repositories, a pinned environment, and a runner
//! for the real binary that checks, after every command, that the working
//! tree, the index and HEAD are exactly as before.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_git-beads"))
}

/// The shared data directory (`../shared` beside the project).
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared")
}

/// A sandbox: its own HOME and global git config, pinned clocks and seed.
pub struct Env {
    pub root: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

/// What a command printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        let root = tempfile::tempdir().expect("temp dir");
        let home = root.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let gitconfig = home.join(".gitconfig");
        std::fs::write(
            &gitconfig,
            "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[protocol \"file\"]\n\tallow = always\n",
        )
        .unwrap();
        let path = format!("{}:{}", bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        let vars = [
            ("HOME", home.display().to_string()),
            ("GIT_CONFIG_GLOBAL", gitconfig.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z".into()),
            ("GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z".into()),
            ("GIT_BEADS_NOW", "2026-01-02T03:04:05Z".into()),
            ("GIT_BEADS_SEED", "42".into()),
            ("LANG", "C".into()),
            ("LC_ALL", "C".into()),
            ("NO_COLOR", "1".into()),
            ("TERM", "dumb".into()),
            ("GIT_OPTIONAL_LOCKS", "0".into()),
            ("PATH", path),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Env { root, vars }
    }

    /// An environment whose generated IDs are random (several clones must
    /// not generate the same IDs).
    pub fn unseeded() -> Env {
        let mut env = Env::new();
        env.vars.retain(|(k, _)| k != "GIT_BEADS_SEED");
        env
    }

    /// Overrides (or adds) an environment variable for later commands.
    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.to_string()));
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn apply(&self, c: &mut Command) {
        c.env_clear();
        for (k, v) in &self.vars {
            c.env(k, v);
        }
    }

    /// Runs `git` in `dir`, panicking on failure; returns stdout.
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output(dir, args);
        assert!(out.status.success(), "git {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        let mut c = Command::new("git");
        self.apply(&mut c);
        c.current_dir(dir).args(args).stdin(Stdio::null());
        c.output().expect("git runs")
    }

    /// Runs `git` with `input` on stdin.
    pub fn git_stdin(&self, dir: &Path, args: &[&str], input: &[u8]) -> String {
        use std::io::Write;
        let mut c = Command::new("git");
        self.apply(&mut c);
        c.current_dir(dir).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("git runs");
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A new repository with one commit on `main` and a tracked file.
    pub fn repo(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "-q", "-b", "main"]);
        std::fs::write(dir.join("README"), "hello\n").unwrap();
        self.git(&dir, &["add", "README"]);
        self.git(&dir, &["commit", "-q", "-m", "initial"]);
        dir
    }

    /// A repository set up with `git beads init --prefix bd`.
    pub fn beads_repo(&self, name: &str) -> PathBuf {
        let dir = self.repo(name);
        self.ok(&dir, &["init", "--prefix", "bd"]);
        dir
    }

    /// Runs the binary in `dir`, checking that the working tree, the index
    /// and HEAD are untouched.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_with(dir, args, None, &[])
    }

    /// Runs and expects success without the working-tree check: only for
    /// `hooks install|uninstall` with a `core.hooksPath` inside the work tree
    /// (husky's `.husky/_`), where writing is what the user configured.
    pub fn ok_writing_worktree(&self, dir: &Path, args: &[&str]) -> String {
        let r = self.exec(dir, args, None, &[]);
        assert_eq!(r.code, 0, "git-beads {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    /// Like [`Env::run`] with stdin and extra variables.
    pub fn run_with(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>, extra: &[(&str, &str)]) -> Run {
        let before = self.worktree_state(dir);
        let r = self.exec(dir, args, stdin, extra);
        let after = self.worktree_state(dir);
        assert_eq!(before, after, "git-beads {args:?} changed the working tree, index or HEAD");
        r
    }

    fn exec(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>, extra: &[(&str, &str)]) -> Run {
        use std::io::Write;
        let mut c = Command::new(bin());
        self.apply(&mut c);
        for (k, v) in extra {
            c.env(k, v);
        }
        c.current_dir(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = c.spawn().expect("binary runs");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// The binary as a command in `dir` with this environment, to spawn
    /// and signal as a process of its own.
    pub fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        self.apply(&mut c);
        c.current_dir(dir).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let r = self.run(dir, args);
        assert_eq!(r.code, 0, "git-beads {args:?} failed (exit {}):\nstdout:\n{}\nstderr:\n{}", r.code, r.stdout, r.stderr);
        r.stdout
    }

    /// Runs with `--json` appended and parses stdout.
    pub fn json(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let mut a: Vec<&str> = args.to_vec();
        a.push("--json");
        let out = self.ok(dir, &a);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    /// Runs and expects failure with `code`; returns the run.
    pub fn fails(&self, dir: &Path, args: &[&str], code: i32) -> Run {
        let r = self.run(dir, args);
        assert_eq!(r.code, code, "git-beads {args:?}: expected exit {code}, got {}:\nstdout:\n{}\nstderr:\n{}", r.code, r.stdout, r.stderr);
        r
    }

    /// Creates an issue and returns its ID.
    pub fn create(&self, dir: &Path, args: &[&str]) -> String {
        let mut a = vec!["create"];
        a.extend_from_slice(args);
        self.ok(dir, &a).trim().to_string()
    }

    /// The state a git-beads command must never change: HEAD (and the ref
    /// it names), the index file, and every file of the working tree with
    /// its content, read straight from disk (no git process per run).
    /// `None` for a bare repository or a directory that is not in one.
    pub fn worktree_state(&self, dir: &Path) -> Option<WorktreeState> {
        let top = dir.ancestors().find(|d| d.join(".git").exists())?;
        let dot_git = top.join(".git");
        let git_dir = if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let rel = text.trim().strip_prefix("gitdir:")?.trim().to_string();
            top.join(rel)
        } else {
            dot_git
        };
        let common = std::fs::read_to_string(git_dir.join("commondir")).map(|c| git_dir.join(c.trim())).unwrap_or_else(|_| git_dir.clone());
        let head = std::fs::read_to_string(git_dir.join("HEAD")).unwrap_or_default();
        let mut head_ref = head.clone();
        if let Some(name) = head.trim().strip_prefix("ref: ") {
            // The ref's value, loose or packed (`git pack-refs` may move it).
            let value = match std::fs::read_to_string(common.join(name)) {
                Ok(loose) => loose.trim().to_string(),
                Err(_) => {
                    let packed = std::fs::read_to_string(common.join("packed-refs")).unwrap_or_default();
                    let line = packed.lines().find(|l| l.ends_with(&format!(" {name}"))).unwrap_or("");
                    line.split(' ').next().unwrap_or("").to_string()
                }
            };
            head_ref += &value;
        }
        let index = std::fs::read(git_dir.join("index")).unwrap_or_default();
        let mut files = Vec::new();
        walk(top, top, &mut files);
        files.sort();
        Some(WorktreeState { head: head_ref, index, files })
    }

    /// The namespace tip commit, if any.
    pub fn tip(&self, dir: &Path, refname: &str) -> Option<String> {
        let out = self.git_output(dir, &["rev-parse", "--verify", "-q", refname]);
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Runs `git` in `dir` with a scratch index file (never the
    /// repository's own), returning trimmed stdout: for building trees by hand.
    pub fn git_scratch(&self, dir: &Path, args: &[&str]) -> String {
        let mut c = Command::new("git");
        self.apply(&mut c);
        c.env("GIT_INDEX_FILE", self.path("scratch-index")).current_dir(dir).args(args);
        let out = c.output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Replaces (or adds) one path in the canonical namespace with
    /// `content`, with plain git: what a hand edit or another tool would do.
    pub fn write_blob(&self, dir: &Path, path: &str, content: &[u8]) {
        let blob = self.git_stdin(dir, &["hash-object", "-w", "--stdin"], content);
        self.git_scratch(dir, &["read-tree", "refs/beads/heads/main"]);
        self.git_scratch(dir, &["update-index", "--add", "--cacheinfo", &format!("100644,{blob},{path}")]);
        let tree = self.git_scratch(dir, &["write-tree"]);
        let commit = self.git(dir, &["commit-tree", &tree, "-p", "refs/beads/heads/main", "-m", "hand edit"]).trim().to_string();
        self.git(dir, &["update-ref", "refs/beads/heads/main", &commit]);
    }
}

/// A real `git daemon` on 127.0.0.1 serving the repositories under a folder
/// (pushes allowed), stopped when dropped.
pub struct Daemon {
    child: std::process::Child,
    pub port: u16,
}

impl Daemon {
    pub fn start(env: &Env, base: &Path) -> Daemon {
        use std::os::unix::process::CommandExt;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut c = Command::new("git");
        c.env_clear();
        for (k, v) in &env.vars {
            c.env(k, v);
        }
        c.args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={}", base.display()),
            &base.display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
        let child = c.spawn().expect("git daemon starts");
        let mut daemon = Daemon { child, port };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return daemon;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        daemon.stop();
        panic!("git daemon did not come up on port {port}");
    }

    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }

    pub fn stop(&mut self) {
        let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", self.child.id())]).status();
        for _ in 0..200 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What [`Env::worktree_state`] compares before and after a command.
#[derive(Debug, PartialEq, Eq)]
pub struct WorktreeState {
    head: String,
    index: Vec<u8>,
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

/// Every path under `dir` except `.git`, with file contents (or a link's
/// target); directories are listed too, so an added empty one shows.
fn walk(top: &Path, dir: &Path, out: &mut Vec<(PathBuf, Option<Vec<u8>>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if dir == top && e.file_name() == ".git" {
            continue;
        }
        let rel = path.strip_prefix(top).unwrap().to_path_buf();
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                // A nested repository (a clone, a bare remote) is its own tree.
                if path.join(".git").exists() || (path.join("HEAD").is_file() && path.join("objects").is_dir()) {
                    continue;
                }
                out.push((rel, None));
                walk(top, &path, out);
            }
            Ok(t) if t.is_symlink() => out.push((rel, std::fs::read_link(&path).ok().map(|l| l.into_os_string().into_encoded_bytes()))),
            _ => out.push((rel, Some(std::fs::read(&path).unwrap_or_default()))),
        }
    }
}
