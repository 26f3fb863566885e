//! `wasteroute compare`: what-if scenarios side by side.

use super::plan::{ForceArg, SearchArgs, demo_dir};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use wasteroute::domain::Zone;
use wasteroute::fsx::{FolderKind, OutputFolder};
use wasteroute::plan;
use wasteroute::scenario::{Row, Scenario, rows_csv};
use wasteroute::solver::Silent;

/// Compare scenarios (base inputs with overrides) with the same seed and budget.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the base of the comparison.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Output folder: compare.csv, compare.json, and one plan folder per
    /// scenario, all written at once; replaced if wasteroute wrote it,
    /// anything else there is refused unless --force.
    #[arg(long, default_value = "out/compare")]
    out: PathBuf,
    /// Plan each scenario as a week (`wasteroute week`): the table gives
    /// the vehicles owned for the week, the week's cost and the share of
    /// visits made, and each scenario gets a weekly plan folder. Scenarios
    /// may change visit frequencies (`[frequency]`).
    #[arg(long)]
    week: bool,
    #[command(flatten)]
    replace: ForceArg,
    #[command(flatten)]
    search: SearchArgs,
}

/// Runs `wasteroute compare`. With `--seconds`, each scenario gets an
/// equal share of the time left when it starts; after a signal the
/// scenarios not yet solved are skipped and the table has the others.
pub fn run(a: CompareArgs) -> Result<i32> {
    wasteroute::fsx::check_target(&a.out, a.replace.force)?;
    let started = std::time::Instant::now();
    let mut opts = a.search.options()?;
    let total = opts.seconds;
    let demo = if a.week {
        super::week::week_demo_dir()
    } else {
        demo_dir()
    };
    let mut rows = Vec::new();
    let mut folders = std::collections::BTreeSet::new();
    let writing = || format!("writing {}", a.out.display());
    let mut out =
        OutputFolder::create(&a.out, FolderKind::Compare, a.replace.force).with_context(writing)?;
    for (k, path) in a.scenarios.iter().enumerate() {
        if opts.interrupt.as_ref().is_some_and(|i| i.is_triggered()) {
            eprintln!(
                "skipped {} scenario(s) after the signal",
                a.scenarios.len() - k
            );
            break;
        }
        let sc = Scenario::load(path, &demo)?;
        let input = sc.input()?;
        let left = a.scenarios.len() - k;
        opts.seconds = super::plan::seconds_left(total, started).map(|s| s / left as f64);
        eprintln!("solving scenario '{}' ...", sc.name);
        let base: String = sc
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        // Two scenarios whose names differ only in punctuation get their own
        // folders.
        let base = if base.is_empty() {
            "scenario".into()
        } else {
            base
        };
        let mut folder = base.clone();
        for k in 2.. {
            if !folders.contains(&folder) {
                break;
            }
            folder = format!("{base}-{k}");
        }
        folders.insert(folder.clone());
        if a.week {
            let mut w = wasteroute::week::run(&input, &opts, &mut Silent)?;
            out.write_all(
                &folder,
                Some(FolderKind::Week),
                &wasteroute::week::files(&mut w)?,
            )
            .with_context(writing)?;
            rows.push(Row::of_week(&sc.name, &w.summary));
        } else {
            let mut p = plan::run(&input, &opts, &mut Silent)?;
            out.write_all(
                &folder,
                Some(FolderKind::Plan),
                &plan::output_files(&mut p, &[])?,
            )
            .with_context(writing)?;
            super::plan::print_violations(&p.summary, &a.out.join(&folder));
            rows.push(Row::of(&sc.name, &p.summary));
        }
    }
    print_table(&rows);
    let json = serde_json::to_string_pretty(&rows)?;
    out.write("compare.csv", rows_csv(&rows).as_bytes())
        .with_context(writing)?;
    out.write("compare.json", format!("{json}\n").as_bytes())
        .with_context(writing)?;
    out.publish().with_context(writing)?;
    println!(
        "written    {}/compare.csv, compare.json and a {} folder per scenario",
        a.out.display(),
        if a.week { "weekly plan" } else { "plan" }
    );
    // A plan that breaks a rule must not pass unnoticed; missed targets are
    // what scenarios compare, so they do not change the exit code.
    Ok(if rows.iter().any(|r| r.violations > 0) {
        super::plan::EXIT_VIOLATIONS
    } else {
        0
    })
}

fn print_table(rows: &[Row]) {
    let w = rows
        .iter()
        .map(|r| r.scenario.len())
        .max()
        .unwrap_or(8)
        .clamp(10, 24);
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    let mut line = |label: String, cell: &dyn Fn(&Row) -> String| {
        lines.push((label, rows.iter().map(cell).collect()));
    };
    let types: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.vehicles.keys()).collect();
    line("vehicles".into(), &|r| r.vehicles_used.to_string());
    for t in &types {
        line(format!("  {t}"), &|r| {
            r.vehicles.get(*t).copied().unwrap_or(0).to_string()
        });
    }
    line("trips".into(), &|r| r.trips.to_string());
    line("km".into(), &|r| format!("{:.1}", r.km));
    line("hours".into(), &|r| format!("{:.1}", r.hours));
    line("cost".into(), &|r| format!("{:.2}", r.cost));
    if rows.iter().any(|r| r.violations > 0) {
        line("violations".into(), &|r| r.violations.to_string());
    }
    for z in Zone::ALL {
        line(format!("{} served", z.name()), &|r| {
            let (s, t, m) = r.coverage.get(&z).copied().unwrap_or((1.0, 0.0, true));
            format!(
                "{:.1}%/{:.0}%{}",
                s * 100.0,
                t * 100.0,
                if m { "" } else { " !" }
            )
        });
    }
    let reasons: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.unserved.keys()).collect();
    for reason in &reasons {
        line(format!("unserved {reason}"), &|r| {
            r.unserved.get(*reason).copied().unwrap_or(0).to_string()
        });
    }
    print!("{:<18}", "");
    for r in rows {
        print!(" {:>w$}", r.scenario, w = w);
    }
    println!();
    for (label, vals) in lines {
        print!("{label:<18}");
        for v in vals {
            print!(" {v:>w$}", w = w);
        }
        println!();
    }
}
