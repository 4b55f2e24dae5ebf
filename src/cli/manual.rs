//! `man` and `completions`: the manual pages and shell completions, made
//! from the same clap definitions the command line parses with.

use super::ui::Ui;
use super::{Cli, exit};
use anyhow::Context as _;
use clap::CommandFactory;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write git-beads.1 and a page per command (git-beads-<command>.1) into DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "install")]
    pub dir: Option<PathBuf>,
    /// Write them where `man` and `git help beads` find them: share/man/man1
    /// beside the binary's bin/ folder (~/.cargo/share/man/man1 for `cargo install`).
    #[arg(long)]
    pub install: bool,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The name the bash completion functions are generated under.
const BASH_NAME: &str = "gitbeads";

/// `git beads <TAB>`: git's completion calls `_git_beads` with the whole
/// line in `COMP_WORDS`; seen from git-beads, the line starts one word later.
const BASH_GIT_SHIM: &str = r#"
_git_beads() {
    local -a COMP_WORDS=("git-beads" "${COMP_WORDS[@]:2}")
    local COMP_CWORD=$((COMP_CWORD - 1))
    _gitbeads git-beads "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
}
"#;

/// The command tree as the manual shows it: named `git-beads`, the name
/// `man` and `git help beads` look for.
fn command() -> clap::Command {
    Cli::command().name("git-beads").bin_name("git-beads").display_name("git-beads")
}

/// The default manual folder: `<prefix>/share/man/man1` for a binary in `<prefix>/bin`.
fn default_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("could not tell where the git-beads binary is")?;
    let prefix = exe.parent().and_then(Path::parent).context("the binary is not in a bin/ folder")?;
    Ok(prefix.join("share").join("man").join("man1"))
}

/// Writes every page into `dir`; returns their paths.
pub fn write_pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut written = Vec::new();
    let cmd = command();
    write_page(&cmd, "git-beads", "git beads", dir, &mut written)?;
    Ok(written)
}

/// The page of `cmd` as `<name>.1`, its usage shown as `bin ...`, then its subcommands'.
fn write_page(cmd: &clap::Command, name: &str, bin: &str, dir: &Path, written: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let page = cmd.clone().name(name.to_string()).bin_name(bin.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf).context("could not render a manual page")?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buf).with_context(|| format!("could not write {}", path.display()))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_page(sub, &format!("{name}-{}", sub.get_name()), &format!("{bin} {}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

pub fn man(ui: &mut Ui, a: ManArgs) -> anyhow::Result<u8> {
    let dir = match (a.dir, a.install) {
        (Some(d), _) => d,
        (None, true) => default_dir()?,
        (None, false) => {
            // The main page on stdout.
            clap_mangen::Man::new(command()).render(ui.out())?;
            return Ok(exit::OK);
        }
    };
    let written = write_pages(&dir)?;
    if ui.json {
        ui.json_value(&serde_json::json!({ "dir": dir.display().to_string(), "pages": written.len() }))?;
    } else {
        ui.line(&format!("wrote {} manual pages to {}", written.len(), dir.display()))?;
        if a.install {
            ui.status("`git help beads` and `man git-beads` find them when the binary's folder is on PATH");
        }
    }
    Ok(exit::OK)
}

pub fn completions(ui: &mut Ui, a: CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = command();
    // Into memory first: clap_complete panics on a write error (a closed pipe).
    let mut buf = Vec::new();
    if a.shell == clap_complete::Shell::Bash {
        // clap_complete's bash script mixes up function names when the
        // binary's name has a dash: generate under a dashless name, register
        // it for git-beads, and add the function git's own completion calls
        // for `git beads <TAB>`.
        clap_complete::generate(a.shell, &mut cmd, BASH_NAME, &mut buf);
        let script = String::from_utf8(buf)?.replace(&format!(" {BASH_NAME}\n"), " git-beads\n");
        buf = (script + BASH_GIT_SHIM).into_bytes();
    } else {
        clap_complete::generate(a.shell, &mut cmd, "git-beads", &mut buf);
    }
    ui.out().write_all(&buf)?;
    Ok(exit::OK)
}
