//! Issue <-> bytes: the canonical blob form, and beads' JSONL form.
//!
//! The blob form is what a namespace stores: fixed key order, one field per
//! line, one dependency or comment per line, sorted labels, and a trailing
//! newline, so one issue state has exactly one blob id and `git diff` between
//! two namespace commits reads field by field. Dependencies are `{id, type}`.
//!
//! The beads form is what `bd`/`br` export and what `--json` prints:
//! dependencies are `{issue_id, depends_on_id, type, ...}` and comments carry
//! `issue_id`. The reader accepts both forms, so a JSONL line from bd or br
//! parses with the same code as a blob.

use super::issue::{Comment, CommentId, DepType, Dependency, Issue, IssueType, Priority, Status};
use super::time::Timestamp;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The blob format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// Why bytes are not an issue.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not valid JSON for an issue")]
    Json(#[from] serde_json::Error),
    #[error("unknown format version {found} (this git-beads reads version {FORMAT_VERSION})")]
    UnknownFormat { found: String },
    #[error(transparent)]
    Invalid(#[from] super::issue::FieldError),
}

/// The serialized shape to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The canonical namespace blob.
    Blob,
    /// beads' JSONL / `--json` shape, one line, comments included.
    Beads,
    /// beads' shape without comments (what list views print).
    BeadsSummary,
    /// Like `BeadsSummary` without the description: the index stores the
    /// description once and splices it in when printing.
    IndexRow,
}

/// Encodes the canonical blob for `issue` (its lists must be normalized).
pub fn to_blob(issue: &Issue) -> Vec<u8> {
    let mut buf = Vec::with_capacity(1024);
    let mut w = Obj::open(&mut buf, true, false);
    w.raw("format_version", &FORMAT_VERSION);
    write_fields(&mut w, issue, Form::Blob, None);
    w.close();
    buf.push(b'\n');
    buf
}

/// Encodes `issue` as one line of beads JSON (no trailing newline).
pub fn to_beads_json(issue: &Issue, form: Form) -> String {
    let mut buf = Vec::with_capacity(1024);
    let mut w = Obj::open(&mut buf, false, true);
    write_fields(&mut w, issue, form, None);
    w.close();
    String::from_utf8(buf).expect("the JSON writer emits UTF-8")
}

/// Like [`to_beads_json`], without the closing brace, each dependency object
/// extended with the JSON fields `dep_extra` renders (e.g. `,"title":"..."`).
pub fn to_beads_json_open(issue: &Issue, form: Form, dep_extra: &dyn Fn(&Dependency) -> String) -> String {
    let mut buf = Vec::with_capacity(1024);
    let mut w = Obj::open(&mut buf, false, true);
    write_fields(&mut w, issue, form, Some(dep_extra));
    w.close();
    buf.pop();
    String::from_utf8(buf).expect("the JSON writer emits UTF-8")
}

/// Decodes a blob or a beads JSONL line.
pub fn from_slice(bytes: &[u8]) -> Result<Issue, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw = de.deserialize_map(IssueVisitor)?;
    de.end()?;
    raw.finish()
}

