//! Issues named in commit messages (`Closes: bd-a3f2`, `Refs:`, plain mentions), and resolving them across the namespaces.

use crate::graph::Node;
use crate::model::id;
use crate::store::{self, Kind, Store};
use crate::view::View;
use std::collections::BTreeSet;

/// How a commit message names an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MentionKind {
    Closes,
    Fixes,
    Refs,
    PartOf,
    /// `[bd-a3f2]` anywhere in the message.
    Bracket,
}

impl MentionKind {
    /// Whether the commit says it finishes the issue.
    pub fn closes(self) -> bool {
        matches!(self, MentionKind::Closes | MentionKind::Fixes)
    }

    /// How it reads in a message.
    pub fn label(self) -> &'static str {
        match self {
            MentionKind::Closes => "Closes:",
            MentionKind::Fixes => "Fixes:",
            MentionKind::Refs => "Refs:",
            MentionKind::PartOf => "Part-of:",
            MentionKind::Bracket => "[...]",
        }
    }
}

/// One issue named by a commit message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Mention {
    pub id: String,
    pub kind: MentionKind,
}

/// The issue references in a commit message, in order, each once per kind:
/// trailer-style lines `Closes:`, `Fixes:`, `Refs:`, `Part-of:` (any case,
/// anywhere in the message; values separated by commas or spaces), and
/// bracketed IDs. Tokens that cannot be issue IDs (`#12`, URLs, words
/// without a `-`) are skipped; see [`Mention`] filtering in [`crate::check`] for
/// the prefix rule.
pub fn mentions(message: &str) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    let mut push = |id: &str, kind: MentionKind| {
        let id = id.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '.' | ';' | '"' | '\'' | '`'));
        if plausible(id) && !out.iter().any(|m| m.id.eq_ignore_ascii_case(id) && m.kind == kind) {
            out.push(Mention { id: id.to_string(), kind });
        }
    };
    let tokens =
        |s: &str| s.split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty()).map(str::to_string).collect::<Vec<_>>();
    for line in message.lines() {
        let line = line.trim();
        if let Some((key, value)) = line.split_once(':') {
            let kind = match key.trim().to_ascii_lowercase().as_str() {
                "closes" => Some(MentionKind::Closes),
                "fixes" => Some(MentionKind::Fixes),
                "refs" => Some(MentionKind::Refs),
                "part-of" => Some(MentionKind::PartOf),
                _ => None,
            };
            if let Some(kind) = kind {
                for token in tokens(value) {
                    push(&token, kind);
                }
                continue;
            }
        }
        // Bracketed IDs: `[bd-a3f2]`, `[bd-a3f2, bd-b7c9]`; an unclosed `[`
        // before one does not hide it.
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            let Some(close) = after.find(']') else { break };
            let inside = &after[..close];
            let inner = inside.rfind('[').map_or(inside, |i| &inside[i + 1..]);
            for token in tokens(inner) {
                push(&token, MentionKind::Bracket);
            }
            rest = &after[close + 1..];
        }
    }
    out
}

/// Whether `token` can be an issue reference at all.
pub(super) fn plausible(token: &str) -> bool {
    !token.starts_with('#')
        && !token.contains("://")
        && (token.contains('-') || token.contains(':'))
        && id::validate_reference(token).is_ok()
}

/// Which mentions are this project's issues, and what they resolve to:
/// the rules `check`, `close-from-commits` and the commit-msg hook share.
pub struct Resolver<'v> {
    store: &'v Store,
    view: &'v View,
    prefixes: BTreeSet<String>,
}

/// What a mention names.
#[derive(Debug)]
pub enum Named {
    Issue(Node),
    /// Nothing of that ID (the error says why).
    Missing(store::Error),
    /// Only a shortened ID: a commit message is forever, so it must be whole.
    NotWhole {
        candidate: String,
    },
    Ambiguous(store::Error),
}

