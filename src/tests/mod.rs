//! Tests across layers, inside the crate (they reach `pub(crate)` internals),
//! and their fixture: a real repository in a temporary directory,
//! initialized through the front door, with a pinned clock and seed.

mod store;

use crate::model::Timestamp;
use crate::store::{Options, Store};
use crate::{Beads, InitOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary repository set up for beads with prefix `bd` on `main`.
pub(crate) struct Repo {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

/// The options every fixture store uses: a pinned clock and ID seed.
pub(crate) fn options() -> Options {
    Options::default().now(Timestamp::parse("2026-01-02T03:04:05Z").unwrap()).seed(42).actor("tester")
}

impl Repo {
    pub(crate) fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r");
        std::fs::create_dir_all(&path).unwrap();
        git(&path, &["init", "-q", "-b", "main"]);
        let mut beads = Beads::open(&path, options()).expect("repository opens");
        let init = InitOptions { prefix: Some("bd".into()), branch: Some("main".into()), ..Default::default() };
        beads.init(&init).expect("init");
        Repo { _dir: dir, path }
    }

    /// A store on the repository with the fixture options.
    pub(crate) fn store(&self) -> Store {
        Store::open(&self.path, options()).expect("repository opens")
    }

    /// Runs git in the repository; returns trimmed stdout.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "user.name=tester", "-c", "user.email=tester@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
