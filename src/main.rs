//! The `wiretrace` command line: parses the arguments, runs the command ([`cli`]), and
//! turns the one error type into an exit status, here and nowhere else.

use std::process::ExitCode;

mod cli;

/// Counts the heap against `--memory-limit` (see `wiretrace::memory`).
#[global_allocator]
static ALLOCATOR: wiretrace::memory::CountingAllocator = wiretrace::memory::CountingAllocator;

fn main() -> ExitCode {
    wiretrace::memory::disable_transparent_huge_pages();
    match cli::run(cli::parse()) {
        Ok(status) => status.into(),
        Err(e) => {
            eprintln!("wiretrace: error: {}", cli::message(&e));
            ExitCode::from(cli::exit_status(&e))
        }
    }
}
