//! The command line: clap definitions, dispatch, and the mapping of errors
//! to messages and exit codes. This is the only place that prints.

// Doc comments here are clap's help text, where `<ARG>` is plain text.
#![allow(rustdoc::invalid_html_tags)]

mod args;
mod check;
mod comments;
mod create;
mod dep;
mod env;
mod error;
mod hooks;
mod init;
mod io;
mod label;
mod list;
mod log;
mod manual;
mod mutate;
mod ns;
mod promote;
mod propose;
mod show;
mod sync;
pub mod ui;
mod unlock;

use crate::store::{Actor, Namespace, Store};
use crate::view::View;
use crate::{Beads, Scope, Targets};
use anyhow::Context as _;
use clap::{Parser, Subcommand};
pub use error::{InvalidInput, UsageError, exit};
use std::path::PathBuf;
use std::process::ExitCode;
use ui::{ColorChoice, Ui};

/// git-beads: issues as git objects on refs/beads/*.
///
/// A dependency-aware issue tracker for coding agents and the people working
/// with them. Issues live on refs/beads/*, never in the working tree; sync is
/// git fetch/push; `ready` lists the work that can start now.
#[derive(Parser, Debug)]
#[command(name = "git-beads", bin_name = "git beads", version, max_term_width = 100)]
pub struct Cli {
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run as if started in DIR (like git -C; may be repeated).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Vec<PathBuf>,
    /// Act as NAME (recorded as author, creator, claimant).
    #[arg(long, global = true, value_name = "NAME")]
    pub actor: Option<String>,
    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only data and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Read and write this namespace only: a branch (`feature/x`), or
    /// `heads/x`, `planning/x`, `proposals/x`, or a full `refs/beads/...` name.
    #[arg(long, global = true, value_name = "NAME")]
    pub ns: Option<String>,
    /// Views read every local namespace (branches and planning).
    #[arg(long, global = true, conflicts_with = "ns")]
    pub all_ns: bool,
    /// Stop a fetch or push that takes longer than this (e.g. 30s, 2m; 0: no
    /// limit). Default: `beads.timeout`, else 60s.
    #[arg(long, global = true, value_name = "DURATION")]
    pub timeout: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Set up git-beads in this repository (idempotent).
    Init(init::InitArgs),
    /// Create an issue; prints its ID.
    Create(create::CreateArgs),
    /// Quick capture: create an issue from words, print its ID.
    Q(create::QuickArgs),
    /// Show issues with their dependencies, dependents and comments.
    Show(show::ShowArgs),
    /// List issues.
    List(list::ListArgs),
    /// Issues that can be worked on now.
    Ready(list::ReadyArgs),
    /// Issues that cannot start yet, with what blocks them.
    Blocked(list::BlockedArgs),
    /// Find issues by text in their ID, title or description.
    Search(list::SearchArgs),
    /// Counts by status, and the ready/blocked numbers (bd's `status` too).
    #[command(alias = "status")]
    Stats(list::StatsArgs),
    /// Count issues, optionally grouped.
    Count(list::CountArgs),
    /// Issues nobody touched for a while.
    Stale(list::StaleArgs),
    /// Change fields of issues.
    Update(mutate::UpdateArgs),
    /// Close issues.
    Close(mutate::CloseArgs),
    /// Reopen closed issues.
    Reopen(mutate::ReopenArgs),
    /// Delete issues (previews unless --force).
    Delete(mutate::DeleteArgs),
    /// Put issues aside until a date.
    Defer(mutate::DeferArgs),
    /// Bring deferred issues back.
    Undefer(mutate::UndeferArgs),
    /// Manage dependencies (`dep add A B`, or bd's `dep B --blocks A`).
    Dep(dep::DepArgs),
    /// Manage labels.
    #[command(subcommand)]
    Label(label::LabelCommand),
    /// Add or list comments.
    Comments(comments::CommentsArgs),
    /// Add a comment (bd's `comment`; the same as `comments add`).
    Comment(comments::AddArgs),
    /// Write all issues as beads-compatible JSONL.
    Export(io::ExportArgs),
    /// Read issues from beads JSONL (bd or br exports) as one commit.
    Import(io::ImportArgs),
    /// The history of one issue, from the namespace's commits.
    Log(log::LogArgs),
    /// Fetch, merge and push the beads namespaces.
    Sync(sync::SyncArgs),
    /// Fetch the remote's beads namespaces into refs/beads/remotes/.
    Fetch(sync::RemoteArg),
    /// Push local beads namespaces that are ahead of the remote.
    Push(sync::RemoteArg),
    /// Offer issues upstream: copy their blobs to refs/beads/proposals/<name> on a remote.
    Propose(propose::ProposeArgs),
    /// Take back a proposal of yours.
    Withdraw(propose::WithdrawArgs),
    /// Proposals: yours, and those fetched from remotes.
    Proposals(propose::ProposalsArgs),
    /// Copy proposed issues into the canonical namespace and remove the proposal.
    Accept(propose::AcceptArgs),
    /// Turn a proposal down, with a reason.
    Reject(propose::RejectArgs),
    /// Move issues from a branch namespace to another (canonical by default).
    Promote(promote::PromoteArgs),
    /// Namespaces: list them, prune those of deleted branches.
    #[command(subcommand)]
    Ns(ns::NsCommand),
    /// Check a pull request: validate every namespace, and the issues its commits name.
    ///
    /// Exits 0 when the check passes, 1 when it found errors, 2 when it
    /// could not check (a revision, history or the beads refs are missing).
    Check(check::CheckArgs),
    /// Close the issues that commits close (`Closes:`/`Fixes:` trailers), for after a merge.
    CloseFromCommits(check::CloseFromCommitsArgs),
    /// Git hooks: install (chaining onto existing ones), uninstall, list.
    #[command(subcommand)]
    Hooks(hooks::HooksCommand),
    /// Remove ref locks left behind by killed processes.
    Unlock(unlock::UnlockArgs),
    /// Print the manual page, or write every page (--dir, --install).
    Man(manual::ManArgs),
    /// Print shell completions.
    Completions(manual::CompletionsArgs),
    /// The version, and the level of bd's command line it implements.
    Version,
}

