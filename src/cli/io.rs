//! `export` and `import`: beads-compatible JSONL, one issue per line,
//! sorted by ID, dependencies and comments embedded.

use super::{Ctx, exit};
use anyhow::Context as _;
use git_beads::model::{Form, codec};
use git_beads::ops;
use git_beads::store::Error;
use std::io::{Read, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Write to FILE instead of stdout (replaced atomically).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Export what can be read when some blobs cannot (by default such an
    /// export fails: a backup must not be silently incomplete).
    #[arg(long)]
    pub skip_unreadable: bool,
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The JSONL file (`-` for stdin).
    pub file: PathBuf,
    /// Leave issues that already exist untouched.
    #[arg(long)]
    pub skip_existing: bool,
    /// Only report what would change.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn export(ctx: &mut Ctx, a: ExportArgs) -> anyhow::Result<u8> {
    let view = ctx.view()?;
    let unreadable = view.invalid();
    if !unreadable.is_empty() && !a.skip_unreadable {
        return Err(Error::Unreadables { action: "the export would be incomplete".into(), entries: unreadable }.into());
    }
    let u = view.universe();
    let mut lines = Vec::with_capacity(u.len());
    for n in u.nodes() {
        let issue = view.issue(&ctx.store(), &u, n)?;
        lines.push((issue.id.clone(), codec::to_beads_json(&issue, Form::Beads)));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines.dedup_by(|a, b| a.0 == b.0);
    match &a.output {
        None => {
            let out = ctx.ui.out();
            for (_, l) in &lines {
                out.write_all(l.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("could not write in {}", dir.display()))?;
            {
                let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                for (_, l) in &lines {
                    w.write_all(l.as_bytes())?;
                    w.write_all(b"\n")?;
                }
                w.flush()?;
            }
            tmp.persist(path).map_err(|e| e.error).with_context(|| format!("could not write {}", path.display()))?;
            if ctx.ui.json {
                ctx.ui.json_value(&serde_json::json!({ "exported": lines.len(), "path": path }))?;
            } else {
                ctx.ui.status(&format!("exported {} issues to {}", lines.len(), path.display()));
            }
        }
    }
    Ok(exit::OK)
}

pub fn import(ctx: &mut Ctx, a: ImportArgs) -> anyhow::Result<u8> {
    let ns = ctx.write_namespace()?;
    let mut text = String::new();
    let source = if a.file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).context("could not read standard input")?;
        "stdin".to_string()
    } else {
        let bytes = std::fs::read(&a.file).with_context(|| format!("could not read {}", a.file.display()))?;
        text = String::from_utf8(bytes).map_err(|e| {
            super::InvalidInput(format!(
                "{} is not UTF-8 text (first bad byte at offset {})",
                a.file.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        a.file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| a.file.display().to_string())
    };
    let issues = match ops::parse_jsonl(&text) {
        Ok(issues) => issues,
        Err(errors) => return Err(ops::Error::ImportRefused { source_name: source, lines: errors }.into()),
    };
    let actor = ctx.actor();
    let done = ops::import(&ctx.store(), &ns, &actor, &issues, a.skip_existing, a.dry_run, &source)?;
    let r = &done.value;
    if ctx.ui.json {
        ctx.ui.json_value(r)?;
    } else {
        let verb = if a.dry_run { "would import" } else { "imported" };
        ctx.ui.status(&format!(
            "{verb} {} issues from {source}: {} new, {} updated, {} unchanged, {} skipped",
            r.total, r.created, r.updated, r.unchanged, r.skipped
        ));
    }
    Ok(exit::OK)
}
