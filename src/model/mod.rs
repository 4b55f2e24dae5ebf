//! The data model: issues, IDs, timestamps and their serialized forms. Pure
//! data with validation; nothing here touches git or the file system.

pub mod codec;
pub mod id;
pub mod issue;
pub mod json;
pub mod time;

pub use codec::{DecodeError, FORMAT_VERSION, Form};
pub use issue::{Comment, CommentId, DepType, Dependency, FieldError, Issue, IssueType, MAX_TITLE_CHARS, Priority, Status};
pub use time::Timestamp;

/// The key git-beads itself owns in an issue's `metadata` (visibility marks).
pub const METADATA_KEY: &str = "git-beads";