/// The bd release whose command line (commands, flags, JSON shapes) this
/// version implements, for tools that check `bd version` (beads-mcp needs
/// at least 0.9.0). docs/coming-from-bd.md lists what still differs.
pub const BD_LEVEL: &str = "0.49.6";

fn version(ui: &mut Ui) -> anyhow::Result<u8> {
    let ours = env!("CARGO_PKG_VERSION");
    if ui.json {
        ui.json_value(
            &serde_json::json!({ "version": BD_LEVEL, "git_beads_version": ours, "bd_compatible": BD_LEVEL, "name": "git-beads" }),
        )?;
    } else {
        // The bd level comes first: tools read the first X.Y.Z as bd's version.
        ui.line(&format!("bd command line {BD_LEVEL} (implemented by git-beads {ours}; see docs/coming-from-bd.md)"))?;
    }
    Ok(exit::OK)
}

/// Everything a command needs: the output, and the front door.
pub struct Ctx {
    pub ui: Ui,
    pub beads: Beads,
}

impl Ctx {
    /// The store underneath the front door.
    pub fn store(&self) -> &Store {
        self.beads.store()
    }

    /// The actor for this invocation (`--actor`, the variables, git's identity).
    pub fn actor(&self) -> Actor {
        self.beads.actor()
    }

    /// The namespace `--ns` names, if given.
    pub fn explicit_ns(&self) -> Option<&Namespace> {
        match self.beads.scope() {
            Scope::Only(ns) => Some(ns),
            _ => None,
        }
    }

    pub(crate) fn require_init(&self) -> anyhow::Result<()> {
        Ok(self.beads.require_init()?)
    }

