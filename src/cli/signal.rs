//! SIGINT and SIGTERM for the commands that search (plan, fleet, compare,
//! cvrp, wcvrptw). The first signal triggers the search's [`Interrupt`]:
//! the search stops within a fraction of a second and the command writes
//! the best result so far, then exits with 128 + the signal's number (130
//! for SIGINT, 143 for SIGTERM). A second signal exits at once with 128 +
//! its number, writing nothing more (an output folder is replaced only by
//! a complete new one, so the previous one is left as it was).
//!
//! The handler runs on a thread of its own (signal-hook's iterator), not in
//! signal context, so it may print and take locks.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};
use wasteroute::solver::Interrupt;

/// The flag the first signal triggers, once the handler is installed.
static INTERRUPT: OnceLock<Interrupt> = OnceLock::new();
/// The first signal received (0: none).
static FIRST: AtomicI32 = AtomicI32::new(0);

/// Installs the handler (once); the searches of this process then stop on
/// the first SIGINT or SIGTERM. Without a handler (installation failed, or
/// not a Unix system) the signals keep their default action.
pub fn install() {
    #[cfg(unix)]
    INTERRUPT.get_or_init(|| {
        let flag = Interrupt::new();
        match spawn_handler(flag.clone()) {
            Ok(()) => tracing::debug!("signal handler installed"),
            Err(e) => {
                tracing::warn!("no signal handler ({e}): SIGINT and SIGTERM end the run at once")
            }
        }
        flag
    });
}

/// The flag to give the searches: triggered by the first signal.
pub fn interrupt() -> Option<Interrupt> {
    INTERRUPT.get().cloned()
}

/// The exit code after a first signal (128 + its number), if one came.
pub fn exit_code() -> Option<i32> {
    match FIRST.load(Ordering::SeqCst) {
        0 => None,
        s => Some(128 + s),
    }
}

#[cfg(unix)]
fn spawn_handler(flag: Interrupt) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
                if FIRST
                    .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    flag.trigger();
                    super::progress::note(&format!(
                        "{name}: stopping the search and writing the best result so far \
                         (a second signal exits at once)"
                    ));
                } else {
                    super::progress::clear();
                    eprintln!("{name}: exiting at once");
                    std::process::exit(128 + sig);
                }
            }
        })?;
    Ok(())
}
