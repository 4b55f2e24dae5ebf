//! The issue and its parts: pure data with validation, no I/O.

use super::time::Timestamp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Longest title accepted, in characters (beads' limit).
pub const MAX_TITLE_CHARS: usize = 500;

/// Invalid field values, named so the user can fix the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("invalid priority {0:?}: expected 0-4 or P0-P4")]
    Priority(String),
    #[error("invalid status {0:?}: expected one of {1}")]
    Status(String, String),
    #[error("invalid issue type {0:?}: expected one of {1}")]
    IssueType(String, String),
    #[error("invalid dependency type {0:?}: expected one of {1}")]
    DepType(String, String),
    #[error("the title is empty")]
    EmptyTitle,
    #[error("the title is {0} characters long; at most {MAX_TITLE_CHARS} are allowed")]
    LongTitle(usize),
    #[error("invalid label {0:?}: labels are non-empty and hold no commas, control characters or surrounding spaces")]
    Label(String),
    #[error("invalid {field}: {reason}")]
    Other { field: &'static str, reason: String },
}

macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $err:ident { $( $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $variant, )+
            /// A value outside the built-in set, kept verbatim.
            Custom(String),
        }

        impl $name {
            /// The built-in values, in their display order.
            pub const BUILTIN: &'static [&'static str] = &[$($text),+];

            /// The stored spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Custom(s) => s,
                }
            }

            /// Maps a stored word to the enum; unknown words become `Custom`.
            pub fn from_word(s: &str) -> Self {
                match s {
                    $( $text => $name::$variant, )+
                    other => $name::Custom(other.to_string()),
                }
            }

            /// Parses user input: built-ins (with `-` for `_` and any case), or one of `custom`.
            pub fn parse_user(s: &str, custom: &[String]) -> Result<Self, FieldError> {
                let norm = s.trim().to_ascii_lowercase().replace('-', "_");
                let norm_dash = s.trim().to_ascii_lowercase();
                $( if norm == $text || norm_dash == $text { return Ok($name::$variant); } )+
                if let Some(c) = custom.iter().find(|c| c.eq_ignore_ascii_case(s.trim())) {
                    return Ok($name::Custom(c.clone()));
                }
                let mut all: Vec<&str> = Self::BUILTIN.to_vec();
                all.extend(custom.iter().map(String::as_str));
                Err(FieldError::$err(s.to_string(), all.join(", ")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                if s.is_empty() {
                    return Err(serde::de::Error::custom(concat!("empty ", stringify!($name))));
                }
                Ok(Self::from_word(&s))
            }
        }
    };
}

word_enum! {
    /// Where an issue is in its life.
    Status, Status {
        Open = "open",
        InProgress = "in_progress",
        Blocked = "blocked",
        Deferred = "deferred",
        Closed = "closed",
        Pinned = "pinned",
        Tombstone = "tombstone",
    }
}

word_enum! {
    /// What kind of work an issue is.
    IssueType, IssueType {
        Bug = "bug",
        Feature = "feature",
        Task = "task",
        Epic = "epic",
        Chore = "chore",
        Docs = "docs",
        Question = "question",
    }
}

word_enum! {
    /// How one issue relates to another it names.
    DepType, DepType {
        Blocks = "blocks",
        ParentChild = "parent-child",
        ConditionalBlocks = "conditional-blocks",
        WaitsFor = "waits-for",
        Related = "related",
        DiscoveredFrom = "discovered-from",
        Duplicates = "duplicates",
        Supersedes = "supersedes",
        RepliesTo = "replies-to",
        RelatesTo = "relates-to",
        CausedBy = "caused-by",
    }
}

impl Status {
    /// Closed issues never block anything.
    pub fn is_closed(&self) -> bool {
        matches!(self, Status::Closed)
    }

    /// Work that is over: closed, or deleted by a tool that keeps tombstones.
    /// Such issues block nothing and are not listed by default.
    pub fn is_done(&self) -> bool {
        matches!(self, Status::Closed | Status::Tombstone)
    }
}

