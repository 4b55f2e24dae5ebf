//! The store against real temporary repositories: compare-and-swap,
//! re-applied operations, the index cache.

use super::Repo;
use crate::model::Issue;
use crate::ops::{self, NewIssue, Scope};
use crate::store::cache::{self, Source};
use crate::store::refs::SwapError;
use crate::store::{Error, Namespace};
use std::cell::Cell;

/// A fresh repository, a store on it, its canonical namespace and the actor.
fn fixture() -> (Repo, crate::store::Store, Namespace, crate::store::Actor) {
    let repo = Repo::new();
    let store = repo.store();
    let ns = store.canonical().unwrap();
    let actor = store.actor(None);
    (repo, store, ns, actor)
}

fn new_issue(title: &str) -> NewIssue {
    NewIssue { title: title.to_string(), ..Default::default() }
}

#[test]
fn a_lost_compare_and_swap_reapplies_the_operation() {
    let repo = Repo::new();
    let store = repo.store();
    let other = repo.store();
    let ns = store.canonical().unwrap();
    let actor = store.actor(Some("tester"));
    let runs = Cell::new(0);
    let done = store
        .mutate(&ns, &actor, |txn| -> Result<_, Error> {
            runs.set(runs.get() + 1);
            if runs.get() == 1 {
                // Another writer moves the ref between our read and our write.
                ops::create(&other, &ns, &actor, &NewIssue { id: Some("bd-other".into()), ..new_issue("Interloper") }, &Scope::default())
                    .unwrap();
            }
            txn.put(Issue::new("bd-mine".into(), "Mine".into(), txn.now()))?;
            Ok(txn.base().map(|b| b.commit))
        })
        .unwrap();
    assert_eq!(runs.get(), 2, "the operation ran again on the new tip");
    assert_eq!(done.attempts, 2);
    let snap = store.snapshot(&ns).unwrap();
    let ids: Vec<&str> = snap.index.ids().collect();
    assert_eq!(ids, ["bd-mine", "bd-other"], "nothing was lost");
    // Our commit sits on top of the interloper's.
    let parent = repo.git(&["rev-parse", "refs/beads/heads/main^"]);
    assert_eq!(Some(parent), done.value.map(|c| c.to_string()));
}

#[test]
fn compare_and_swap_refuses_a_ref_that_moved() {
    let (_repo, store, ns, actor) = fixture();
    ops::create(&store, &ns, &actor, &new_issue("One"), &Scope::default()).unwrap();
    let first = store.tip(&ns).unwrap().unwrap().commit;
    ops::create(&store, &ns, &actor, &new_issue("Two"), &Scope::default()).unwrap();
    let second = store.tip(&ns).unwrap().unwrap().commit;
    let err = store.compare_and_swap(&ns, Some(first), first, "stale").unwrap_err();
    assert!(matches!(&err, Error::RefUpdate { source: SwapError::Lost { actual: Some(a) }, .. } if *a == second), "{err}");
    assert_eq!(store.tip(&ns).unwrap().unwrap().commit, second, "the ref did not move");
    let err = store.compare_and_swap(&ns, None, first, "create over existing").unwrap_err();
    assert!(matches!(err, Error::RefUpdate { source: SwapError::Lost { .. }, .. }), "{err}");
    store.compare_and_swap(&ns, Some(second), first, "rewind").unwrap();
    assert_eq!(store.tip(&ns).unwrap().unwrap().commit, first);
}

#[test]
fn unchanged_writes_make_no_commit() {
    let (_repo, store, ns, actor) = fixture();
    let made = ops::create(&store, &ns, &actor, &new_issue("Same"), &Scope::default()).unwrap();
    let tip = store.tip(&ns).unwrap();
    let again = store
        .mutate(&ns, &actor, |txn| -> Result<_, Error> {
            let i = txn.require(&made.value.id)?;
            txn.put(i)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(again.commit, None);
    assert_eq!(store.tip(&ns).unwrap(), tip);
}

#[test]
fn the_index_is_refreshed_incrementally_and_matches_a_cold_build() {
    let (_repo, store, ns, actor) = fixture();
    for n in 0..30 {
        ops::create(&store, &ns, &actor, &new_issue(&format!("issue {n}")), &Scope::default()).unwrap();
    }
    let tip = store.tip(&ns).unwrap().unwrap();
    let (_, first) = cache::load_reporting(&store, &ns, tip.tree).unwrap();
    assert!(matches!(first, Source::Cold | Source::Incremental { .. }));
    let (_, hit) = cache::load_reporting(&store, &ns, tip.tree).unwrap();
    assert_eq!(hit, Source::Hit);
    let ids: Vec<String> = store.snapshot(&ns).unwrap().index.ids().map(str::to_string).collect();
    ops::close(&store, &ns, &actor, &ids[..3], Some("done"), true, &Scope::default()).unwrap();
    let tip = store.tip(&ns).unwrap().unwrap();
    let (_, source) = cache::load_reporting(&store, &ns, tip.tree).unwrap();
    assert_eq!(source, Source::Incremental { changed: 3 }, "only the three changed blobs were read");
    ops::delete(&store, &ns, &actor, &ids[3..4], true).unwrap();
    let tip = store.tip(&ns).unwrap().unwrap();
    let (warm, source) = cache::load_reporting(&store, &ns, tip.tree).unwrap();
    assert_eq!(source, Source::Incremental { changed: 1 });
    let cold = cache::build_cold_index(&store, &ns, tip.tree).unwrap();
    assert!(warm.delta().is_some(), "small changes go into a delta over the full index");
    assert_eq!(warm.len(), cold.len());
    for i in 0..cold.len() {
        let r = warm.find(cold.id(i)).unwrap();
        assert_eq!((r.index.json_open(r.row), r.index.blob(r.row)), (cold.json_open(i), cold.blob(i)));
    }
}

#[test]
fn namespaces_are_validated() {
    assert!(Namespace::branch("main").is_ok());
    assert!(Namespace::branch("feature/x").is_ok());
    for bad in ["bad..name", "ends.lock", "sp ace", "", "a~b", "x/"] {
        assert!(Namespace::branch(bad).is_err(), "{bad:?}");
    }
}
