#!/usr/bin/env python3
"""git-beads benchmark suite: whole processes on generated data sets.

    python3 benches/run.py                      # 1k, 10k, 100k issues
    python3 benches/run.py --sizes 1000,10000   # a quicker run
    python3 benches/run.py --skip-extras        # only the per-command table

For each size it generates a beads JSONL project with
../shared/tools/gen-beads-jsonl.py (seed 7), imports it into a fresh git
repository, and times whole `git-beads` processes (median of several runs):
ready, list, show, search, export (warm: the index cache is current; cold:
the cache directory was removed first), create, update, close, and import,
plus peak RSS of ready, and `git rev-parse HEAD` as the floor, measured the
same way in the same run. At 10k issues it also measures a sync of two
clones that each changed 100 issues, 8 parallel writers creating issues, and
the repository size after 10,000 single-issue mutations (after `git gc`)
against a fresh import.

Benchmarks are not tests: nothing here asserts; it prints a Markdown table
(docs/performance.md quotes it) and writes the raw numbers as JSON.
Only the Python standard library is used.
"""

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "tools" / "gen-beads-jsonl.py"
BIN = ROOT / "target" / "release" / "git-beads"


def env():
    e = dict(os.environ)
    e.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
              "GIT_COMMITTER_EMAIL": "bench@example.com", "NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1"})
    e.pop("GIT_BEADS_NO_CACHE", None)
    e.pop("GIT_BEADS_CACHE_DELTA", None)
    return e


ENV = env()


def run(cmd, cwd, check=True, stdin=None):
    r = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin)
    if check and r.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(map(str, cmd))}\n{r.stderr.decode()}")
    return r


def timed(cmd, cwd):
    """Wall time of one whole process; its output goes to /dev/null (as to a consumer that reads fast)."""
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000.0
    if r.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(map(str, cmd))}\n{r.stderr.decode()}")
    return elapsed


def median_ms(cmd, cwd, runs, before=None):
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(timed(cmd, cwd))
    return statistics.median(samples)


def peak_rss_kb(cmd, cwd, before=None):
    """Peak RSS of one run of `cmd`, measured by a wrapper process."""
    if before:
        before()
    probe = ("import resource,subprocess,sys;"
             "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    r = run([sys.executable, "-c", probe] + [str(c) for c in cmd], cwd)
    return int(r.stdout.decode().strip())


def git(cwd, *args):
    return run(["git", *args], cwd).stdout.decode().strip()


def new_repo(path):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "commit", "-q", "--allow-empty", "-m", "init")
    run([BIN, "init", "--prefix", "bd", "-q"], path)


