//! The sample hooks, fired by git itself.

#![allow(clippy::cloned_ref_to_slice_refs, clippy::result_large_err)]

mod common;
use common::Env;

#[test]
fn commit_msg_warns_about_missing_issues_and_never_blocks() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Exists"]);
    let hook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/commit-msg");
    let dest = dir.join(".git/hooks/commit-msg");
    std::fs::copy(&hook, &dest).unwrap();
    std::fs::write(dir.join("f"), "1").unwrap();
    env.git(&dir, &["add", "f"]);
    let msg = format!("Change things [bd-nope1]\n\nCloses: {a}\nRefs: bd-nope2, {a}\n");
    let out = env.git_output(&dir, &["commit", "-q", "-m", &msg]);
    assert!(out.status.success(), "the hook never blocks: {}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("names bd-nope1, which does not exist"), "{err}");
    assert!(err.contains("names bd-nope2, which does not exist"), "{err}");
    assert!(!err.contains(&format!("names {a}")), "{err}");
}
