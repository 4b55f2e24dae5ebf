//! `unlock`: remove ref locks that a killed process left behind.

use super::ui::clean;
use super::{Ctx, exit};
use crate::store::refs::Refs;

#[derive(clap::Args, Debug)]
pub struct UnlockArgs {
    /// Also remove locks that look in use (held by a live process, or younger than a second).
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &mut Ctx, a: UnlockArgs) -> anyhow::Result<u8> {
    let done = Refs::new(ctx.store().repo()).unlock(a.force)?;
    if ctx.ui.json {
        ctx.ui.json_value(&done)?;
        return Ok(exit::OK);
    }
    if done.is_empty() {
        ctx.ui.status("no lock files under refs/beads/");
    }
    for u in &done {
        let path = clean(&u.path.display().to_string(), true);
        if u.removed {
            ctx.ui.line(&format!("removed {path} ({}s old)", u.age_secs))?;
        } else {
            ctx.ui.line(&format!("kept {path}: a live process holds it (--force removes it anyway)"))?;
        }
    }
    Ok(exit::OK)
}