def dir_size(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def bench_size(n, work, runs, results):
    data = work / f"issues-{n}.jsonl"
    if not data.exists():
        with open(data, "wb") as f:
            subprocess.run([sys.executable, str(GEN), "--issues", str(n), "--seed", "7", "--prefix", "bd"], stdout=f, check=True)
    repo = work / f"repo-{n}"
    cache = repo / ".git" / "beads" / "cache"
    drop_cache = lambda: shutil.rmtree(cache, ignore_errors=True)
    import_runs = max(1, min(runs, 3 if n >= 100_000 else runs))
    samples = []
    for _ in range(import_runs):
        new_repo(repo)
        samples.append(timed([BIN, "import", "-q", data], repo))
    row = {"issues": n, "import_ms": statistics.median(samples)}
    run([BIN, "ready", "-q"], repo)
    ids = [i["id"] for i in json.loads(run([BIN, "ready", "--limit", "0", "--json", "--sort", "oldest"], repo).stdout)]
    probe_id = ids[len(ids) // 2]
    row["floor_ms"] = median_ms(["git", "rev-parse", "HEAD"], repo, runs)
    reads = {
        "ready": [BIN, "ready", "--limit", "0", "--json"],
        "list": [BIN, "list", "--limit", "0", "--json"],
        "show": [BIN, "show", probe_id],
        "search": [BIN, "search", "cache", "--limit", "0"],
        "export": [BIN, "export"],
    }
    for name, cmd in reads.items():
        run(cmd, repo)  # make the cache current
        row[f"{name}_warm_ms"] = median_ms(cmd, repo, runs)
        if name != "export":
            row[f"{name}_cold_ms"] = median_ms(cmd, repo, max(3, runs // 2), before=drop_cache)
    run(reads["ready"], repo)
    row["ready_warm_rss_kb"] = peak_rss_kb(reads["ready"], repo)
    row["ready_cold_rss_kb"] = peak_rss_kb(reads["ready"], repo, before=drop_cache)
    run(reads["ready"], repo)
    row["create_ms"] = median_ms([BIN, "create", "benchmark issue", "-q"], repo, runs)
    targets = ids[1:1 + runs]
    row["update_ms"] = statistics.median(timed([BIN, "update", t, "--add-label", "bench", "-q"], repo) for t in targets)
    row["close_ms"] = statistics.median(timed([BIN, "close", t, "-q"], repo) for t in targets)
    row["ready_after_write_ms"] = statistics.median(
        (timed([BIN, "update", probe_id, "-p", str(k % 4), "-q"], repo), timed(reads["ready"], repo))[1] for k in range(runs))
    results["sizes"].append(row)
    print(f"  {n}: done", file=sys.stderr)


def bench_sync(work, results):
    n = 10_000
    data = work / f"issues-{n}.jsonl"
    remote = work / "sync-remote.git"
    a, b = work / "sync-a", work / "sync-b"
    for p in (remote, a, b):
        shutil.rmtree(p, ignore_errors=True)
    new_repo(a)
    run([BIN, "import", "-q", data], a)
    git(work, "init", "-q", "--bare", str(remote))
    git(a, "remote", "add", "origin", str(remote))
    run([BIN, "init", "-q"], a)
    run([BIN, "sync", "-q"], a)
    git(work, "clone", "-q", str(remote), str(b))
    run([BIN, "init", "-q"], b)
    run([BIN, "sync", "-q"], b)
    ids = [i["id"] for i in json.loads(run([BIN, "list", "--limit", "0", "--json"], a).stdout)]
    rng = random.Random(7)
    picks = rng.sample(ids, 200)
    for k, i in enumerate(picks[:100]):
        run([BIN, "update", i, "--add-label", f"a{k}", "-q"], a)
    for k, i in enumerate(picks[100:]):
        run([BIN, "update", i, "--add-label", f"b{k}", "-q"], b)
    push_ms = timed([BIN, "sync", "-q"], a)
    merge_ms = timed([BIN, "sync", "-q"], b)
    results["sync"] = {"issues": n, "changed_per_clone": 100, "first_sync_ms": push_ms, "merging_sync_ms": merge_ms}
    print("  sync: done", file=sys.stderr)


def bench_writers(work, results, writers=8, per_writer=50, rounds=3):
    """8 processes creating issues at once, in rounds. The first round starts
    right after the import; on ext4 it runs slower while the inodes of the
    import's temporary files are 'recently deleted' (the kernel's inode
    allocator then scans for others), so later rounds are reported too."""
    import re
    repo = work / "writers"
    new_repo(repo)
    run([BIN, "import", "-q", work / "issues-10000.jsonl"], repo)
    run([BIN, "ready", "-q"], repo)
    script = ("import subprocess,sys\n"
              "for k in range(int(sys.argv[2])):\n"
              "    subprocess.run([sys.argv[1],'create',f'w{sys.argv[3]}-{k}','-q'],check=True,stdout=subprocess.DEVNULL)\n")
    per_round = []
    for rnd in range(rounds):
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", script, str(BIN), str(per_writer), f"{rnd}x{w}"], cwd=repo, env=ENV) for w in range(writers)]
        for p in procs:
            if p.wait() != 0:
                sys.exit("a writer failed")
        per_round.append(writers * per_writer / (time.perf_counter() - start))
    mine = re.compile(r"^w\d+x\d+-\d+$")
    titles = [i["title"] for i in json.loads(run([BIN, "list", "--limit", "0", "--all", "--json"], repo).stdout)]
    found = len({t for t in titles if mine.match(t)})
    fsck = run(["git", "fsck", "--no-dangling"], repo, check=False).returncode == 0
    results["writers"] = {"writers": writers, "creates": writers * per_writer * rounds, "found": found, "rounds_creates_per_second": per_round,
                          "creates_per_second": statistics.median(per_round), "fsck_clean": fsck}
    print("  writers: done", file=sys.stderr)


def bench_size_growth(work, results, mutations=10_000):
    repo = work / "growth"
    new_repo(repo)
    run([BIN, "import", "-q", work / "issues-10000.jsonl"], repo)
    git(repo, "gc", "-q", "--aggressive", "--prune=now")
    fresh = dir_size(repo / ".git" / "objects")
    ids = [i["id"] for i in json.loads(run([BIN, "list", "--limit", "0", "--all", "--json"], repo).stdout)]
    rng = random.Random(11)
    start = time.perf_counter()
    for k in range(mutations):
        run([BIN, "update", rng.choice(ids), "--notes", f"mutation {k}", "-q"], repo)
    secs = time.perf_counter() - start
    git(repo, "gc", "-q", "--prune=now")
    after = dir_size(repo / ".git" / "objects")
    results["growth"] = {"mutations": mutations, "fresh_import_bytes": fresh, "after_bytes": after, "ratio": after / fresh,
                         "mutations_seconds": secs}
    print("  growth: done", file=sys.stderr)


def table(results):
    rows = results["sizes"]
    head = "| operation | " + " | ".join(f"{r['issues']:,} issues" for r in rows) + " |"
    sep = "|---|" + "---|" * len(rows)
    lines = [head, sep]

    def line(label, key, fmt="{:.1f} ms"):
        lines.append(f"| {label} | " + " | ".join(fmt.format(r[key]) if key in r else "-" for r in rows) + " |")

    line("`git rev-parse HEAD` (floor)", "floor_ms", "{:.2f} ms")
    line("`ready --limit 0 --json`, warm", "ready_warm_ms")
    lines.append("| ready warm / floor | " + " | ".join(f"{r['ready_warm_ms'] / r['floor_ms']:.1f}x" for r in rows) + " |")
    line("`ready`, cold (cache removed)", "ready_cold_ms")
    line("`ready` right after a write", "ready_after_write_ms")
    line("`show ID`, warm", "show_warm_ms")
    line("`show ID`, cold", "show_cold_ms")
    line("`list --limit 0 --json`, warm", "list_warm_ms")
    line("`list --limit 0 --json`, cold", "list_cold_ms")
    line("`search cache --limit 0`, warm", "search_warm_ms")
    line("`search`, cold", "search_cold_ms")
    line("`export`, warm", "export_warm_ms")
    line("`create`", "create_ms")
    line("`update`", "update_ms")
    line("`close` (with its blocker check)", "close_ms")
    line("`import` of the JSONL, one commit", "import_ms")
    lines.append("| peak RSS of `ready`, warm | " + " | ".join(f"{r['ready_warm_rss_kb'] / 1024:.0f} MB" for r in rows) + " |")
    lines.append("| peak RSS of `ready`, cold | " + " | ".join(f"{r['ready_cold_rss_kb'] / 1024:.0f} MB" for r in rows) + " |")
    out = "\n".join(lines)
    if "sync" in results:
        s = results["sync"]
        out += f"\n\nSync, {s['issues']:,} issues, each clone changed {s['changed_per_clone']}: first clone's sync (push) {s['first_sync_ms']:.0f} ms; second clone's sync (fetch, three-way merge, push) {s['merging_sync_ms']:.0f} ms."
    if "writers" in results:
        w = results["writers"]
        rounds = ", ".join(f"{r:.0f}" for r in w["rounds_creates_per_second"])
        out += f"\n\n{w['writers']} parallel writers on a 10,000-issue namespace, {w['creates']} creates in {len(w['rounds_creates_per_second'])} rounds: {rounds} creates/s (median {w['creates_per_second']:.0f}); {w['found']} of {w['creates']} present; git fsck {'clean' if w['fsck_clean'] else 'NOT clean'}."
    if "growth" in results:
        g = results["growth"]
        out += f"\n\nRepository size after {g['mutations']:,} single-issue mutations on 10,000 issues, after `git gc`: {g['after_bytes'] / 1e6:.1f} MB, against {g['fresh_import_bytes'] / 1e6:.1f} MB for a fresh import (after `git gc --aggressive`): {g['ratio']:.2f}x. The mutations took {g['mutations_seconds']:.0f} s ({g['mutations_seconds'] * 1000 / g['mutations']:.1f} ms each)."
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=9, help="runs per measurement (median)")
    ap.add_argument("--work", default=str(ROOT / "target" / "bench"), help="where data sets and repositories go")
    ap.add_argument("--skip-extras", action="store_true", help="skip sync, parallel writers and repository growth")
    ap.add_argument("--mutations", type=int, default=10_000, help="mutations for the growth measurement")
    args = ap.parse_args()
    if not GEN.exists():
        sys.exit(f"the data generator is missing: {GEN}")
    print("building the release binary...", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "git": git(ROOT, "--version"),
        "runs": args.runs,
        "sizes": [],
    }
    for n in sizes:
        bench_size(n, work, args.runs, results)
    if not args.skip_extras:
        if not (work / "issues-10000.jsonl").exists():
            bench_size(10_000, work, args.runs, {"sizes": []})
        bench_sync(work, results)
        bench_writers(work, results)
        bench_size_growth(work, results, args.mutations)
    out = work / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"# {results['date']}, {results['machine']}, {results['git']}, median of {args.runs} runs\n")
    print(table(results))
    print(f"\n(raw numbers: {out})", file=sys.stderr)


if __name__ == "__main__":
    main()
