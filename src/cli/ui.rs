//! Output: stdout is data, stderr is status and warnings. Human text never
//! replays control characters to the terminal (they are shown escaped);
//! JSON escapes them by construction. Color only on a terminal, never under
//! `NO_COLOR`, unless `--color always`.

use std::io::{self, IsTerminal, Write};

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The writer every command prints through.
pub struct Ui {
    pub json: bool,
    pub quiet: bool,
    color: bool,
    width: Option<usize>,
    out: io::BufWriter<io::Stdout>,
}

/// ANSI styles used in human output.
#[derive(Clone, Copy)]
pub enum Style {
    Id,
    Dim,
    Bold,
    Red,
    Yellow,
    Green,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Id => "\x1b[36m",
            Style::Dim => "\x1b[2m",
            Style::Bold => "\x1b[1m",
            Style::Red => "\x1b[31m",
            Style::Yellow => "\x1b[33m",
            Style::Green => "\x1b[32m",
        }
    }
}

impl Ui {
    /// A UI for the given flags and environment.
    pub fn new(json: bool, quiet: bool, color: ColorChoice) -> Ui {
        let tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color && !dumb,
        };
        let width = if tty { terminal_size::terminal_size().map(|(w, _)| w.0 as usize).filter(|w| *w >= 40) } else { None };
        Ui { json, quiet, color, width, out: io::BufWriter::with_capacity(64 * 1024, io::stdout()) }
    }

    /// The data stream.
    pub fn out(&mut self) -> &mut impl Write {
        &mut self.out
    }

    /// Writes one line of data (or several, separated by newlines). Every
    /// line of human output goes through here and is sanitized whole:
    /// control characters and bidirectional overrides from any source (an
    /// issue, a fetched blob, a remote's message, a ref name) are shown
    /// escaped, and only the styles [`Ui::paint`] added become ANSI codes.
    pub fn line(&mut self, s: &str) -> io::Result<()> {
        let mut shown = clean(s, false);
        if self.color && shown.contains(MARK) {
            shown = unmark(&shown);
        }
        self.out.write_all(shown.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Writes human text that spans lines, sanitized as [`Ui::line`] does.
    pub fn text(&mut self, s: &str) -> io::Result<()> {
        self.out.write_all(clean(s, false).as_bytes())
    }

    /// Writes `v` as pretty JSON on stdout.
    pub fn json_value<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> io::Result<()> {
        crate::model::json::write_pretty(&mut self.out, v).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    /// Writes a JSON array whose elements are already rendered, one per line.
    pub fn json_array<T: AsRef<[u8]>, I: IntoIterator<Item = T>>(&mut self, items: I) -> io::Result<()> {
        let mut first = true;
        self.out.write_all(b"[")?;
        for item in items {
            self.out.write_all(if first { b"\n" } else { b",\n" })?;
            self.out.write_all(item.as_ref())?;
            first = false;
        }
        self.out.write_all(if first { b"]\n" } else { b"\n]\n" })
    }

    /// Status for people, on stderr (silenced by `-q` and by `--json`).
    pub fn status(&self, msg: &str) {
        if !self.quiet && !self.json {
            eprintln!("{}", clean(msg, true));
        }
    }

    /// A warning on stderr (silenced only by `-q`); under `--json` a JSON
    /// line `{"warning": "..."}`, so stderr stays one JSON value per line.
    pub fn warn(&self, msg: &str) {
        if !self.quiet && self.json {
            eprintln!("{}", crate::model::json::to_string(&serde_json::json!({ "warning": msg })));
        } else if !self.quiet {
            let prefix = if self.color { "\x1b[33mwarning:\x1b[0m" } else { "warning:" };
            eprintln!("{prefix} {}", clean(msg, true));
        }
    }

    /// `s` in `style` when color is on. The style is a marker that only
    /// [`Ui::line`] turns into an ANSI code, after sanitizing the line: a
    /// marker cannot be forged by text from an issue, since it carries a
    /// nonce drawn when the process started.
    pub fn paint(&self, style: Style, s: &str) -> String {
        if self.color { format!("{MARK}{}{}{s}{MARK}{}r", nonce(), style as u8, nonce()) } else { s.to_string() }
    }

    /// The terminal width, when printing to one.
    pub fn width(&self) -> Option<usize> {
        self.width
    }

    /// Flushes stdout.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Starts a style marker (a private-use character, then the nonce).
const MARK: char = '\u{e000}';

fn nonce() -> &'static str {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NONCE.get_or_init(|| format!("{:016x}", fastrand::Rng::new().u64(..)))
}

/// Replaces the style markers of [`Ui::paint`] with ANSI codes.
fn unmark(s: &str) -> String {
    const STYLES: [Style; 6] = [Style::Id, Style::Dim, Style::Bold, Style::Red, Style::Yellow, Style::Green];
    let mut out = s.to_string();
    let prefix = format!("{MARK}{}", nonce());
    for (i, st) in STYLES.iter().enumerate() {
        out = out.replace(&format!("{prefix}{i}"), st.code());
    }
    out.replace(&format!("{prefix}r"), "\x1b[0m")
}

/// `s` with control characters (and bidirectional overrides) shown as
/// escapes, so text from issues cannot drive the terminal. With `one_line`,
/// newlines and tabs are escaped too.
pub fn clean(s: &str, one_line: bool) -> String {
    let dangerous = |c: char| {
        (c.is_control() && (one_line || (c != '\n' && c != '\t')))
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(dangerous) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if dangerous(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Cuts `s` to `max` characters, marking the cut with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_reach_the_terminal() {
        assert_eq!(clean("plain", true), "plain");
        assert_eq!(clean("red \x1b[31mtext\x07", true), "red \\x1b[31mtext\\x07");
        assert_eq!(clean("a\nb", true), "a\\nb");
        assert_eq!(clean("a\nb\tc", false), "a\nb\tc");
        assert_eq!(clean("\u{9b}2J", false), "\\x9b2J");
        assert_eq!(clean("abc\u{202e}cba", true), "abc\\u{202e}cba");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