    /// Warns about what a view could not read.
    pub fn warn_unreadable(&self, view: &View) {
        for (ns, why) in view.skipped() {
            self.ui.warn(&format!("skipped {ns}: {why}"));
        }
        let invalid = view.invalid();
        for (ns, e) in invalid.iter().take(5) {
            self.ui.warn(&format!("skipped {} in {ns} (blob {}): {}", e.path, if e.blob.is_empty() { "-" } else { &e.blob }, e.error));
        }
        if invalid.len() > 5 {
            self.ui.warn(&format!("... and {} more unreadable entries", invalid.len() - 5));
        }
    }

    /// The view for a command, with a warning for what it could not read.
    pub fn view(&self) -> anyhow::Result<View> {
        let view = self.beads.view()?;
        self.warn_unreadable(&view);
        Ok(view)
    }

    /// The view for a command that names `inputs`, widened to the
    /// namespaces those IDs point at.
    pub fn view_for(&self, inputs: &[&str]) -> anyhow::Result<View> {
        let view = self.beads.view_for(inputs)?;
        self.warn_unreadable(&view);
        Ok(view)
    }

    /// Resolves the issues a mutation names, grouped by namespace.
    pub fn targets(&self, inputs: &[String]) -> anyhow::Result<Targets> {
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let t = self.beads.targets(&refs)?;
        self.warn_unreadable(&t.view);
        Ok(t)
    }
}

/// Parses the command line, runs it, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    // SIGINT/SIGTERM/SIGHUP remove our lock and temporary files and end the
    // git processes we started (crate::interrupt).
    if let Err(e) = crate::interrupt::install() {
        eprintln!("warning: could not install the signal handler: {e}");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let json = cli.json;
    let ui = Ui::new(cli.json, cli.quiet, cli.color);
    let (result, mut ui) = run(cli, ui);
    let flushed = ui.flush();
    match result.and_then(|code| flushed.map(|_| code).map_err(Into::into)) {
        Ok(code) => ExitCode::from(code),
        Err(e) if error::is_broken_pipe(&e) => ExitCode::from(exit::OK),
        Err(e) => ExitCode::from(error::report(&e, json)),
    }
}

/// A command line clap refused: its own message, or under `--json` the
/// documented error object on stderr (code USAGE, exit 2), so an agent that
/// asked for JSON can parse the refusal too.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ErrorKind};
    let wants_json = std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--json");
    if !wants_json
        || matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand)
    {
        e.exit();
    }
    let mut err = serde_json::Map::new();
    err.insert("code".into(), serde_json::json!("USAGE"));
    // clap's message without its "error: " prefix and usage footer.
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
    err.insert("message".into(), serde_json::json!(ui::clean(&first, true)));
    if let Some(clap::error::ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) {
        err.insert("argument".into(), serde_json::json!(ui::clean(arg, true)));
    }
    if let Some(clap::error::ContextValue::Strings(s)) = e.get(ContextKind::SuggestedArg) {
        err.insert("suggestions".into(), serde_json::json!(s));
    }
    err.insert("hint".into(), serde_json::json!("see `git beads --help` or `git beads <command> --help`"));
    eprintln!("{}", crate::model::json::to_string(&serde_json::json!({ "error": err })));
    ExitCode::from(exit::USAGE)
}

fn open(cli: &Cli, opts: crate::store::Options) -> anyhow::Result<Store> {
    let mut dir = std::env::current_dir().context("could not read the current directory")?;
    for d in &cli.dir {
        dir = dir.join(d);
    }
    if !cli.dir.is_empty() {
        std::env::set_current_dir(&dir).with_context(|| format!("cannot change to {}", dir.display()))?;
    }
    Ok(Store::open(&dir, opts)?)
}