fn write_fields(w: &mut Obj<'_>, i: &Issue, form: Form, dep_extra: Option<&dyn Fn(&Dependency) -> String>) {
    w.str("id", &i.id);
    w.str("title", &i.title);
    if form != Form::IndexRow {
        w.str_nonempty("description", &i.description);
    }
    w.str_nonempty("design", &i.design);
    w.str_nonempty("acceptance_criteria", &i.acceptance_criteria);
    w.str_nonempty("notes", &i.notes);
    w.str("status", i.status.as_str());
    w.raw("priority", &i.priority.get());
    w.str("issue_type", i.issue_type.as_str());
    w.opt_str("assignee", i.assignee.as_deref());
    w.opt_str("owner", i.owner.as_deref());
    if let Some(m) = i.estimated_minutes {
        w.raw("estimated_minutes", &m);
    }
    w.time("created_at", Some(i.created_at));
    w.opt_str("created_by", i.created_by.as_deref());
    w.time("updated_at", Some(i.updated_at));
    w.time("closed_at", i.closed_at);
    w.opt_str("close_reason", i.close_reason.as_deref());
    w.time("due_at", i.due_at);
    w.time("defer_until", i.defer_until);
    w.opt_str("external_ref", i.external_ref.as_deref());
    if !i.labels.is_empty() {
        w.raw("labels", &i.labels);
    }
    if !i.dependencies.is_empty() {
        w.list("dependencies", &i.dependencies, |o, d| {
            if form == Form::Blob {
                o.str("id", &d.id);
            } else {
                o.str("issue_id", &i.id);
                o.str("depends_on_id", &d.id);
            }
            o.str("type", d.dep_type.as_str());
            o.time("created_at", d.created_at);
            o.opt_str("created_by", d.created_by.as_deref());
            for (k, v) in &d.extra {
                o.raw(k, v);
            }
            if let Some(extra) = dep_extra {
                o.append(&extra(d));
            }
        });
    }
    if !i.comments.is_empty() && form != Form::BeadsSummary && form != Form::IndexRow {
        w.list("comments", &i.comments, |o, c| {
            o.raw("id", &c.id);
            if form != Form::Blob {
                o.str("issue_id", &i.id);
            }
            o.str("author", &c.author);
            o.str("text", &c.text);
            o.time("created_at", Some(c.created_at));
            for (k, v) in &c.extra {
                o.raw(k, v);
            }
        });
    }
    if !i.metadata.is_empty() {
        w.map("metadata", &i.metadata);
    }
    for (k, v) in &i.extra {
        w.raw(k, v);
    }
}

/// Writes one JSON object into a buffer, either one field per line (the
/// top level of a blob) or on one line.
struct Obj<'b> {
    buf: &'b mut Vec<u8>,
    multiline: bool,
    first: bool,
    /// Escape what terminals and bidi rendering act on (every form but the
    /// blob, whose bytes are fixed by the storage format).
    safe: bool,
}

fn put<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, v: &T, safe: bool) {
    let written = if safe { super::json::write(buf, v) } else { serde_json::to_writer(buf, v) };
    written.expect("serializing plain JSON values into memory cannot fail");
}

impl<'b> Obj<'b> {
    fn open(buf: &'b mut Vec<u8>, multiline: bool, safe: bool) -> Self {
        buf.push(b'{');
        Obj { buf, multiline, first: true, safe }
    }
    fn key(&mut self, k: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        if self.multiline {
            self.buf.extend_from_slice(b"\n  ");
        }
        put(self.buf, k, self.safe);
        self.buf.push(b':');
        if self.multiline {
            self.buf.push(b' ');
        }
    }
    fn raw<T: serde::Serialize + ?Sized>(&mut self, k: &str, v: &T) {
        self.key(k);
        put(self.buf, v, self.safe);
    }
    fn str(&mut self, k: &str, v: &str) {
        self.raw(k, v);
    }
    fn str_nonempty(&mut self, k: &str, v: &str) {
        if !v.is_empty() {
            self.str(k, v);
        }
    }
    fn opt_str(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.str(k, v);
        }
    }
    fn time(&mut self, k: &str, t: Option<Timestamp>) {
        if let Some(t) = t {
            self.str(k, &t.to_canonical());
        }
    }
    /// Appends already-rendered fields (each starting with a comma).
    fn append(&mut self, fields: &str) {
        self.buf.extend_from_slice(fields.as_bytes());
    }
    /// A list of compact objects: one per line in a multiline object.
    fn list<T>(&mut self, k: &str, items: &[T], mut each: impl FnMut(&mut Obj<'_>, &T)) {
        self.key(k);
        self.buf.push(b'[');
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                self.buf.push(b',');
            }
            if self.multiline {
                self.buf.extend_from_slice(b"\n    ");
            }
            let safe = self.safe;
            let mut o = Obj::open(self.buf, false, safe);
            each(&mut o, item);
            o.close();
        }
        if self.multiline {
            self.buf.extend_from_slice(b"\n  ");
        }
        self.buf.push(b']');
    }
    /// An object of compact values: one key per line in a multiline object.
    fn map(&mut self, k: &str, items: &BTreeMap<String, Value>) {
        self.key(k);
        self.buf.push(b'{');
        for (n, (key, val)) in items.iter().enumerate() {
            if n > 0 {
                self.buf.push(b',');
            }
            if self.multiline {
                self.buf.extend_from_slice(b"\n    ");
            }
            put(self.buf, key.as_str(), self.safe);
            self.buf.push(b':');
            if self.multiline {
                self.buf.push(b' ');
            }
            put(self.buf, val, self.safe);
        }
        if self.multiline {
            self.buf.extend_from_slice(b"\n  ");
        }
        self.buf.push(b'}');
    }
    fn close(self) {
        if self.multiline {
            self.buf.push(b'\n');
        }
        self.buf.push(b'}');
    }
}

