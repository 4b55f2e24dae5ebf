//! `comments`: add a comment, or list an issue's comments.

use super::args;
use super::ui::clean;
use super::{Ctx, UsageError, exit};
use crate::model::Comment;
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CommentsArgs {
    #[command(subcommand)]
    pub command: Option<CommentsCommand>,
    /// With no subcommand: list the comments of this issue.
    pub issue: Option<String>,
}

/// `comments add` (and bd's `comment`).
#[derive(clap::Args, Debug)]
pub struct AddArgs {
    pub issue: String,
    /// The text (words are joined with spaces; `-` reads standard input).
    pub text: Vec<String>,
    /// Read the text from FILE (`-` for stdin).
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Record NAME as the author instead of the actor.
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum CommentsCommand {
    /// Add a comment: `comments add ID TEXT...` (or -f FILE).
    Add(AddArgs),
    /// List the comments of an issue.
    List { issue: String },
}

fn comment_json(issue: &str, c: &Comment) -> serde_json::Value {
    json!({ "id": c.id, "issue_id": issue, "author": c.author, "text": c.text, "created_at": c.created_at })
}

/// Adds one comment.
pub fn add(ctx: &mut Ctx, a: AddArgs) -> anyhow::Result<u8> {
    let mut stdin = args::Stdin::default();
    let body = match stdin.file("--file", a.file.as_deref())? {
        Some(t) => t,
        None if a.text.len() == 1 && a.text[0] == "-" => args::read_stdin("the text")?,
        None => a.text.join(" "),
    };
    let (id, c) = &ctx.beads.comment(&a.issue, &body, a.author.as_deref())?;
    if ctx.ui.json {
        ctx.ui.json_value(&comment_json(id, c))?;
    } else {
        ctx.ui.status(&format!("comment {} added to {id}", c.id));
    }
    Ok(exit::OK)
}

pub fn run(ctx: &mut Ctx, a: CommentsArgs) -> anyhow::Result<u8> {
    match (a.command, a.issue) {
        (Some(CommentsCommand::Add(a)), _) => {
            add(ctx, a)?;
        }
        (Some(CommentsCommand::List { issue }), _) | (None, Some(issue)) => {
            let i = ctx.beads.show(&issue)?.issue;
            if ctx.ui.json {
                ctx.ui.json_value(&i.comments.iter().map(|c| comment_json(&i.id, c)).collect::<Vec<_>>())?;
            } else {
                for c in &i.comments {
                    ctx.ui.line(&format!("[{}] {} ({}):", c.created_at.short(), clean(&c.author, true), c.id))?;
                    for l in clean(&c.text, false).lines() {
                        ctx.ui.line(&format!("  {l}"))?;
                    }
                }
                if i.comments.is_empty() {
                    ctx.ui.status(&format!("{} has no comments", i.id));
                }
            }
        }
        (None, None) => return Err(UsageError("give an issue ID, or `comments add ID TEXT`".into()).into()),
    }
    Ok(exit::OK)
}
