//! `wasteroute compare`: what-if scenarios side by side.

use super::plan::{SearchArgs, demo_dir};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use wasteroute::io::plan::Zone;
use wasteroute::plan;
use wasteroute::scenario::{Row, Scenario, rows_csv};
use wasteroute::solver::Silent;

/// Compare scenarios (base inputs with overrides) with the same seed and budget.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the base of the comparison.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Output folder: compare.csv, compare.json, and one plan folder per scenario.
    #[arg(long, default_value = "out/compare")]
    out: PathBuf,
    #[command(flatten)]
    search: SearchArgs,
}

/// Runs `wasteroute compare`.
pub fn run(a: CompareArgs) -> Result<i32> {
    let opts = a.search.options()?;
    let demo = demo_dir();
    let mut rows = Vec::new();
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    for path in &a.scenarios {
        let sc = Scenario::load(path, &demo)?;
        let input = sc.input()?;
        eprintln!("solving scenario '{}' ...", sc.name);
        let mut p = plan::run(&input, &opts, &mut Silent)?;
        let folder: String = sc
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
        let dir = a.out.join(folder);
        plan::write(&dir, &mut p, &[])?;
        super::plan::print_violations(&p.summary, &dir);
        rows.push(Row::of(&sc.name, &p.summary));
    }
    print_table(&rows);
    let json = serde_json::to_string_pretty(&rows)?;
    let files = vec![
        ("compare.csv".to_string(), rows_csv(&rows).into_bytes()),
        ("compare.json".to_string(), format!("{json}\n").into_bytes()),
    ];
    for (name, bytes) in files {
        let path = a.out.join(&name);
        let tmp = a.out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "written    {}/compare.csv, compare.json and a plan folder per scenario",
        a.out.display()
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
    let types: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.vehicles.keys()).collect();
    lines.push((
        "vehicles".into(),
        rows.iter().map(|r| r.vehicles_used.to_string()).collect(),
    ));
    for t in &types {
        lines.push((
            format!("  {t}"),
            rows.iter()
                .map(|r| r.vehicles.get(*t).copied().unwrap_or(0).to_string())
                .collect(),
        ));
    }
    lines.push((
        "trips".into(),
        rows.iter().map(|r| r.trips.to_string()).collect(),
    ));
    lines.push((
        "km".into(),
        rows.iter().map(|r| format!("{:.1}", r.km)).collect(),
    ));
    lines.push((
        "hours".into(),
        rows.iter().map(|r| format!("{:.1}", r.hours)).collect(),
    ));
    lines.push((
        "cost".into(),
        rows.iter().map(|r| format!("{:.2}", r.cost)).collect(),
    ));
    if rows.iter().any(|r| r.violations > 0) {
        lines.push((
            "violations".into(),
            rows.iter().map(|r| r.violations.to_string()).collect(),
        ));
    }
    for z in Zone::ALL {
        lines.push((
            format!("{} served", z.name()),
            rows.iter()
                .map(|r| {
                    let (s, t, m) = r.coverage.get(&z).copied().unwrap_or((1.0, 0.0, true));
                    format!(
                        "{:.1}%/{:.0}%{}",
                        s * 100.0,
                        t * 100.0,
                        if m { "" } else { " !" }
                    )
                })
                .collect(),
        ));
    }
    let reasons: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.unserved.keys()).collect();
    for reason in &reasons {
        lines.push((
            format!("unserved {reason}"),
            rows.iter()
                .map(|r| r.unserved.get(*reason).copied().unwrap_or(0).to_string())
                .collect(),
        ));
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