/// Fields as read, before the required ones are checked.
#[derive(Default)]
struct RawIssue {
    format: Option<Value>,
    id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    design: Option<String>,
    acceptance_criteria: Option<String>,
    notes: Option<String>,
    status: Option<Status>,
    priority: Option<Priority>,
    issue_type: Option<IssueType>,
    assignee: Option<String>,
    owner: Option<String>,
    estimated_minutes: Option<i64>,
    created_at: Option<Timestamp>,
    created_by: Option<String>,
    updated_at: Option<Timestamp>,
    closed_at: Option<Timestamp>,
    close_reason: Option<String>,
    due_at: Option<Timestamp>,
    defer_until: Option<Timestamp>,
    external_ref: Option<String>,
    labels: BTreeSet<String>,
    dependencies: Vec<Dependency>,
    comments: Vec<Comment>,
    metadata: BTreeMap<String, Value>,
    extra: BTreeMap<String, Value>,
}

impl RawIssue {
    fn finish(self) -> Result<Issue, DecodeError> {
        if let Some(v) = &self.format
            && v.as_u64() != Some(FORMAT_VERSION)
        {
            return Err(DecodeError::UnknownFormat { found: v.to_string() });
        }
        let missing = |f: &'static str| super::issue::FieldError::Other { field: f, reason: "missing".into() };
        let id = self.id.ok_or_else(|| missing("id"))?;
        let title = self.title.ok_or_else(|| missing("title"))?;
        let created_at = self.created_at.ok_or_else(|| missing("created_at"))?;
        let mut issue = Issue {
            id,
            title,
            description: self.description.unwrap_or_default(),
            design: self.design.unwrap_or_default(),
            acceptance_criteria: self.acceptance_criteria.unwrap_or_default(),
            notes: self.notes.unwrap_or_default(),
            status: self.status.unwrap_or(Status::Open),
            priority: self.priority.unwrap_or(Priority::DEFAULT),
            issue_type: self.issue_type.unwrap_or(IssueType::Task),
            assignee: self.assignee,
            owner: self.owner,
            estimated_minutes: self.estimated_minutes,
            created_at,
            created_by: self.created_by,
            updated_at: self.updated_at.unwrap_or(created_at),
            closed_at: self.closed_at,
            close_reason: self.close_reason,
            due_at: self.due_at,
            defer_until: self.defer_until,
            external_ref: self.external_ref,
            labels: self.labels,
            dependencies: self.dependencies,
            comments: self.comments,
            metadata: self.metadata,
            extra: self.extra,
        };
        super::id::validate_id(&issue.id).map_err(|e| super::issue::FieldError::Other { field: "id", reason: e.to_string() })?;
        super::issue::validate_title(&issue.title)?;
        for d in &issue.dependencies {
            super::id::validate_reference(&d.id)
                .map_err(|e| super::issue::FieldError::Other { field: "dependencies", reason: e.to_string() })?;
        }
        issue.normalize();
        Ok(issue)
    }
}