fn run(mut cli: Cli, mut ui: Ui) -> (anyhow::Result<u8>, Ui) {
    // The manual and completions need no repository.
    match cli.command.take() {
        Some(Command::Man(a)) => return (manual::man(&mut ui, a), ui),
        Some(Command::Completions(a)) => return (manual::completions(&mut ui, a), ui),
        Some(Command::Version) => return (version(&mut ui), ui),
        other => cli.command = other,
    }
    let opts = match env::store_options(cli.actor.as_deref()) {
        Ok(o) => o,
        Err(e) => return (Err(e.into()), ui),
    };
    let store = match open(&cli, opts) {
        Ok(s) => s,
        // For `check`, no repository means it could not check (exit 2).
        Err(e) if matches!(cli.command, Some(Command::Check(_))) => return (Err(error::CouldNotCheck(e).into()), ui),
        Err(e) => return (Err(e), ui),
    };
    let mut store = store;
    if let Some(t) = &cli.timeout {
        match crate::model::time::parse_duration(t) {
            Ok(d) => store.set_network_timeout(d),
            Err(e) => return (Err(anyhow::Error::new(UsageError(format!("--timeout: {e}")))), ui),
        }
    }
    let scope = match (&cli.ns, cli.all_ns) {
        (Some(ns), _) => match Namespace::parse_user(ns) {
            Ok(ns) => Scope::Only(ns),
            Err(e) => return (Err(e.into()), ui),
        },
        (None, true) => Scope::All,
        (None, false) => Scope::Context,
    };
    let mut ctx = Ctx { ui, beads: Beads::from_store(store).with_scope(scope) };
    let outcome = dispatch(&mut ctx, cli.command);
    (outcome, ctx.ui)
}

fn dispatch(ctx: &mut Ctx, command: Option<Command>) -> anyhow::Result<u8> {
    let Some(command) = command else {
        return list::overview(ctx);
    };
    match command {
        Command::Init(a) => init::run(ctx, a),
        Command::Create(a) => create::run(ctx, a),
        Command::Q(a) => create::quick(ctx, a),
        Command::Show(a) => show::run(ctx, a),
        Command::List(a) => list::list(ctx, a),
        Command::Ready(a) => list::ready(ctx, a),
        Command::Blocked(a) => list::blocked(ctx, a),
        Command::Search(a) => list::search(ctx, a),
        Command::Stats(a) => list::stats(ctx, a),
        Command::Count(a) => list::count(ctx, a),
        Command::Stale(a) => list::stale(ctx, a),
        Command::Update(a) => mutate::update(ctx, a),
        Command::Close(a) => mutate::close(ctx, a),
        Command::Reopen(a) => mutate::reopen(ctx, a),
        Command::Delete(a) => mutate::delete(ctx, a),
        Command::Defer(a) => mutate::defer(ctx, a),
        Command::Undefer(a) => mutate::undefer(ctx, a),
        Command::Dep(a) => dep::run_args(ctx, a),
        Command::Label(c) => label::run(ctx, c),
        Command::Comments(a) => comments::run(ctx, a),
        Command::Comment(a) => comments::add(ctx, a),
        Command::Export(a) => io::export(ctx, a),
        Command::Import(a) => io::import(ctx, a),
        Command::Log(a) => log::run(ctx, a),
        Command::Sync(a) => sync::sync_cmd(ctx, a),
        Command::Fetch(a) => sync::fetch(ctx, a),
        Command::Push(a) => sync::push(ctx, a),
        Command::Propose(a) => propose::propose(ctx, a),
        Command::Withdraw(a) => propose::withdraw(ctx, a),
        Command::Proposals(a) => propose::list(ctx, a),
        Command::Accept(a) => propose::accept(ctx, a),
        Command::Reject(a) => propose::reject(ctx, a),
        Command::Promote(a) => promote::promote(ctx, a),
        Command::Ns(c) => ns::ns(ctx, c),
        Command::Check(a) => check::run(ctx, a),
        Command::CloseFromCommits(a) => check::close_from_commits(ctx, a),
        Command::Hooks(c) => hooks::run(ctx, c),
        Command::Unlock(a) => unlock::run(ctx, a),
        Command::Man(_) | Command::Completions(_) | Command::Version => unreachable!("handled before opening the repository"),
    }
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks over every command and argument
    /// (duplicate flags, conflicts naming missing arguments, bad defaults).
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
