//! Issue IDs: validation, the hash part that trees fan out by, generation
//! with adaptive length, children, and prefix matching.
//!
//! An ID is `<prefix>-<hash>` (`bd-a3f2`), a child `<id>.N` (`bd-a3f2.1.2`).
//! IDs from other tools with other shapes (`proj-12`, `legacy`) are accepted
//! unchanged as long as they are safe as a file name and a command-line word.

use std::fmt;

/// Shortest generated hash.
pub const MIN_HASH_LEN: usize = 4;
/// Longest generated hash.
pub const MAX_HASH_LEN: usize = 8;
/// Longest accepted ID, in bytes.
pub const MAX_ID_LEN: usize = 100;

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Why a string is not an issue ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid issue ID {id:?}: {reason}")]
pub struct IdError {
    pub id: String,
    pub reason: &'static str,
}

/// Checks that `id` can name an issue (and its blob, `<id>.json`).
pub fn validate_id(id: &str) -> Result<(), IdError> {
    let err = |reason| Err(IdError { id: id.to_string(), reason });
    if id.is_empty() {
        return err("it is empty");
    }
    if id.len() > MAX_ID_LEN {
        return err("it is longer than 100 bytes");
    }
    let b = id.as_bytes();
    if !b[0].is_ascii_alphanumeric() {
        return err("it must start with a letter or digit");
    }
    if !b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')) {
        return err("only letters, digits, '-', '_' and '.' are allowed");
    }
    if id.ends_with('.') || id.contains("..") || id.ends_with('-') {
        return err("it may not end with '.' or '-' or hold '..'");
    }
    Ok(())
}

/// Checks a dependency target: an ID, optionally qualified with `project:`
/// or `project:branch-` as seed 002's grammar allows.
pub fn validate_reference(r: &str) -> Result<(), IdError> {
    match r.rsplit_once(':') {
        None => validate_id(r),
        Some((qual, id)) => {
            let ok = !qual.is_empty()
                && qual.len() <= 200
                && qual.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':' | b'/'));
            if !ok {
                return Err(IdError { id: r.to_string(), reason: "the qualifier before ':' is not a valid name" });
            }
            validate_id(id).map_err(|e| IdError { id: r.to_string(), reason: e.reason })
        }
    }
}

/// The part of `id` before any child suffix: `bd-a3f2` for `bd-a3f2.1.2`.
pub fn root_of(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// The hash of `id` (after the last `-` of its root): `a3f2` for `bd-a3f2.1`.
pub fn hash_part(id: &str) -> &str {
    let root = root_of(id);
    root.rsplit_once('-').map(|(_, h)| h).filter(|h| !h.is_empty()).unwrap_or(root)
}

/// The prefix of `id` (before the last `-` of its root), if it has one.
pub fn prefix_of(id: &str) -> Option<&str> {
    root_of(id).rsplit_once('-').map(|(p, _)| p).filter(|p| !p.is_empty())
}

/// The two fan-out directory names for `id`: the first two characters of its
/// hash, lowercased, `_` standing in for anything else.
pub fn fanout(id: &str) -> [char; 2] {
    let mut it = hash_part(id).chars().map(|c| {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() { c } else { '_' }
    });
    [it.next().unwrap_or('_'), it.next().unwrap_or('_')]
}

/// The path of `id`'s blob inside a namespace tree: `issues/a/3/bd-a3f2.json`.
pub fn blob_path(id: &str) -> String {
    let [a, b] = fanout(id);
    format!("issues/{a}/{b}/{id}.json")
}

/// The ID a blob path names, if the path has the namespace layout.
pub fn id_from_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("issues/")?;
    let mut parts = rest.splitn(3, '/');
    let (_, _, file) = (parts.next()?, parts.next()?, parts.next()?);
    file.strip_suffix(".json").filter(|id| validate_id(id).is_ok())
}

/// The hash length for a namespace that already holds `n` issues, as beads
/// chooses it: the shortest of 4..=8 base36 characters for which the birthday
/// probability of any collision among `n` random hashes stays under 25%
/// (`1 - exp(-n^2 / (2 * 36^len)) < 0.25`). Length 4 serves up to ~980
/// issues, 5 up to ~5,900, 6 up to ~35,000, 7 up to ~212,000. A collision
/// that does happen is detected and retried.
pub fn adaptive_len(n: usize) -> usize {
    let n = n as f64;
    (MIN_HASH_LEN..MAX_HASH_LEN).find(|&len| 1.0 - (-(n * n) / (2.0 * 36f64.powi(len as i32))).exp() < 0.25).unwrap_or(MAX_HASH_LEN)
}

/// Makes new hashes from time and randomness (or from a fixed seed in tests).
pub struct IdGen {
    rng: fastrand::Rng,
}