/// `null` and `""` both mean "not set" for optional text.
fn opt_text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    Ok(map.next_value::<Option<String>>()?.filter(|s| !s.is_empty()))
}

fn opt_time<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Timestamp>, A::Error> {
    match map.next_value::<Option<String>>()? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => Timestamp::parse(&s).map(Some).map_err(de::Error::custom),
    }
}

fn field_err<E: de::Error>(field: &str, e: impl fmt::Display) -> E {
    E::custom(format_args!("field `{field}`: {e}"))
}

struct IssueVisitor;

impl<'de> Visitor<'de> for IssueVisitor {
    type Value = RawIssue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an issue object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawIssue, A::Error> {
        let mut r = RawIssue::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            macro_rules! typed {
                ($field:literal, $t:ty) => {
                    map.next_value::<$t>().map_err(|e| field_err::<A::Error>($field, e))?
                };
            }
            match key.as_ref() {
                "format_version" => r.format = Some(map.next_value()?),
                "id" => r.id = Some(typed!("id", String)),
                "title" => r.title = Some(typed!("title", String)),
                "description" => r.description = opt_text(&mut map)?,
                "design" => r.design = opt_text(&mut map)?,
                "acceptance_criteria" => r.acceptance_criteria = opt_text(&mut map)?,
                "notes" => r.notes = opt_text(&mut map)?,
                "status" => r.status = Some(typed!("status", Status)),
                "priority" => r.priority = Some(typed!("priority", Priority)),
                "issue_type" => r.issue_type = Some(typed!("issue_type", IssueType)),
                "assignee" => r.assignee = opt_text(&mut map)?,
                "owner" => r.owner = opt_text(&mut map)?,
                "estimated_minutes" => r.estimated_minutes = typed!("estimated_minutes", Option<i64>),
                "created_at" => r.created_at = opt_time(&mut map).map_err(|e| field_err::<A::Error>("created_at", e))?,
                "created_by" => r.created_by = opt_text(&mut map)?,
                "updated_at" => r.updated_at = opt_time(&mut map).map_err(|e| field_err::<A::Error>("updated_at", e))?,
                "closed_at" => r.closed_at = opt_time(&mut map).map_err(|e| field_err::<A::Error>("closed_at", e))?,
                "close_reason" => r.close_reason = opt_text(&mut map)?,
                "due_at" => r.due_at = opt_time(&mut map).map_err(|e| field_err::<A::Error>("due_at", e))?,
                "defer_until" => r.defer_until = opt_time(&mut map).map_err(|e| field_err::<A::Error>("defer_until", e))?,
                "external_ref" => r.external_ref = opt_text(&mut map)?,
                "labels" => {
                    r.labels = typed!("labels", Option<Vec<String>>).unwrap_or_default().into_iter().collect();
                }
                "dependencies" => {
                    let deps: Option<Vec<DepWire>> = typed!("dependencies", Option<Vec<DepWire>>);
                    r.dependencies = deps.unwrap_or_default().into_iter().map(|d| d.0).collect();
                }
                "comments" => {
                    let cs: Option<Vec<CommentWire>> = typed!("comments", Option<Vec<CommentWire>>);
                    r.comments = cs.unwrap_or_default().into_iter().map(|c| c.0).collect();
                }
                "metadata" => {
                    // An object is the documented shape; a JSON-encoded object
                    // string (as some tools write) is unpacked; anything else is
                    // kept verbatim as an unknown field so nothing is lost.
                    match map.next_value::<Value>()? {
                        Value::Object(m) => r.metadata = m.into_iter().collect(),
                        Value::String(s) if s.trim().is_empty() || s.trim() == "{}" => {}
                        Value::String(s) => match serde_json::from_str::<Value>(&s) {
                            Ok(Value::Object(m)) => r.metadata = m.into_iter().collect(),
                            _ => {
                                r.extra.insert("metadata".into(), Value::String(s));
                            }
                        },
                        Value::Null => {}
                        other => {
                            r.extra.insert("metadata".into(), other);
                        }
                    }
                }
                other => {
                    let v: Value = map.next_value()?;
                    r.extra.insert(other.to_string(), v);
                }
            }
        }
        Ok(r)
    }
}

