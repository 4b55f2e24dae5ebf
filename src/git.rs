//! The system `git`, for what gix does not do here: writing config and
//! talking to remotes. Every call names the repository explicitly and
//! captures stderr for the error message.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Why a git command did not do its job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `git` could not be started (not installed, not on `PATH`).
    #[error("could not run `git` (is it installed and on PATH?)")]
    Spawn {
        #[source]
        source: std::io::Error,
    },
    /// git ran and failed: the command (without the repository argument),
    /// its exit status and what it said on stderr.
    #[error("`{command}` failed ({status}): {stderr}")]
    Failed { command: String, status: String, stderr: String },
    /// A git process ran past its time limit and was stopped.
    #[error("`{command}` did not finish within {secs}s and was stopped")]
    Timeout { command: String, secs: u64 },
}

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Set for every git process git-beads runs, so that hooks those processes
/// run can tell (git-beads' hooks then do nothing).
pub const INTERNAL_ENV: &str = "GIT_BEADS_INTERNAL";

/// Runs `git` against one repository.
#[derive(Clone, Debug)]
pub struct Git {
    git_dir: PathBuf,
    /// How long one git process may run before it is ended (network
    /// operations; `None`: no limit).
    timeout: Option<Duration>,
}

impl Git {
    /// A runner for the repository at `git_dir`.
    pub fn new(git_dir: &Path) -> Git {
        Git { git_dir: git_dir.to_path_buf(), timeout: None }
    }

    /// The same runner, ending any git process that takes longer than `timeout`.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Git {
        self.timeout = timeout;
        self
    }

    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = Command::new("git");
        c.arg("--git-dir").arg(&self.git_dir).args(args);
        c.stdin(Stdio::null());
        // Never let git open an editor or a pager, or ask on a terminal.
        c.env("GIT_TERMINAL_PROMPT", "0").env("GIT_PAGER", "cat").env("GIT_EDITOR", "true").env(INTERNAL_ENV, "1");
        c
    }

    /// Runs git and returns its output whatever the exit status. The process
    /// is ended on interrupt (see [`crate::interrupt`]) and, with a timeout,
    /// once it has run that long.
    pub fn output<I, S>(&self, args: I) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let mut c = self.command(&args);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = c.spawn().map_err(|source| Error::Spawn { source })?;
        let _registered = crate::interrupt::register_child(child.id());
        let Some(limit) = self.timeout else {
            return child.wait_with_output().map_err(|source| Error::Spawn { source });
        };
        let pid = child.id();
        let (done, finished) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let out = child.wait_with_output();
            let _ = done.send(());
            out
        });
        let timed_out = matches!(finished.recv_timeout(limit), Err(std::sync::mpsc::RecvTimeoutError::Timeout));
        if timed_out {
            crate::interrupt::terminate(pid);
            // git ends its own children (ssh, remote helpers) on SIGTERM;
            // one that ignores it is killed.
            if finished.recv_timeout(Duration::from_secs(2)).is_err()
                && let Some(p) = rustix::process::Pid::from_raw(pid as i32)
            {
                let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
            }
        }
        let out = waiter.join().map_err(|_| Error::Spawn { source: std::io::Error::other("the thread waiting for git panicked") })?;
        if timed_out {
            // `git fetch origin`: the command and the remote, not every option and refspec.
            let shown: Vec<String> =
                args.iter().map(|a| a.to_string_lossy().into_owned()).filter(|a| !a.starts_with('-')).take(2).collect();
            return Err(Error::Timeout { command: format!("git {}", shown.join(" ")), secs: limit.as_secs() });
        }
        out.map_err(|source| Error::Spawn { source })
    }

    /// Runs git and returns stdout, failing with git's stderr on a non-zero exit.
    pub fn run<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.output(&args)?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        let shown: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        Err(Error::Failed {
            command: format!("git {}", shown.join(" ")),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }

    /// All values of a multi-valued config key (empty when unset).
    pub fn config_all(&self, key: &str) -> Result<Vec<String>> {
        let out = self.output(["config", "--get-all", key])?;
        // Exit 1 means "not set".
        if !out.status.success() && out.status.code() != Some(1) {
            return Err(Error::Failed {
                command: format!("git config --get-all {key}"),
                status: out.status.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
    }

    /// Sets a single-valued key in the repository's config.
    pub fn config_set(&self, key: &str, value: &str) -> Result<()> {
        self.run(["config", "--local", key, value]).map(drop)
    }

    /// Adds a value to a multi-valued key unless it is there already; returns whether it was added.
    pub fn config_add_once(&self, key: &str, value: &str) -> Result<bool> {
        if self.config_all(key)?.iter().any(|v| v == value) {
            return Ok(false);
        }
        self.run(["config", "--local", "--add", key, value])?;
        Ok(true)
    }

    /// The configured remotes.
    pub fn remotes(&self) -> Result<Vec<String>> {
        Ok(self.run(["remote"])?.lines().map(str::to_string).filter(|s| !s.is_empty()).collect())
    }
}

/// The fetch refspec that keeps `refs/beads/remotes/<remote>/heads/*` current.
pub fn fetch_refspec(remote: &str) -> String {
    format!("+refs/beads/heads/*:refs/beads/remotes/{remote}/heads/*")
}