impl DepType {
    /// Whether a dependency of this type, on work that is not closed, blocks.
    ///
    /// `parent-child` is handled apart: an open parent does not block its
    /// child, only a blocked one does (see `graph`).
    pub fn is_blocking(&self) -> bool {
        matches!(self, DepType::Blocks | DepType::ConditionalBlocks | DepType::WaitsFor)
    }

    /// `-`/`_` and case are forgiven on the command line: `parent_child`, `Blocks`.
    pub fn parse_cli(s: &str) -> Result<Self, FieldError> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        match DepType::from_word(&norm) {
            DepType::Custom(_) => {
                if is_word(&norm) {
                    Ok(DepType::Custom(norm))
                } else {
                    Err(FieldError::DepType(s.to_string(), DepType::BUILTIN.join(", ")))
                }
            }
            t => Ok(t),
        }
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Priority 0 (critical) to 4 (backlog).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Priority(u8);

impl Priority {
    /// Lowest urgency beads knows.
    pub const MAX: u8 = 4;
    /// The default for new issues.
    pub const DEFAULT: Priority = Priority(2);

    /// A priority from its number.
    pub fn new(n: u8) -> Result<Self, FieldError> {
        if n <= Self::MAX { Ok(Priority(n)) } else { Err(FieldError::Priority(n.to_string())) }
    }

    /// The number, 0..=4.
    pub fn get(self) -> u8 {
        self.0
    }

    /// `2`, `P2`, `p2`.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = s.trim();
        let digits = t.strip_prefix(['P', 'p']).unwrap_or(t);
        match digits.parse::<u8>() {
            Ok(n) if n <= Self::MAX && !digits.is_empty() => Ok(Priority(n)),
            _ => Err(FieldError::Priority(s.to_string())),
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .and_then(|n| Priority::new(n).ok())
                .ok_or_else(|| serde::de::Error::custom(FieldError::Priority(n.to_string()))),
            Value::String(s) => Priority::parse(s).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(FieldError::Priority(other.to_string()))),
        }
    }
}

/// A comment's identifier: beads numbers them; anything else is kept as text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum CommentId {
    Int(i64),
    Text(String),
}

impl fmt::Display for CommentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommentId::Int(n) => write!(f, "{n}"),
            CommentId::Text(s) => f.write_str(s),
        }
    }
}

/// An edge from the owning issue to the issue it depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct Dependency {
    /// The issue depended on (beads' `depends_on_id`).
    pub id: String,
    /// How it relates.
    pub dep_type: DepType,
    pub created_at: Option<Timestamp>,
    pub created_by: Option<String>,
    /// Fields other tools wrote that git-beads does not interpret (kept).
    pub extra: BTreeMap<String, Value>,
}

impl Dependency {
    /// A new edge of `dep_type` to `id`.
    pub fn new(id: impl Into<String>, dep_type: DepType) -> Self {
        Dependency { id: id.into(), dep_type, created_at: None, created_by: None, extra: BTreeMap::new() }
    }
}

/// A comment on an issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub id: CommentId,
    pub author: String,
    pub created_at: Timestamp,
    pub text: String,
    /// Fields other tools wrote that git-beads does not interpret (kept).
    pub extra: BTreeMap<String, Value>,
}

/// One issue: beads' model, plus whatever unknown fields it was read with.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub description: String,
    pub design: String,
    pub acceptance_criteria: String,
    pub notes: String,
    pub status: Status,
    pub priority: Priority,
    pub issue_type: IssueType,
    pub assignee: Option<String>,
    pub owner: Option<String>,
    pub estimated_minutes: Option<i64>,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub close_reason: Option<String>,
    pub due_at: Option<Timestamp>,
    pub defer_until: Option<Timestamp>,
    pub external_ref: Option<String>,
    pub labels: BTreeSet<String>,
    /// Kept sorted by (id, type) and unique by id.
    pub dependencies: Vec<Dependency>,
    /// Kept sorted by (created_at, id).
    pub comments: Vec<Comment>,
    /// Application-owned data: one top-level key per application.
    pub metadata: BTreeMap<String, Value>,
    /// Unknown fields read from a blob or a JSONL line, written back unchanged.
    pub extra: BTreeMap<String, Value>,
}