struct DepWire(Dependency);

impl<'de> serde::Deserialize<'de> for DepWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut m = BTreeMap::<String, Value>::deserialize(d)?;
        m.remove("issue_id");
        let id = match (m.remove("id"), m.remove("depends_on_id")) {
            (_, Some(Value::String(s))) | (Some(Value::String(s)), None) => s,
            _ => return Err(de::Error::custom("a dependency needs `depends_on_id` (or `id`)")),
        };
        let dep_type = match m.remove("type").or_else(|| m.remove("dep_type")) {
            Some(Value::String(s)) if !s.is_empty() => DepType::from_word(&s),
            None => DepType::Blocks,
            Some(other) => return Err(de::Error::custom(format_args!("bad dependency type {other}"))),
        };
        let created_at = match m.remove("created_at") {
            Some(Value::String(s)) if !s.is_empty() => Some(Timestamp::parse(&s).map_err(de::Error::custom)?),
            _ => None,
        };
        let created_by = match m.remove("created_by") {
            Some(Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        };
        Ok(DepWire(Dependency { id, dep_type, created_at, created_by, extra: m }))
    }
}

struct CommentWire(Comment);

impl<'de> serde::Deserialize<'de> for CommentWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut m = BTreeMap::<String, Value>::deserialize(d)?;
        m.remove("issue_id");
        let id = match m.remove("id") {
            Some(v) => serde_json::from_value::<CommentId>(v).map_err(de::Error::custom)?,
            None => return Err(de::Error::custom("a comment needs an `id`")),
        };
        let text = match m.remove("text").or_else(|| m.remove("body")) {
            Some(Value::String(s)) => s,
            _ => return Err(de::Error::custom("a comment needs `text`")),
        };
        let author = match m.remove("author") {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let created_at = match m.remove("created_at") {
            Some(Value::String(s)) => Timestamp::parse(&s).map_err(de::Error::custom)?,
            _ => return Err(de::Error::custom("a comment needs `created_at`")),
        };
        Ok(CommentWire(Comment { id, author, created_at, text, extra: m }))
    }
}

