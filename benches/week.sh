#!/usr/bin/env bash
# Reruns the figures of docs/benchmarks/week.md: the weekly demo (default,
# --map, --threads 1; RUNS times each, median by wall time) and a weekly plan
# of 2,000 pickups on Malta (--seconds and fixed --iterations).
#
#   benches/week.sh [all|demo|malta|malta-iterations|report]
#
# Environment: BIN (default target/release/wasteroute), MAKE_DEMO (default
# target/release/examples/make_demo), RUNS (3), MALTA_OSM
# (../shared/data/osm/malta-latest.osm.pbf), MALTA_SECONDS (540),
# MALTA_ITERATIONS (100; 0 skips that run), MALTA_ITERATION_THREADS (1: with
# two threads the search stops at a multiple of 400 iterations, two chains of
# 200-step rounds), MALTA_ITERATION_SECONDS (900, a guard), WORK (/tmp/week-bench: every
# run's folder, log, /usr/bin/time -v output and load averages).
#
# Needs a release build (`cargo build --release` and
# `cargo build --release --example make_demo`), /usr/bin/time (Debian: `apt-get
# install time`) and python3. It runs for about half an hour on two cores;
# other processes on the machine slow it down: the load averages before and
# after each run and the user+sys CPU seconds are printed beside the wall time.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

BIN=${BIN:-target/release/wasteroute}
MAKE_DEMO=${MAKE_DEMO:-target/release/examples/make_demo}
RUNS=${RUNS:-3}
MALTA_OSM=${MALTA_OSM:-../shared/data/osm/malta-latest.osm.pbf}
MALTA_SECONDS=${MALTA_SECONDS:-540}
MALTA_ITERATIONS=${MALTA_ITERATIONS:-100}
MALTA_ITERATION_THREADS=${MALTA_ITERATION_THREADS:-1}
MALTA_ITERATION_SECONDS=${MALTA_ITERATION_SECONDS:-900}
WORK=${WORK:-/tmp/week-bench}
what=${1:-all}

for tool in "$BIN" /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "week.sh: $tool not found" >&2; exit 2; }
done
mkdir -p "$WORK"

load1() { cut -d' ' -f1 /proc/loadavg; }

# run NAME ARGS...: one `wasteroute week` into $WORK/NAME with its log,
# time -v output, exit code and the 1-minute load average before and after.
run() {
    local name=$1
    shift
    rm -rf "${WORK:?}/$name"
    local before
    before=$(load1)
    echo "week.sh: $name: $BIN week $* --out $WORK/$name (load $before)" >&2
    /usr/bin/time -v -o "$WORK/$name.time" "$BIN" week "$@" --out "$WORK/$name" \
        >"$WORK/$name.log" 2>&1
    local rc=$?
    printf '{"rc": %d, "load_before": %s, "load_after": %s, "args": "%s"}\n' \
        "$rc" "$before" "$(load1)" "$*" >"$WORK/$name.meta"
}

demo() {
    for i in $(seq 1 "$RUNS"); do
        run "demo-$i"
        run "demo-map-$i" --map
        run "demo-t1-$i" --threads 1
    done
}

malta_inputs() {
    local data=$WORK/malta-data
    if [ ! -f "$data/pickups.csv" ]; then
        command -v "$MAKE_DEMO" >/dev/null || { echo "week.sh: $MAKE_DEMO not found" >&2; exit 2; }
        /usr/bin/time -v -o "$WORK/malta-data.time" "$MAKE_DEMO" --osm "$MALTA_OSM" \
            --out "$data" --pickups 2000 --seed 1 --week || exit 1
    fi
    inputs=(--osm "$MALTA_OSM" --pickups "$data/pickups.csv"
        --facilities "$data/facilities.csv" --fleet "$data/fleet.toml")
}

malta_seconds() {
    malta_inputs
    run malta-seconds "${inputs[@]}" --seconds "$MALTA_SECONDS"
}

malta_iterations() {
    malta_inputs
    [ "$MALTA_ITERATIONS" = 0 ] && return
    run malta-iterations "${inputs[@]}" --iterations "$MALTA_ITERATIONS" \
        --threads "$MALTA_ITERATION_THREADS" --seconds "$MALTA_ITERATION_SECONDS"
}

case $what in
all) demo; malta_seconds; malta_iterations ;;
demo) demo ;;
malta) malta_seconds; malta_iterations ;;
malta-iterations) malta_iterations ;;
report) ;;
*) echo "usage: benches/week.sh [all|demo|malta|malta-iterations|report]" >&2; exit 2 ;;
esac

python3 - "$WORK" <<'EOF'
import json, os, re, statistics, sys
from collections import Counter

work = sys.argv[1]

