//! `export` and `import`: beads-compatible JSONL, one issue per line,
//! sorted by ID, dependencies and comments embedded.

use super::{Ctx, exit};
use crate::model::{Form, codec};
use anyhow::Context as _;
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
    let issues = ctx.beads.export(a.skip_unreadable)?;
    if a.skip_unreadable {
        ctx.warn_unreadable(&ctx.beads.view()?);
    }
    let lines: Vec<(String, String)> = issues.iter().map(|i| (i.id.clone(), codec::to_beads_json(i, Form::Beads))).collect();
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
    ctx.beads.write_namespace()?;
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
    let r = ctx.beads.import(&text, &source, a.skip_existing, a.dry_run)?;
    let r = &r;
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
