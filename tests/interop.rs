//! Interop with beads tools: import what br writes, compute the same ready and
//! blocked sets br computes, export, re-import, and lose nothing.

use crate::common::Env;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn ids(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
    out.sort();
    out
}

fn fixture_ids(name: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

fn canonical_time(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_else(|_| s.to_string())
}

/// One issue as comparable data: timestamps in one form, lists as sets.
fn normalize(mut v: Value) -> Value {
    let obj = v.as_object_mut().unwrap();
    for (k, val) in obj.iter_mut() {
        if (k.ends_with("_at") || k == "defer_until")
            && let Some(s) = val.as_str()
        {
            *val = Value::String(canonical_time(s));
        }
    }
    for key in ["dependencies", "comments"] {
        if let Some(Value::Array(items)) = obj.get_mut(key) {
            for item in items.iter_mut() {
                if let Some(Value::String(s)) = item.get_mut("created_at") {
                    *s = canonical_time(s);
                }
            }
            let mut set: Vec<String> = items.iter().map(|i| serde_json::to_string(i).unwrap()).collect();
            set.sort();
            set.dedup();
            *items = set.into_iter().map(|s| serde_json::from_str(&s).unwrap()).collect();
        }
    }
    v
}

fn by_id(jsonl: &str) -> BTreeMap<String, Value> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), normalize(v))
        })
        .collect()
}

#[test]
fn br_export_round_trip_and_same_frontier() {
    let env = Env::new();
    let data = crate::common::shared().join("data").join("br-export-2k.jsonl");
    let original = std::fs::read_to_string(&data).unwrap();

    let a = env.repo("a");
    env.ok(&a, &["init", "--prefix", "gb"]);
    let report = env.json(&a, &["import", data.to_str().unwrap()]);
    assert_eq!(report["created"], 2002);
    assert_eq!(env.git(&a, &["rev-list", "--count", "refs/beads/heads/main"]).trim(), "1", "an import is one commit");

    let ready = env.json(&a, &["ready", "--limit", "0"]);
    let blocked = env.json(&a, &["blocked", "--limit", "0"]);
    assert_eq!(ready.as_array().unwrap().len(), 320);
    assert_eq!(blocked.as_array().unwrap().len(), 363);
    assert_eq!(ids(&ready), fixture_ids("br-export-2k.ready"));
    assert_eq!(ids(&blocked), fixture_ids("br-export-2k.blocked"));

    // Export, then import into a fresh repository, then export again.
    let exported = env.ok(&a, &["export"]);
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines.len(), 2002);
    let sorted = {
        let mut s = lines.clone();
        s.sort_by_key(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_string());
        s
    };
    assert_eq!(lines, sorted, "export is sorted by id");
    let file = env.path("exported.jsonl");
    env.ok(&a, &["export", "-o", file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), exported);

    let b = env.repo("b");
    env.ok(&b, &["init", "--prefix", "gb"]);
    env.ok(&b, &["import", file.to_str().unwrap()]);
    assert_eq!(env.ok(&b, &["export"]), exported, "export -> import -> export is a fixed point");
    assert_eq!(
        env.git(&a, &["rev-parse", "refs/beads/heads/main^{tree}"]),
        env.git(&b, &["rev-parse", "refs/beads/heads/main^{tree}"]),
        "the same issues make the same tree"
    );

    // Every field, label, dependency and comment of the original is intact.
    let before = by_id(&original);
    let after = by_id(&exported);
    assert_eq!(before.len(), after.len());
    for (id, want) in &before {
        let got = after.get(id).unwrap_or_else(|| panic!("{id} lost"));
        assert_eq!(got, want, "{id} changed");
    }
    let count = |key: &str| before.values().map(|v| v.get(key).and_then(Value::as_array).map_or(0, Vec::len)).sum::<usize>();
    assert!(count("comments") > 2000 && count("dependencies") > 3500 && count("labels") > 2000);

    // Re-importing the same file changes nothing.
    let again = env.json(&b, &["import", file.to_str().unwrap()]);
    assert_eq!((again["created"].clone(), again["updated"].clone(), again["unchanged"].clone()), (0.into(), 0.into(), 2002.into()));
}

#[test]
fn import_updates_skips_and_dry_runs() {
    let env = Env::new();
    let dir = env.beads_repo("r");
    let a = env.create(&dir, &["Existing"]);
    let file = env.path("in.jsonl");
    std::fs::write(
        &file,
        format!(
            "{{\"id\":\"{a}\",\"title\":\"Existing, renamed\",\"status\":\"closed\",\"priority\":1,\"issue_type\":\"task\",\"created_at\":\"2026-01-02T03:04:05Z\",\"updated_at\":\"2026-01-03T00:00:00Z\"}}\n\
             {{\"id\":\"ext-9\",\"title\":\"From bd\",\"created_at\":\"2025-12-01 10:00:00\",\"dependencies\":[{{\"issue_id\":\"ext-9\",\"depends_on_id\":\"{a}\",\"type\":\"blocks\"}}]}}\n"
        ),
    )
    .unwrap();
    let tip = env.tip(&dir, "refs/beads/heads/main");
    let dry = env.json(&dir, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!((dry["created"].clone(), dry["updated"].clone(), dry["dry_run"].clone()), (1.into(), 1.into(), true.into()));
    assert_eq!(env.tip(&dir, "refs/beads/heads/main"), tip);
    let skip = env.json(&dir, &["import", file.to_str().unwrap(), "--skip-existing"]);
    assert_eq!((skip["created"].clone(), skip["skipped"].clone()), (1.into(), 1.into()));
    assert_eq!(env.json(&dir, &["show", &a])[0]["title"], "Existing");
    let full = env.json(&dir, &["import", file.to_str().unwrap()]);
    assert_eq!((full["updated"].clone(), full["unchanged"].clone()), (1.into(), 1.into()));
    let shown = &env.json(&dir, &["show", &a])[0];
    assert_eq!(shown["title"], "Existing, renamed");
    assert_eq!(shown["closed_at"], "2026-01-03T00:00:00Z", "a closed issue without closed_at gets updated_at");
    assert_eq!(env.json(&dir, &["show", "ext-9"])[0]["created_at"], "2025-12-01T10:00:00Z");
    // From stdin too.
    let r = env.run_with(
        &dir,
        &["import", "-", "--json"],
        Some(b"{\"id\":\"bd-stdin\",\"title\":\"piped\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n"),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["created"], 1);
}

#[test]
fn a_clone_without_a_configured_prefix_takes_the_one_its_issues_use() {
    // 2,000 issues: the prefix is judged from a sample of them.
    let env = Env::new();
    let dir = env.repo("some-dir");
    env.ok(&dir, &["init"]);
    let data = crate::common::shared().join("data").join("br-export-2k.jsonl");
    env.ok(&dir, &["import", data.to_str().unwrap()]);
    env.ok(&dir, &["create", "An odd one", "--id", "zz-0001"]);
    let out = env.json(&dir, &["init"]);
    assert_eq!((out["prefix"].clone(), out["prefix_source"].clone()), (json!("gb"), json!("issues")));
    assert!(env.create(&dir, &["New"]).starts_with("gb-"));
}
