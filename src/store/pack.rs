//! Bulk writes as one pack instead of thousands of loose objects.
//!
//! A large mutation (an import) stages its blobs, trees and commit in memory
//! (gix's object memory), then writes them here as a single pack with its
//! index, the way `git` itself stores received objects. Reading 100,000
//! issues back from one pack is much faster than opening 100,000 files, and
//! the repository stays compact before any `git gc`.

use super::{Error, Result};
use gix_pack::data::output;
use std::sync::atomic::AtomicBool;

/// Writes every object of `objects` into one new pack in `repo`'s object
/// store. Returns the pack's `.keep` file, which guards it against a
/// concurrent gc until a ref points into it: the caller removes it once the
/// ref has moved (see [`release`]).
pub fn write(repo: &gix::Repository, objects: &gix::odb::memory::Storage) -> Result<Option<std::path::PathBuf>> {
    if objects.is_empty() {
        return Ok(None);
    }
    let hash = repo.object_hash();
    let mut entries = Vec::with_capacity(objects.len());
    for (id, (kind, data)) in objects.iter() {
        let count = output::Count::from_data(*id, None);
        let entry = output::Entry::from_data(&count, &gix::objs::Data::new(data, *kind, hash), gix::zlib::Compression::BEST_SPEED)
            .map_err(|e| Error::git(format!("could not compress object {id}"), e))?;
        entries.push(entry);
    }
    let n = entries.len() as u32;
    let mut bytes = Vec::with_capacity(entries.iter().map(|e| e.compressed_data.len() + 16).sum::<usize>() + 64);
    let writer = output::bytes::FromEntriesIter::new(
        std::iter::once(Ok::<_, gix::Error>(entries)),
        &mut bytes,
        n,
        gix_pack::data::Version::V2,
        hash,
    );
    for step in writer {
        step.map_err(|e| Error::git("could not write the pack", e))?;
    }
    let dir = repo.objects.store_ref().path().join("pack");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("could not create {}", dir.display()), e))?;
    let outcome = gix_pack::Bundle::write_to_directory(
        &mut &bytes[..],
        Some(&dir),
        &mut gix::progress::Discard,
        &AtomicBool::new(false),
        None::<gix::odb::Handle>,
        hash,
        gix_pack::bundle::write::Options::default(),
    )
    .map_err(|e| Error::git(format!("could not index the pack in {}", dir.display()), e))?;
    Ok(outcome.keep_path)
}

/// Lets `git gc` repack a pack written by [`write`] (its objects are
/// reachable now, or garbage if the ref update lost).
pub fn release(keep: Option<std::path::PathBuf>) {
    if let Some(keep) = keep {
        let _ = std::fs::remove_file(keep);
    }
}
