//! An orchestrator: several workers, each a thread with its own `Beads`,
//! take ready work until none is left. A claim is a compare-and-swap on the
//! namespace ref, so two workers never hold the same issue; an issue blocked
//! by another becomes ready when its blocker closes, and some worker takes it.
//!
//! ```text
//! cargo run --example orchestrator -- [REPO] [--workers N]
//! ```
//!
//! Prints one line per issue taken, `worker<TAB>id`, and a summary on
//! stderr. Without REPO it works on the repository in the current directory.

use git_beads::{Beads, Options, ReadyQuery};
use std::path::{Path, PathBuf};

/// One worker's loop: poll the ready frontier, claim one issue, do the work
/// (here: nothing), close it. Returns the issues this worker took.
fn work(repo: &Path, name: &str, slot: usize) -> Result<Vec<String>, git_beads::Error> {
    let beads = Beads::open(repo, Options::default().actor(name))?;
    let mut taken = Vec::new();
    loop {
        let ready = beads.ready(&ReadyQuery::default())?;
        if ready.rows.is_empty() {
            return Ok(taken);
        }
        // Workers start at different rows so they contend less.
        let id = ready.rows[slot % ready.rows.len()].id().to_string();
        match beads.claim(&id) {
            Ok(issue) => {
                taken.push(issue.id.clone());
                beads.close(&[id.as_str()], Some(&format!("done by {name}")))?;
            }
            // Another worker took it (or took and closed it) between our
            // read and our claim.
            Err(e) if e.is_taken() => continue,
            Err(e) => return Err(e),
        }
    }
}

fn main() -> std::process::ExitCode {
    let mut repo = PathBuf::from(".");
    let mut workers = 4usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--workers" => match args.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0) {
                Some(n) => workers = n,
                None => {
                    eprintln!("orchestrator: --workers takes a number above 0");
                    return std::process::ExitCode::from(2);
                }
            },
            _ => repo = PathBuf::from(a),
        }
    }
    let handles: Vec<_> = (0..workers)
        .map(|k| {
            let repo = repo.clone();
            std::thread::spawn(move || {
                let name = format!("worker-{k}");
                let taken = work(&repo, &name, k);
                (name, taken)
            })
        })
        .collect();
    let mut total = 0;
    let mut failed = false;
    for h in handles {
        let (name, taken) = h.join().expect("worker thread");
        match taken {
            Ok(ids) => {
                for id in &ids {
                    println!("{name}\t{id}");
                }
                total += ids.len();
            }
            Err(e) => {
                eprintln!("orchestrator: {name}: {e}");
                failed = true;
            }
        }
    }
    eprintln!("orchestrator: {workers} workers took {total} issues");
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}
