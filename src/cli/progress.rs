//! Progress display: an indicatif spinner on a terminal, nothing otherwise.
//! The bar on screen is also known to [`note`] and [`clear`], so that the
//! signal handler can print or exit without garbling the terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::IsTerminal;
use std::sync::Mutex;
use wasteroute::solver::{Observer, Progress};

/// The bar on screen, if any.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn active() -> Option<ProgressBar> {
    ACTIVE.lock().ok().and_then(|a| a.clone())
}

/// Prints a line on stderr above the bar on screen, if any.
pub fn note(msg: &str) {
    match active() {
        Some(bar) => bar.suspend(|| eprintln!("{msg}")),
        None => eprintln!("{msg}"),
    }
}

/// Erases the bar on screen, if any (before the process exits).
pub fn clear() {
    if let Some(bar) = active() {
        bar.finish_and_clear();
    }
}

/// Shows the search's progress on stderr when it is a terminal.
pub struct SearchProgress {
    bar: ProgressBar,
    limit_s: Option<f64>,
}

impl SearchProgress {
    /// A display for a search of at most `limit_s` seconds, labelled `what`.
    pub fn new(what: &str, limit_s: Option<f64>) -> SearchProgress {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::term_like_with_hz(
                Box::new(Narrow(console::Term::buffered_stderr())),
                20,
            )
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = match limit_s {
            Some(s) => {
                let b = ProgressBar::with_draw_target(Some((s * 10.0) as u64), target);
                b.set_style(
                    ProgressStyle::with_template("{prefix} [{bar:30}] {elapsed} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                b
            }
            None => {
                let b = ProgressBar::with_draw_target(None, target);
                b.set_style(
                    ProgressStyle::with_template("{prefix} {spinner} {elapsed} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                b
            }
        };
        bar.set_prefix(what.to_string());
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(bar.clone());
        }
        SearchProgress { bar, limit_s }
    }

    fn show(&self, p: &Progress) {
        if self.limit_s.is_some() {
            self.bar.set_position((p.elapsed_s * 10.0) as u64);
        } else {
            self.bar.tick();
        }
        let best = p
            .best_cost
            .map_or("no feasible solution yet".to_string(), |c| {
                format!("best {c}")
            });
        self.bar
            .set_message(format!("{best}, {} iterations", p.iterations));
    }
}

/// stderr as indicatif sees it, five columns narrower: indicatif pads the
/// bar's line to the terminal's width, so the `^C` (or two) that the
/// terminal echoes after it would wrap to a new line, and the bar's line
/// would stay on screen when it is cleared.
#[derive(Debug)]
struct Narrow(console::Term);

impl TermLike for Narrow {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(5).max(1)
    }
    fn height(&self) -> u16 {
        self.0.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Observer for SearchProgress {
    fn on_best(&mut self, p: &Progress) {
        self.show(p);
    }
    fn on_iteration(&mut self, p: &Progress) {
        self.show(p);
    }
    fn on_end(&mut self, _p: &Progress) {
        self.bar.finish_and_clear();
        if let Ok(mut a) = ACTIVE.lock() {
            *a = None;
        }
    }
}

impl Drop for SearchProgress {
    fn drop(&mut self) {
        // A search that failed never called `on_end`.
        self.on_end(&Progress {
            iterations: 0,
            since_improvement: 0,
            elapsed_s: 0.0,
            best_cost: None,
        });
    }
}
