use clap::Parser;
use jevons::cli::{Cli, Command};
use jevons::{commands, telemetry};
use jevons_core::Settings;

// mimalloc keeps freed memory for reuse where glibc's malloc hands it back to the OS: an event
// study over many stocks runs ~1.2x faster with it (scripts/bench-event-study uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // A bad configuration is reported by `commands::run` below; until then, defaults.
    let mut settings = Settings::load(&cli.config_dir).ok();
    // candle sizes its CPU threads from the environment (CANDLE_NUM_THREADS once per process,
    // RAYON_NUM_THREADS): set it from summarizer.threads/workers (unless the user did) while this
    // process still has a single thread.
    if let Some(settings) = settings.as_mut() {
        if matches!(cli.command, Some(Command::Summarize { .. })) {
            // One article: one worker with every thread answers soonest.
            settings.summarizer.workers = 1;
        }
        for (key, value) in jevons_summarizer::threads::pin(&mut settings.summarizer) {
            // SAFETY: no other thread exists yet (the async runtime starts below), so nothing
            // reads the environment at the same time.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(key, value)
            };
        }
    }
    telemetry::init_logs(settings.as_ref().map(|s| &s.log));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause once: library errors often repeat their
/// source in their own message already.
fn describe(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !out.contains(&cause) {
            out.push_str(": ");
            out.push_str(&cause);
        }
    }
    out
}
