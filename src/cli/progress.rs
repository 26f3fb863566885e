//! Progress display: an indicatif spinner on a terminal, nothing otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use wasteroute::solver::{Observer, Progress};

/// Shows the search's progress on stderr when it is a terminal.
pub struct SearchProgress {
    bar: ProgressBar,
    limit_s: Option<f64>,
}

impl SearchProgress {
    /// A display for a search of at most `limit_s` seconds, labelled `what`.
    pub fn new(what: &str, limit_s: Option<f64>) -> SearchProgress {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
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

impl Observer for SearchProgress {
    fn on_best(&mut self, p: &Progress) {
        self.show(p);
    }
    fn on_iteration(&mut self, p: &Progress) {
        self.show(p);
    }
    fn on_end(&mut self, _p: &Progress) {
        self.bar.finish_and_clear();
    }
}
