//! JSON output that is safe to show: serde_json escapes C0 controls, quotes
//! and backslashes; this also escapes C1 controls (U+0080..U+009F, which
//! terminals read as CSI and OSC), bidirectional overrides and isolates
//! (which reorder what a reader sees), and U+2028/U+2029 (line breaks to
//! JavaScript). The escaped text decodes to exactly the same string.
//!
//! Every `--json` output and every pre-rendered JSON fragment in the index is
//! written through here; the canonical blob form is not (its bytes are fixed
//! by the storage format, and it is never shown raw).

use serde::Serialize;
use std::io::{self, Write};

/// Whether `c` is escaped beyond what serde_json escapes.
pub fn is_unsafe(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes `fragment` (a run serde_json did not escape) with the characters
/// of [`is_unsafe`] as `\uXXXX`.
fn write_fragment<W: ?Sized + Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    // Every unsafe character starts with byte 0xC2 (C1) or 0xE2 (the rest).
    if memchr::memchr2(0xc2, 0xe2, fragment.as_bytes()).is_none() {
        return w.write_all(fragment.as_bytes());
    }
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if is_unsafe(c) {
            w.write_all(&fragment.as_bytes()[start..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&fragment.as_bytes()[start..])
}

/// serde_json's compact output with the extra escapes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Compact;

impl serde_json::ser::Formatter for Compact {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        write_fragment(writer, fragment)
    }
}

/// serde_json's pretty output (two-space indent) with the extra escapes.
#[derive(Debug, Default)]
pub struct Pretty(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for Pretty {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        write_fragment(writer, fragment)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as compact, safe JSON.
pub fn write<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(w, Compact))
}

/// Writes `value` as pretty, safe JSON.
pub fn write_pretty<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(w, Pretty::default()))
}

/// `value` as compact, safe JSON.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut buf = Vec::new();
    write(&mut buf, value).expect("serializing plain data into memory cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// `value` as pretty, safe JSON.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut buf = Vec::new();
    write_pretty(&mut buf, value).expect("serializing plain data into memory cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_bidi_controls_are_escaped_and_round_trip() {
        let s = "a\u{1b}[2J b\u{9b}31m c\u{202e}d \u{2066}e\u{2069} \u{2028} é ü 日本";
        let out = to_string(&s);
        assert!(out.is_ascii() || !out.chars().any(|c| is_unsafe(c) || c.is_control()), "{out}");
        assert!(out.contains("\\u001b") && out.contains("\\u009b") && out.contains("\\u202e") && out.contains("\\u2066"));
        assert!(out.contains("é ü 日本"), "ordinary text stays as it is: {out}");
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        let pretty = to_string_pretty(&serde_json::json!({"k": [s]}));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&pretty).unwrap()["k"][0], s);
        assert_eq!(
            pretty,
            serde_json::to_string_pretty(&serde_json::json!({"k": [s]}))
                .unwrap()
                .replace('\u{9b}', "\\u009b")
                .replace('\u{202e}', "\\u202e")
                .replace('\u{2066}', "\\u2066")
                .replace('\u{2069}', "\\u2069")
                .replace('\u{2028}', "\\u2028")
        );
    }
}
