//! The `git-beads` binary: parse arguments, run, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    git_beads::cli::main()
}