def timev(path):
    t = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        if k == "User time (seconds)": t["user"] = float(v)
        elif k == "System time (seconds)": t["sys"] = float(v)
        elif k.startswith("Elapsed (wall clock)"):
            s = 0.0
            for part in v.split(":"): s = s * 60 + float(part)
            t["wall"] = s
        elif k == "Maximum resident set size (kbytes)": t["maxrss_mb"] = int(v) / 1024
    return t

def load(name):
    meta = os.path.join(work, name + ".meta")
    summ = os.path.join(work, name, "week-summary.json")
    if not (os.path.exists(meta) and os.path.exists(summ)):
        return None
    r = json.load(open(meta))
    r.update(timev(os.path.join(work, name + ".time")))
    r["s"] = json.load(open(summ))
    # The day plans share the week's graph, matrices and search: their
    # summaries carry the peak memory at the end of each phase.
    day = os.path.join(work, name, "days", r["s"]["working_days"][0], "summary.json")
    r["mb"] = json.load(open(day)).get("phases_peak_rss_mb", {}) if os.path.exists(day) else {}
    r["name"] = name
    return r

def line(r):
    s = r["s"]; p = s["phases"]
    cov = " ".join(f'{z} {c["visits_made"]}/{c["visits_required"]} {"met" if c["met"] else "MISSED"}'
                   for z, c in s["coverage"].items())
    return (f'{r["name"]:<18} rc {r["rc"]} wall {r["wall"]:7.2f} s  cpu {r["user"] + r["sys"]:7.2f} s  '
            f'load {r["load_before"]:.2f}->{r["load_after"]:.2f}  '
            f'graph {p["graph_s"]:.2f} snap {p["snap_s"]:.2f} matrix {p["matrix_s"]:.2f} '
            f'solve {p["solve_s"]:.2f} days {p["days_s"]:.2f} output {p["output_s"]:.2f}  '
            f'peak MB graph {r["mb"].get("graph_mb", 0):.1f} matrix {r["mb"].get("matrix_mb", 0):.1f} '
            f'solve {r["mb"].get("solve_mb", 0):.1f} end {s["peak_rss_mb"]:.1f} (time -v {r["maxrss_mb"]:.1f})  iterations {s["iterations"]} ({s["stopped_by"]})  '
            f'vehicles {s["vehicles_needed"]} cost {s["cost"]:.2f}  {cov}  '
            f'targets_met {s["targets_met"]} feasible {s["feasible"]}')

for config in ("demo", "demo-map", "demo-t1"):
    runs = []
    i = 1
    while (r := load(f"{config}-{i}")) is not None:
        runs.append(r); i += 1
    if not runs:
        continue
    print(f"== {config} ({len(runs)} runs)")
    for r in runs: print(line(r))
    walls = sorted(runs, key=lambda r: r["wall"])
    med = walls[len(walls) // 2]
    print(f'median wall {med["wall"]:.2f} s ({med["name"]}), median cpu '
          f'{statistics.median(r["user"] + r["sys"] for r in runs):.2f} s, '
          f'median solve {statistics.median(r["s"]["phases"]["solve_s"] for r in runs):.2f} s, '
          f'every target met in every run: {all(r["s"]["targets_met"] for r in runs)}, '
          f'identical cost: {len({r["s"]["cost"] for r in runs}) == 1}')

gen = os.path.join(work, "malta-data.time")
if os.path.exists(gen) and os.path.getsize(gen) > 0:
    t = timev(gen)
    print(f'== make_demo --week on Malta: wall {t["wall"]:.2f} s, cpu {t["user"] + t["sys"]:.2f} s, '
          f'peak {t["maxrss_mb"]:.1f} MB')

for name in ("malta-seconds", "malta-iterations"):
    r = load(name)
    if r is None:
        continue
    s = r["s"]
    print(f"== {name}")
    print(line(r))
    print("  by day:", " ".join(f'{d["day"]} {d["vehicles"]}v {d["visits"]}+{d["unserved"]}u {d["km"]:.0f}km'
                                for d in s["days"]))
    print("  vehicles by type:", s["vehicles_needed_by_type"], " trips", s["trips"],
          f' km {s["km"]:.1f} hours {s["hours"]:.1f}')
    print(f'  cost {s["cost"]:.2f} = fixed {s["fixed_cost"]:.2f} + running {s["running_cost"]:.2f};'
          f' visits {s["visits_made"]}/{s["visits_required"]}')
    print("  coverage by stream:", " ".join(f'{k} {c["visits_made"]}/{c["visits_required"]}'
                                             for k, c in s["coverage_by_stream"].items()))
    reasons = Counter((u["reason"], u["zone"], u["stream"]) for u in s["unserved"])
    print("  unserved by reason, zone, stream:", dict(sorted(reasons.items())))
    print("  consistency:", s["consistency"], " violations", s["violations"])
EOF
