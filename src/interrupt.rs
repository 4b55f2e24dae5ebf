//! Ending cleanly when interrupted: the files a write holds (ref locks,
//! temporary index files, a fresh pack's `.keep`) and the `git` processes it
//! runs are registered here while they exist, so that SIGINT, SIGTERM or
//! SIGHUP removes the files and ends the children before the process exits.
//!
//! The library never installs a signal handler itself; the binary calls
//! [`install`]. A compare-and-swap of a ref runs inside [`critical`], and the
//! cleanup waits for it: a ref is either moved or left alone, and no lock is
//! left behind either way.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);
static CRITICAL: Mutex<()> = Mutex::new(());
static REGISTRY: Mutex<Registry> = Mutex::new(Registry { paths: Vec::new(), children: Vec::new() });

struct Registry {
    paths: Vec<(u64, PathBuf)>,
    children: Vec<(u64, u32)>,
}

fn registry() -> MutexGuard<'static, Registry> {
    // A panic elsewhere while holding the lock leaves the list intact.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps a path registered for removal on interrupt; dropping it only
/// forgets the path (removing the file stays the owner's job).
#[must_use = "the path is forgotten when the guard drops"]
pub struct PathGuard {
    key: u64,
}

impl Drop for PathGuard {
    fn drop(&mut self) {
        registry().paths.retain(|(k, _)| *k != self.key);
    }
}

/// Registers `path` to be removed if the process is interrupted before the
/// guard drops.
pub fn register_path(path: &Path) -> PathGuard {
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    registry().paths.push((key, path.to_path_buf()));
    PathGuard { key }
}

/// Keeps a child process registered to be ended on interrupt.
#[must_use = "the child is forgotten when the guard drops"]
pub struct ChildGuard {
    key: u64,
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        registry().children.retain(|(k, _)| *k != self.key);
    }
}

/// Registers the child process `pid` to be terminated on interrupt.
pub fn register_child(pid: u32) -> ChildGuard {
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    registry().children.push((key, pid));
    ChildGuard { key }
}

/// Runs `f` as one step that an interrupt waits for (a ref's lock, check,
/// write and rename).
pub fn critical<T>(f: impl FnOnce() -> T) -> T {
    let _guard = CRITICAL.lock().unwrap_or_else(|e| e.into_inner());
    f()
}

/// Sends SIGTERM to process `pid`.
pub fn terminate(pid: u32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

/// Ends every registered child and removes every registered file, after any
/// critical step in progress has finished. Later critical steps wait forever:
/// call this only on the way out.
pub fn cleanup() {
    // A critical step takes microseconds; one stuck on I/O (a hung network
    // file system) must not keep the process from ending.
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    let critical = loop {
        match CRITICAL.try_lock() {
            Ok(g) => break Some(g),
            Err(std::sync::TryLockError::Poisoned(e)) => break Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(1))
            }
            Err(std::sync::TryLockError::WouldBlock) => break None,
        }
    };
    let reg = registry();
    for (_, pid) in &reg.children {
        terminate(*pid);
    }
    for (_, path) in &reg.paths {
        let _ = std::fs::remove_file(path);
    }
    // Temporary files gix itself registered (loose objects, pack files).
    gix_tempfile::registry::cleanup_tempfiles();
    // Hold both locks until the process exits.
    std::mem::forget(reg);
    std::mem::forget(critical);
}

#[cfg(feature = "cli")]
/// Installs the handler for SIGINT, SIGTERM and SIGHUP: clean up as
/// [`cleanup`] does, then exit with 128 + the signal number (130 for
/// SIGINT), as a shell reports a process killed by it.
pub fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(sig) = signals.forever().next() {
            cleanup();
            std::process::exit(128 + sig);
        }
    })?;
    Ok(())
}
