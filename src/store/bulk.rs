//! Reading every blob of a namespace at once (a cold index build) through
//! pack mappings owned by the build and released when it ends.
//!
//! gix's object database keeps each pack it touched mapped for as long as
//! the repository is open, so after a cold build every page of the pack
//! would stay resident while the command goes on to read the index it just
//! wrote: at 100k issues that is the 57 MB pack on top of the index. Reading
//! the blobs through [`gix_pack::Bundle`]s of our own, dropped when the build
//! is done, hands those pages back first. Objects not in a pack of the
//! repository's own object directory (loose objects, alternates, a pack that
//! appeared meanwhile) are read through gix as usual, which also reports
//! anything that cannot be read.

use super::tree;
use crate::store::Error;
use gix_pack::cache::lru::StaticLinkedList;

/// The packs of a repository's object directory, mapped for one build.
pub struct Packs {
    bundles: Vec<gix_pack::Bundle>,
}

impl Packs {
    /// Maps every pack of `repo`'s object directory that can be opened (a
    /// pack removed by a concurrent `git gc` is skipped: its objects are in
    /// another one, or gix finds them).
    pub fn open(repo: &gix::Repository) -> Packs {
        let dir = repo.objects.store_ref().path().join("pack");
        let mut bundles = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "idx")
                    && let Ok(b) = gix_pack::Bundle::at(&path, repo.object_hash())
                {
                    bundles.push(b);
                }
            }
        }
        // Most objects are in the largest pack: look there first.
        bundles.sort_by_key(|b| std::cmp::Reverse(b.index.num_objects()));
        Packs { bundles }
    }

    /// A reader for one thread, falling back to `repo`.
    pub fn reader<'p>(&'p self, repo: &'p gix::Repository) -> Reader<'p> {
        Reader { packs: self, repo, inflate: gix::zlib::Inflate::default(), cache: StaticLinkedList::new(16 << 20) }
    }
}

/// Reads objects through [`Packs`], keeping the state one thread needs.
pub struct Reader<'p> {
    packs: &'p Packs,
    repo: &'p gix::Repository,
    inflate: gix::zlib::Inflate,
    /// Delta bases, for packs that `git gc` deltified (only consulted for
    /// deltas: copying every plain object into it would cost a third of a
    /// cold build).
    cache: StaticLinkedList<64>,
}

impl tree::Objects for Reader<'_> {
    fn read<'b>(&mut self, id: &gix::oid, kind: gix::objs::Kind, buf: &'b mut Vec<u8>) -> Result<&'b [u8], Error> {
        let repo = self.repo;
        let found = self.packs.bundles.iter().find_map(|b| b.index.lookup(id).map(|i| (b, i)));
        let Some((bundle, at)) = found else {
            return tree::read_object(repo, id, kind, buf);
        };
        // The object is decoded into `buf` whole.
        let is_delta = bundle.pack.entry(bundle.index.pack_offset_at_index(at)).is_ok_and(|e| e.header.is_delta());
        let cache: &mut dyn gix_pack::cache::DecodeEntry = if is_delta { &mut self.cache } else { &mut gix_pack::cache::Never };
        let decoded = bundle.get_object_by_index(at, buf, &mut self.inflate, cache).map(|(data, _)| data.kind);
        match decoded {
            Ok(k) if k == kind => Ok(&buf[..]),
            Ok(k) => Err(Error::WrongObjectKind { oid: id.to_owned(), expected: kind.to_string(), found: k.to_string() }),
            // Let gix read it and report what is wrong, if anything is.
            Err(_) => tree::read_object(repo, id, kind, buf),
        }
    }
}