/// Issues serialize in beads' form (what `--json` prints).
impl serde::Serialize for Issue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(to_beads_json(self, Form::Beads)).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Issue {
        let now = Timestamp::parse("2026-04-16T22:39:21Z").unwrap();
        let mut i = Issue::new("bd-a3f2".into(), "Fix \"login\" timeout \u{1b}[31m".into(), now);
        i.description = "line one\nline two".into();
        i.priority = Priority::new(1).unwrap();
        i.issue_type = IssueType::Bug;
        i.labels = ["z".to_string(), "a".to_string()].into_iter().collect();
        i.add_dependency(Dependency::new("bd-b7c9", DepType::Blocks));
        i.add_dependency(Dependency::new("bd-0000", DepType::ParentChild));
        i.comments.push(Comment {
            id: CommentId::Int(7),
            author: "alice".into(),
            created_at: now,
            text: "hi".into(),
            extra: BTreeMap::new(),
        });
        i.metadata.insert("vc".into(), serde_json::json!({"runs": 2}));
        i.extra.insert("source_repo".into(), Value::String("br2k".into()));
        i
    }

    #[test]
    fn blob_form_is_one_field_per_line() {
        let text = String::from_utf8(to_blob(&sample())).unwrap();
        let expected = r#"{
  "format_version": 1,
  "id": "bd-a3f2",
  "title": "Fix \"login\" timeout \u001b[31m",
  "description": "line one\nline two",
  "status": "open",
  "priority": 1,
  "issue_type": "bug",
  "created_at": "2026-04-16T22:39:21Z",
  "updated_at": "2026-04-16T22:39:21Z",
  "labels": ["a","z"],
  "dependencies": [
    {"id":"bd-0000","type":"parent-child"},
    {"id":"bd-b7c9","type":"blocks"}
  ],
  "comments": [
    {"id":7,"author":"alice","text":"hi","created_at":"2026-04-16T22:39:21Z"}
  ],
  "metadata": {
    "vc": {"runs":2}
  },
  "source_repo": "br2k"
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn blob_round_trips_exactly() {
        let i = sample();
        let blob = to_blob(&i);
        let back = from_slice(&blob).unwrap();
        assert_eq!(back, i);
        assert_eq!(to_blob(&back), blob, "canonical form is a fixed point");
    }

    #[test]
    fn beads_form_round_trips() {
        let i = sample();
        let line = to_beads_json(&i, Form::Beads);
        assert!(line.contains(r#""depends_on_id":"bd-b7c9""#), "{line}");
        assert!(line.contains(r#""issue_id":"bd-a3f2""#), "{line}");
        assert_eq!(from_slice(line.as_bytes()).unwrap(), i);
        assert!(!to_beads_json(&i, Form::BeadsSummary).contains("comments"));
    }

    #[test]
    fn reads_a_br_line() {
        let line = r#"{"id":"gb-egrbt","title":"Ship dark mode","status":"open","priority":1,"issue_type":"feature","created_at":"2026-11-21T07:25:18.668391540Z","created_by":"unknown","updated_at":"2026-11-21T07:25:19.345895855Z","source_repo":"br2k","compaction_level":0,"original_size":0,"labels":["frontend","ux"],"dependencies":[{"issue_id":"gb-egrbt","depends_on_id":"gb-mus3p","type":"blocks","created_at":"2026-11-21T07:25:18.878909283Z","created_by":"unknown","metadata":"{}","thread_id":""}],"comments":[{"id":2197,"issue_id":"gb-egrbt","author":"unknown","text":"Blocked on the guide; see thread","created_at":"2026-11-21T07:25:19Z"}]}"#;
        let i = from_slice(line.as_bytes()).unwrap();
        assert_eq!(i.dependencies[0].id, "gb-mus3p");
        assert_eq!(i.dependencies[0].extra.get("thread_id"), Some(&Value::String(String::new())));
        assert_eq!(i.comments[0].id, CommentId::Int(2197));
        assert_eq!(i.extra.get("compaction_level"), Some(&serde_json::json!(0)));
        let again = from_slice(to_beads_json(&i, Form::Beads).as_bytes()).unwrap();
        assert_eq!(again, i);
    }

    #[test]
    fn unknown_format_version_is_refused() {
        let text = String::from_utf8(to_blob(&sample())).unwrap().replace("\"format_version\": 1", "\"format_version\": 9");
        let e = from_slice(text.as_bytes()).unwrap_err();
        assert!(matches!(e, DecodeError::UnknownFormat { .. }), "{e}");
        assert!(e.to_string().contains("9"));
    }

    #[test]
    fn bad_fields_are_named() {
        // The message and its causes, as the command line prints them.
        let chain = |e: DecodeError| {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(c) = src {
                s = format!("{s}: {c}");
                src = c.source();
            }
            s
        };
        let e = chain(from_slice(br#"{"id":"bd-1","title":"x","created_at":"2026-01-01T00:00:00Z","priority":9}"#).unwrap_err());
        assert!(e.contains("priority"), "{e}");
        let e = chain(from_slice(br#"{"id":"bd-1","title":"","created_at":"2026-01-01T00:00:00Z"}"#).unwrap_err());
        assert!(e.contains("title"), "{e}");
        let e = chain(from_slice(br#"{"id":"bd-1","title":"x"}"#).unwrap_err());
        assert!(e.contains("created_at"), "{e}");
        assert!(!e.contains("created_at: missing field `created_at`: missing field"), "a cause is not repeated: {e}");
        assert!(from_slice(b"not json").is_err());
        assert!(from_slice(br#"{"id":"bd 1","title":"x","created_at":"2026-01-01T00:00:00Z"}"#).is_err());
    }
}