impl IdGen {
    /// A generator seeded from the clock, the process and the OS.
    pub fn random() -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        let mut os = fastrand::Rng::new();
        let seed = os.u64(..) ^ nanos.rotate_left(17) ^ (u64::from(std::process::id()) << 32);
        IdGen { rng: fastrand::Rng::with_seed(seed) }
    }

    /// A generator for one write: random, or with a pinned `seed` mixed
    /// with `salt` (the state being written on), so pinned runs stay
    /// reproducible without every process drawing the same sequence.
    pub fn for_write(seed: Option<u64>, salt: &[u8]) -> Self {
        match seed {
            Some(seed) => {
                // FNV-1a over the salt.
                let mixed = salt.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
                IdGen { rng: fastrand::Rng::with_seed(seed ^ mixed) }
            }
            None => Self::random(),
        }
    }

    /// A generator with a fixed seed.
    pub fn with_seed(seed: u64) -> Self {
        IdGen { rng: fastrand::Rng::with_seed(seed) }
    }

    /// A random base36 hash of `len` characters.
    pub fn hash(&mut self, len: usize) -> String {
        (0..len).map(|_| BASE36[self.rng.usize(..36)] as char).collect()
    }

    /// A random positive integer below 2^53 (safe in every JSON reader), for comment IDs.
    pub fn comment_id(&mut self) -> i64 {
        self.rng.i64(1..(1i64 << 53))
    }

    /// A fresh `<prefix>-<hash>` that `taken` says is free, growing the hash
    /// when collisions keep happening.
    pub fn new_id(&mut self, prefix: &str, existing: usize, mut taken: impl FnMut(&str) -> bool) -> Option<String> {
        let mut len = adaptive_len(existing);
        loop {
            for _ in 0..8 {
                let id = format!("{prefix}-{}", self.hash(len));
                if !taken(&id) {
                    return Some(id);
                }
            }
            if len == MAX_HASH_LEN {
                return None;
            }
            len += 1;
        }
    }
}

/// The next child of `parent` given the IDs that exist: `<parent>.<max+1>`
/// (`None` when the numbering is exhausted or the ID would be too long).
pub fn next_child<'a>(parent: &str, ids: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let max = ids
        .into_iter()
        .filter_map(|id| id.strip_prefix(parent)?.strip_prefix('.'))
        .filter_map(|rest| rest.split('.').next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let child = format!("{parent}.{}", max.checked_add(1)?);
    validate_id(&child).is_ok().then_some(child)
}

/// How a typed ID matched an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The whole ID.
    Exact,
    /// The whole ID without its prefix (`a3f2` for `bd-a3f2`).
    ExactHash,
    /// A prefix of the ID, or of the ID without its prefix.
    Prefix,
}

/// How `input` matches `id`, if it does. Case is ignored.
pub fn matches(input: &str, id: &str) -> Option<Match> {
    matches_bytes(input.as_bytes(), id.as_bytes())
}

/// [`matches()`] on bytes, for scanning IDs in place (the index keeps them as
/// bytes; validating each as UTF-8 would dominate a scan).
pub fn matches_bytes(input: &[u8], id: &[u8]) -> Option<Match> {
    if input.eq_ignore_ascii_case(id) {
        return Some(Match::Exact);
    }
    let root_len = id.iter().position(|&b| b == b'.').unwrap_or(id.len());
    let without_prefix = match id[..root_len].iter().rposition(|&b| b == b'-') {
        Some(dash) if dash > 0 => &id[dash + 1..],
        _ => id,
    };
    if input.eq_ignore_ascii_case(without_prefix) {
        return Some(Match::ExactHash);
    }
    let starts = |hay: &[u8]| hay.len() >= input.len() && hay[..input.len()].eq_ignore_ascii_case(input);
    if starts(id) || starts(without_prefix) {
        return Some(Match::Prefix);
    }
    None
}

/// The outcome of resolving a typed ID against a set of IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(String),
    NotFound,
    Ambiguous(Vec<String>),
}

/// Resolves `input` among `ids`: an exact match wins, then an exact hash
/// match, then a unique prefix; several prefix matches are ambiguous.
pub fn resolve<'a>(input: &str, ids: impl IntoIterator<Item = &'a str>) -> Resolution {
    resolve_bytes(input, ids.into_iter().map(str::as_bytes))
}

/// [`resolve`] over IDs as bytes (see [`matches_bytes`]).
pub fn resolve_bytes<'a>(input: &str, ids: impl IntoIterator<Item = &'a [u8]>) -> Resolution {
    let mut best: Option<Match> = None;
    let mut found: Vec<String> = Vec::new();
    for id in ids {
        if let Some(m) = matches_bytes(input.as_bytes(), id) {
            match best {
                Some(b) if m > b => {}
                Some(b) if m == b => found.push(String::from_utf8_lossy(id).into_owned()),
                _ => {
                    best = Some(m);
                    found.clear();
                    found.push(String::from_utf8_lossy(id).into_owned());
                }
            }
        }
    }
    match found.len() {
        0 => Resolution::NotFound,
        1 => Resolution::Found(found.pop().expect("one element")),
        _ => {
            found.sort();
            Resolution::Ambiguous(found)
        }
    }
}

impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Match::Exact => "exact",
            Match::ExactHash => "hash",
            Match::Prefix => "prefix",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated() {
        for ok in ["bd-a3f2", "bd-a3f2.1.2", "gb-00dj", "legacy", "my_proj-12", "A1"] {
            validate_id(ok).unwrap();
        }
        for bad in ["", "-a", "bd a", "bd/a", "bd-a.", "bd..a", "bd-", "ä-1", "x:y", &"a".repeat(101)] {
            assert!(validate_id(bad).is_err(), "{bad:?}");
        }
        validate_reference("beads:fix-auth-a3f2").unwrap();
        validate_reference("bd-a3f2").unwrap();
        assert!(validate_reference(":a3f2").is_err());
    }

    #[test]
    fn hash_parts_and_paths() {
        assert_eq!(hash_part("bd-a3f2"), "a3f2");
        assert_eq!(hash_part("bd-a3f2.1.2"), "a3f2");
        assert_eq!(hash_part("my-proj-x9"), "x9");
        assert_eq!(hash_part("legacy"), "legacy");
        assert_eq!(prefix_of("my-proj-x9"), Some("my-proj"));
        assert_eq!(prefix_of("legacy"), None);
        assert_eq!(blob_path("bd-A3f2.1"), "issues/a/3/bd-A3f2.1.json");
        assert_eq!(blob_path("bd-7"), "issues/7/_/bd-7.json");
        assert_eq!(id_from_path("issues/a/3/bd-a3f2.json"), Some("bd-a3f2"));
        assert_eq!(id_from_path("issues/a/3/notes.txt"), None);
        assert_eq!(id_from_path("format"), None);
    }

    #[test]
    fn length_adapts_to_size() {
        assert_eq!(adaptive_len(0), 4);
        assert_eq!(adaptive_len(900), 4);
        assert_eq!(adaptive_len(1_000), 5);
        assert_eq!(adaptive_len(10_000), 6);
        assert_eq!(adaptive_len(100_000), 7);
        assert_eq!(adaptive_len(usize::MAX / 2), 8);
    }

    #[test]
    fn generation_is_seeded_and_avoids_collisions() {
        let a = IdGen::with_seed(7).new_id("bd", 0, |_| false).unwrap();
        let b = IdGen::with_seed(7).new_id("bd", 0, |_| false).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with("bd-") && a.len() == 7, "{a}");
        // Every 4-char candidate is "taken": the generator grows the hash.
        let c = IdGen::with_seed(7).new_id("bd", 0, |id| id.len() < 8).unwrap();
        assert_eq!(c.len(), 8);
        assert_eq!(IdGen::with_seed(1).new_id("bd", 0, |_| true), None);
    }

    #[test]
    fn children_number_upwards() {
        let ids = ["bd-a1", "bd-a1.1", "bd-a1.3", "bd-a1.3.1", "bd-a10.9"];
        assert_eq!(next_child("bd-a1", ids).unwrap(), "bd-a1.4");
        assert_eq!(next_child("bd-a1.3", ids).unwrap(), "bd-a1.3.2");
        assert_eq!(next_child("bd-zz", ids).unwrap(), "bd-zz.1");
        assert_eq!(next_child("bd-a1", ["bd-a1.18446744073709551615"]), None);
        assert_eq!(next_child(&"a".repeat(99), []), None);
    }

    #[test]
    fn resolution_prefers_exact_then_unique_prefix() {
        let ids = ["bd-a3f2", "bd-a3f2.1", "bd-a3c1", "bd-b7c9"];
        assert_eq!(resolve("bd-a3f2", ids), Resolution::Found("bd-a3f2".into()));
        assert_eq!(resolve("a3f2", ids), Resolution::Found("bd-a3f2".into()));
        assert_eq!(resolve("B7", ids), Resolution::Found("bd-b7c9".into()));
        assert_eq!(resolve("bd-a3f2.", ids), Resolution::Found("bd-a3f2.1".into()));
        assert_eq!(resolve("a3", ids), Resolution::Ambiguous(vec!["bd-a3c1".into(), "bd-a3f2".into(), "bd-a3f2.1".into()]));
        assert_eq!(resolve("zz", ids), Resolution::NotFound);
        assert_eq!(resolve("a3f2.1", ids), Resolution::Found("bd-a3f2.1".into()), "a child by its hash");
        // Prefixes with dashes, and IDs without a prefix.
        let ids = ["my-proj-x1", "my-proj-x2.1", "legacy"];
        assert_eq!(matches("x1", ids[0]), Some(Match::ExactHash));
        assert_eq!(matches("x2.1", ids[1]), Some(Match::ExactHash));
        assert_eq!(matches("my-proj-x", ids[0]), Some(Match::Prefix));
        assert_eq!(matches("LEG", ids[2]), Some(Match::Prefix));
        assert_eq!(matches("proj", ids[0]), None);
    }
}