impl<'v> Resolver<'v> {
    /// A resolver over `view`; the prefixes of its issues (and
    /// `beads.prefix`) are this project's.
    pub fn new(store: &'v Store, view: &'v View, u: &crate::graph::Universe<'_>) -> Resolver<'v> {
        let mut prefixes: BTreeSet<String> = u.nodes().filter_map(|n| id::prefix_of(u.id(n)).map(str::to_ascii_lowercase)).collect();
        prefixes.insert(store.prefix().to_ascii_lowercase());
        Resolver { store, view, prefixes }
    }

    /// Whether a mention refers to an issue of this project (or of a
    /// project fetched here): `bd-a3f2` with a prefix the project uses,
    /// `proj:...` for this project or a fetched one. `JIRA-12`, `[ci:skip]`
    /// and the like do not count.
    pub fn counts(&self, m: &Mention) -> bool {
        match m.id.split_once(':') {
            Some((project, _)) => {
                !self.view.is_foreign(&m.id)
                    || self
                        .store
                        .namespaces()
                        .is_ok_and(|all| all.iter().any(|ns| matches!(ns.kind(), Kind::Tracking { remote, .. } if remote == project)))
            }
            None => id::prefix_of(&m.id).is_some_and(|p| self.prefixes.contains(&p.to_ascii_lowercase())),
        }
    }

    /// What `m` names: exactly one issue by its whole ID (any case), or by
    /// a qualified reference whose hash is whole.
    pub fn resolve(&self, u: &crate::graph::Universe<'_>, m: &Mention) -> Named {
        match self.view.resolve(self.store, u, &m.id) {
            Ok(n) => {
                let whole = u.id(n);
                let typed = m.id.rsplit(':').next().unwrap_or(&m.id).to_ascii_lowercase();
                let hash = id::hash_part(whole).to_ascii_lowercase();
                let exact = m.id.eq_ignore_ascii_case(whole)
                    || (m.id.contains(':') && (typed == hash || typed.ends_with(&format!("-{hash}")) || typed.eq_ignore_ascii_case(whole)));
                if exact { Named::Issue(n) } else { Named::NotWhole { candidate: whole.to_string() } }
            }
            Err(e @ (store::Error::Ambiguous { .. } | store::Error::InSeveralNamespaces { .. })) => Named::Ambiguous(e),
            Err(e) => Named::Missing(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(msg: &str) -> Vec<(String, MentionKind)> {
        mentions(msg).into_iter().map(|m| (m.id, m.kind)).collect()
    }

    #[test]
    fn trailers_and_brackets_are_mentions() {
        let msg = "Fix the login [bd-a3f2]\n\nLonger text mentions [WIP] and #12.\n\nCloses: bd-b7c9, bd-c4d8\nfixes: (bd-d1)\nRefs: #45 https://x.example/a-b\nPart-of: other:f6g7\nSigned-off-by: A <a@b>";
        assert_eq!(
            ids(msg),
            [
                ("bd-a3f2".to_string(), MentionKind::Bracket),
                ("bd-b7c9".to_string(), MentionKind::Closes),
                ("bd-c4d8".to_string(), MentionKind::Closes),
                ("bd-d1".to_string(), MentionKind::Fixes),
                ("other:f6g7".to_string(), MentionKind::PartOf),
            ]
        );
        assert!(ids("Closes: nothing here\n").is_empty(), "words without a dash are not IDs");
        assert_eq!(ids("Closes: bd-1\nCloses: bd-1").len(), 1);
    }

    #[test]
    fn brackets_in_trailers_lists_and_unclosed_brackets() {
        assert_eq!(ids("Closes: [bd-a1]"), [("bd-a1".to_string(), MentionKind::Closes)]);
        assert_eq!(ids("Both [bd-a1, bd-b2]"), [("bd-a1".to_string(), MentionKind::Bracket), ("bd-b2".to_string(), MentionKind::Bracket)]);
        assert_eq!(ids("nested [a [bd-c3]"), [("bd-c3".to_string(), MentionKind::Bracket)]);
        assert_eq!(ids("CLOSES: BD-D4"), [("BD-D4".to_string(), MentionKind::Closes)]);
    }
}