impl Issue {
    /// A fresh open issue with defaults, created `now`.
    pub fn new(id: String, title: String, now: Timestamp) -> Self {
        Issue {
            id,
            title,
            description: String::new(),
            design: String::new(),
            acceptance_criteria: String::new(),
            notes: String::new(),
            status: Status::Open,
            priority: Priority::DEFAULT,
            issue_type: IssueType::Task,
            assignee: None,
            owner: None,
            estimated_minutes: None,
            created_at: now,
            created_by: None,
            updated_at: now,
            closed_at: None,
            close_reason: None,
            due_at: None,
            defer_until: None,
            external_ref: None,
            labels: BTreeSet::new(),
            dependencies: Vec::new(),
            comments: Vec::new(),
            metadata: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Puts the lists in canonical order (dependencies by id then type, one
    /// per target, the last one winning; comments by time then id).
    pub fn normalize(&mut self) {
        let mut seen = BTreeMap::new();
        for d in self.dependencies.drain(..) {
            seen.insert(d.id.clone(), d);
        }
        self.dependencies = seen.into_values().collect();
        self.comments.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        self.comments.dedup_by(|a, b| a.id == b.id && a == b);
    }

    /// Sets the status, keeping `closed_at` set exactly when the issue is closed.
    pub fn set_status(&mut self, status: Status, now: Timestamp) {
        if status.is_closed() {
            if self.closed_at.is_none() || !self.status.is_closed() {
                self.closed_at = Some(now);
            }
        } else {
            self.closed_at = None;
            self.close_reason = None;
        }
        self.status = status;
    }

    /// The dependency on `id`, if any.
    pub fn dependency(&self, id: &str) -> Option<&Dependency> {
        self.dependencies.iter().find(|d| d.id == id)
    }

    /// Adds or retypes the dependency on `dep.id`; returns false if it was already there as is.
    pub fn add_dependency(&mut self, dep: Dependency) -> bool {
        if let Some(existing) = self.dependencies.iter_mut().find(|d| d.id == dep.id) {
            if existing.dep_type == dep.dep_type {
                return false;
            }
            existing.dep_type = dep.dep_type;
            return true;
        }
        self.dependencies.push(dep);
        self.normalize();
        true
    }

    /// Removes the dependency on `id`; returns whether there was one.
    pub fn remove_dependency(&mut self, id: &str) -> bool {
        let before = self.dependencies.len();
        self.dependencies.retain(|d| d.id != id);
        before != self.dependencies.len()
    }

    /// The parent named by a `parent-child` dependency, if any.
    pub fn parent(&self) -> Option<&str> {
        self.dependencies.iter().find(|d| d.dep_type == DepType::ParentChild).map(|d| d.id.as_str())
    }

    /// Checks the invariants every stored issue keeps.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_title(&self.title)?;
        // Stored labels are checked leniently (other tools allow more); the
        // command line applies `validate_label`.
        if let Some(l) = self.labels.iter().find(|l| l.trim().is_empty() || l.chars().any(char::is_control)) {
            return Err(FieldError::Label(l.clone()));
        }
        if self.status != Status::Tombstone && self.status.is_closed() != self.closed_at.is_some() {
            return Err(FieldError::Other {
                field: "closed_at",
                reason: if self.status.is_closed() {
                    "a closed issue needs closed_at".into()
                } else {
                    format!("closed_at is set but the status is {}", self.status)
                },
            });
        }
        Ok(())
    }
}

/// Longest description, design, acceptance criteria, notes or comment
/// accepted from the command line, in bytes.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// Checks a long text field given on the command line.
pub fn validate_text(field: &'static str, text: &str) -> Result<(), FieldError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(FieldError::Other { field, reason: format!("it is {} bytes long; at most {MAX_TEXT_BYTES} are allowed", text.len()) });
    }
    Ok(())
}

/// Titles: non-empty after trimming, at most [`MAX_TITLE_CHARS`] characters.
pub fn validate_title(title: &str) -> Result<(), FieldError> {
    if title.trim().is_empty() {
        return Err(FieldError::EmptyTitle);
    }
    let n = title.chars().count();
    if n > MAX_TITLE_CHARS {
        return Err(FieldError::LongTitle(n));
    }
    Ok(())
}

/// Labels: non-empty, no commas (they separate labels on the command line),
/// no control characters, no surrounding whitespace.
pub fn validate_label(label: &str) -> Result<(), FieldError> {
    if label.is_empty() || label.trim() != label || label.contains(',') || label.chars().any(char::is_control) || label.len() > 200 {
        return Err(FieldError::Label(label.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_forms() {
        assert_eq!(Priority::parse("P0").unwrap().get(), 0);
        assert_eq!(Priority::parse("p4").unwrap().get(), 4);
        assert_eq!(Priority::parse("3").unwrap().get(), 3);
        for bad in ["5", "P", "-1", "P9", "high", ""] {
            assert!(Priority::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_user_parse_forgives_dashes_and_case() {
        assert_eq!(Status::parse_user("in-progress", &[]).unwrap(), Status::InProgress);
        assert_eq!(Status::parse_user("CLOSED", &[]).unwrap(), Status::Closed);
        let e = Status::parse_user("done", &[]).unwrap_err().to_string();
        assert!(e.contains("\"done\"") && e.contains("in_progress"), "{e}");
        assert_eq!(Status::parse_user("review", &["review".into()]).unwrap(), Status::Custom("review".into()));
    }

    #[test]
    fn unknown_words_survive_as_custom() {
        assert_eq!(Status::from_word("tombstone").as_str(), "tombstone");
        assert_eq!(IssueType::from_word("spike"), IssueType::Custom("spike".into()));
    }

    #[test]
    fn dep_types_block_or_not() {
        assert!(DepType::Blocks.is_blocking());
        assert!(DepType::WaitsFor.is_blocking());
        assert!(DepType::ConditionalBlocks.is_blocking());
        assert!(!DepType::Related.is_blocking());
        assert!(!DepType::ParentChild.is_blocking());
        assert_eq!(DepType::parse_cli("parent_child").unwrap(), DepType::ParentChild);
        assert!(DepType::parse_cli("no way").is_err());
    }

    #[test]
    fn title_rules() {
        assert_eq!(validate_title("   "), Err(FieldError::EmptyTitle));
        assert!(validate_title(&"x".repeat(500)).is_ok());
        assert_eq!(validate_title(&"é".repeat(501)), Err(FieldError::LongTitle(501)));
    }

    #[test]
    fn closed_at_follows_status() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let mut i = Issue::new("bd-a1".into(), "t".into(), now);
        i.set_status(Status::Closed, now);
        assert_eq!(i.closed_at, Some(now));
        i.validate().unwrap();
        i.set_status(Status::Open, now);
        assert_eq!(i.closed_at, None);
        i.closed_at = Some(now);
        assert!(i.validate().is_err());
    }

    #[test]
    fn dependencies_stay_unique_and_sorted() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let mut i = Issue::new("bd-a1".into(), "t".into(), now);
        assert!(i.add_dependency(Dependency::new("bd-z", DepType::Blocks)));
        assert!(i.add_dependency(Dependency::new("bd-b", DepType::Related)));
        assert!(!i.add_dependency(Dependency::new("bd-z", DepType::Blocks)));
        assert!(i.add_dependency(Dependency::new("bd-z", DepType::WaitsFor)));
        let ids: Vec<_> = i.dependencies.iter().map(|d| (d.id.as_str(), d.dep_type.as_str())).collect();
        assert_eq!(ids, [("bd-b", "related"), ("bd-z", "waits-for")]);
        assert!(i.remove_dependency("bd-b"));
        assert!(!i.remove_dependency("bd-b"));
    }
}
