//! The store's settings from git config, and the ID prefix rules.

use super::{Error, Result};

/// Repository-level settings from git config.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `beads.prefix`: the prefix of new IDs.
    pub prefix: Option<String>,
    /// `beads.canonical`: the branch whose namespace is canonical.
    pub canonical: Option<String>,
    /// `beads.customStatus` (comma-separated, repeatable).
    pub custom_statuses: Vec<String>,
    /// `beads.customType` (comma-separated, repeatable).
    pub custom_types: Vec<String>,
    /// `beads.routing`: where new issues go (`branch`, `canonical`, `planning`).
    pub routing: Option<String>,
    /// `beads.planning`: the planning namespace (e.g. `planning/myproj`).
    pub planning: Option<String>,
    /// `beads.project`: this project's name in qualified IDs (`project:hash`).
    pub project: Option<String>,
    /// `beads.timeout`: how long a fetch or push may take (a duration; `0`: no limit).
    pub timeout: Option<String>,
}

/// How long a fetch or push may take unless `beads.timeout` or `--timeout` says otherwise.
pub const DEFAULT_NETWORK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The `key=value` settings of `GIT_CONFIG_PARAMETERS`, as git writes it
/// for `git -c`: shell-quoted entries, `'key'='value'` (or the older
/// `'key=value'`), a bare `'key'` or `'key'=` meaning true.
pub fn config_parameters(s: &str) -> Vec<String> {
    /// One single-quoted string; `'\''` inside stands for a quote.
    fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
        if chars.next()? != '\'' {
            return None;
        }
        let mut out = String::new();
        loop {
            match chars.next()? {
                '\'' => {
                    // `'\''`: close, escaped quote, reopen.
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                        if chars.next()? != '\'' || chars.next()? != '\'' {
                            return None;
                        }
                        out.push('\'');
                    } else {
                        return Some(out);
                    }
                }
                c => out.push(c),
            }
        }
    }
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let Some(key) = quoted(&mut chars) else { break };
        if chars.peek() == Some(&'=') {
            chars.next();
            // `'key'=` with nothing after it: `-c key`, an implicit true.
            match chars.peek() == Some(&'\'') {
                true => out.push(format!("{key}={}", quoted(&mut chars).unwrap_or_default())),
                false => out.push(key),
            }
        } else {
            out.push(key);
        }
    }
    out
}

pub(super) fn read_settings(repo: &gix::Repository) -> Settings {
    let cfg = repo.config_snapshot();
    let list = |key: &str| -> Vec<String> {
        cfg.strings(key)
            .unwrap_or_default()
            .iter()
            .flat_map(|v| v.to_string().split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
            .filter(|s| !s.is_empty())
            .collect()
    };
    Settings {
        prefix: cfg.string("beads.prefix").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        canonical: cfg.string("beads.canonical").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        custom_statuses: list("beads.customStatus"),
        custom_types: list("beads.customType"),
        routing: cfg.string("beads.routing").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        planning: cfg.string("beads.planning").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        project: cfg.string("beads.project").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        timeout: cfg.string("beads.timeout").map(|s| s.to_string()).filter(|s| !s.is_empty()),
    }
}

/// A prefix from the repository's directory name: lowercase letters and
/// digits, at most 8 characters (`git-beads` -> `gitbeads`), `bd` if nothing is left.
pub fn default_prefix(repo: &gix::Repository) -> String {
    let dir = repo.workdir().unwrap_or_else(|| repo.common_dir());
    let name = dir.canonicalize().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).unwrap_or_default();
    let name = name.strip_suffix(".git").unwrap_or(&name);
    sanitize_prefix(name).unwrap_or_else(|| "bd".into())
}

/// Lowercases and strips `s` to a valid prefix, if anything is left.
pub fn sanitize_prefix(s: &str) -> Option<String> {
    let p: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).take(8).collect();
    if p.is_empty() || !p.as_bytes()[0].is_ascii_alphanumeric() { None } else { Some(p) }
}

/// Checks a user-given prefix: letters, digits, `_`, and inner `-`.
pub fn validate_prefix(p: &str) -> Result<()> {
    let ok = !p.is_empty()
        && p.len() <= 32
        && p.as_bytes()[0].is_ascii_alphanumeric()
        && !p.ends_with('-')
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(Error::InvalidPrefix { prefix: p.to_string() }) }
}

#[cfg(test)]
mod config_parameter_tests {
    use super::config_parameters;

    #[test]
    fn git_dash_c_settings_are_read_as_git_writes_them() {
        // What `git -c a.b=c -c "x.y=it's" -c flag.only -c e.f=` exports.
        let v = config_parameters("'a.b'='c' 'x.y'='it'\\''s' 'flag.only'= 'e.f'=''");
        assert_eq!(v, ["a.b=c", "x.y=it's", "flag.only", "e.f="]);
        assert_eq!(config_parameters("'old.style=1' 'bare.key'"), ["old.style=1", "bare.key"]);
        assert!(config_parameters("").is_empty());
    }
}
