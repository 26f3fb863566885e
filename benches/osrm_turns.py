#!/usr/bin/env python3
"""wasteroute (node-based and turn-aware) side by side with OSRM CH, one run.

  benches/osrm_turns.py [--pbf PBF] [--bin target/release/wasteroute] \
      [--points 1000,5000] [--seed 1] [--runs 3] [--threads 2] [--workdir DIR]

Needs Python >= 3.12 with osrm-bindings, numpy and osmium (see
shared/tools/roads/README.md), and /usr/bin/time. Steps, all in this one run:

1. Points: roadgraph.sample_points(pbf, N, seed) from shared/tools/roads
   (ROADS_TOOLS), written as id,lat,lon CSV; both engines read these.
2. OSRM: `--runs` times osrm-extract (car.lua, the only car profile the wheel
   ships) + osrm-contract on `--threads` threads, each under /usr/bin/time -v.
3. OSRM table: per N, `--runs` fresh processes, each loads the CH data and
   makes one in-process Table request (durations + distances, as our bench);
   peak RSS is the process's ru_maxrss right after the request (before the
   result is converted to numpy). The first run's durations are kept.
4. wasteroute: per profile (truck; benches/osrm_car_like.toml, a car.lua
   look-alike) and graph (node-based; --turns), `--runs` processes of
   `bench matrix --json --points-file CSV` per N, plus a 10-point run per
   build (its peak RSS and CPU time are the build's), under /usr/bin/time
   -v. The build time is the median over all of a configuration's processes
   (each builds). The first run's durations are written with --durations-out.
   CPU time (user + system) is given too: it depends far less on the load
   than wall time (ours for a matrix: the process's minus a build run's).
5. Per-pair durations against OSRM's on the same points (off-diagonal
   pairs): median ratio ours/OSRM, share within 10 %, unreachable pairs.
6. Restrictions on vs off (issue 14 section 3; --no-restrictions-section
   skips it): the PBF is copied without its type=restriction relations,
   OSRM (one extract + contract, one table) and our turn-aware truck and
   car-like graphs (one run each) route the first N on it, and the per-pair
   change (on minus off) is compared between the engines.

Every timing is the median of the runs. The 1-minute load average is sampled
every 2 s during the run; its min/median/max are printed. Prints two
markdown tables (engines; restrictions on vs off); the raw records go to
WORKDIR/records.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, os.environ.get("ROADS_TOOLS", str(REPO.parent / "shared" / "tools" / "roads")))
import roadgraph  # noqa: E402

import osrm  # noqa: E402

OSRM_DIR = Path(osrm.__file__).parent
OSRM_BIN = OSRM_DIR / "bin"
CAR_LUA = OSRM_DIR / "share" / "profiles" / "car.lua"
TIME = "/usr/bin/time"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def timed(cmd, log=None):
    """Runs cmd under /usr/bin/time -v; returns (wall s, max RSS MB, stdout,
    user + system CPU s)."""
    t = time.perf_counter()
    p = subprocess.run([TIME, "-v", *map(str, cmd)], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if log:
        Path(log).write_text(p.stdout + p.stderr)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stderr[-3000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    rss = int(m.group(1)) / 1024 if m else None
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", p.stderr))
    return wall, rss, p.stdout, cpu


class LoadSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.samples, self.stop = [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self.stop.wait(2.0)


# ---------------------------------------------------------------- OSRM


def osrm_prep(pbf: Path, work: Path, threads: int, runs: int):
    name = pbf.name.split(".")[0]
    recs = []
    for r in range(runs):
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        src = work / f"{name}.osm.pbf"
        os.symlink(pbf.resolve(), src)
        ex_s, ex_rss, _, ex_cpu = timed([OSRM_BIN / "osrm-extract", "-p", CAR_LUA, "-t", threads, src],
                                work / "extract.log")
        co_s, co_rss, _, co_cpu = timed([OSRM_BIN / "osrm-contract", "-t", threads, work / f"{name}.osrm"],
                                work / "contract.log")
        rec = {"run": r, "extract_s": ex_s, "extract_rss_mb": ex_rss,
               "contract_s": co_s, "contract_rss_mb": co_rss, "prep_s": ex_s + co_s,
               "prep_cpu_s": ex_cpu + co_cpu}
        rec.update(osrm_log_counts(work))
        recs.append(rec)
        log(f"osrm prep run {r}: extract {ex_s:.2f} s, contract {co_s:.2f} s")
    return work / f"{name}.osrm", recs


def osrm_log_counts(work: Path) -> dict:
    """Graph sizes and restriction counts from the extract/contract logs."""
    ex = (work / "extract.log").read_text()
    co = (work / "contract.log").read_text()
    pats = {"restrictions_raw": (ex, r"nodes, \d+ ways, and \d+ relations, (\d+) restrictions"),
            "restrictions_invalid": (ex, r"removed (\d+) invalid turn restrictions"),
            "restrictions_used": (ex, r"Constructing restriction graph on (\d+) restrictions"),
            "ebg_nodes": (ex, r"Generated (\d+) nodes .* in edge-expanded graph"),
            "ebg_edges": (ex, r"Processed (\d+) edges\n"),
            "ch_edges": (co, r"Contracted graph has (\d+) edges"),
            "core_contractions": (co, r"(will contract \d+ .*nodes)")}
    out = {}
    for k, (text, pat) in pats.items():
        if k == "core_contractions":
            out[k] = len(re.findall(pat, text)) - 1
            continue
        m = re.findall(pat, text)
        out[k] = int(m[-1]) if m else None
    return out


def osrm_table_child(base: str, points_csv: str, out_npy: str | None):
    """One process, one Table request; prints a JSON record."""
    pts = [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(open(points_csv))]
    n = len(pts)
    t = time.perf_counter()
    engine = osrm.OSRM(storage_config=base, algorithm="CH", use_shared_memory=False,
                       max_locations_distance_table=1_000_000)
    load_s = time.perf_counter() - t
    params = osrm.TableParameters(coordinates=pts, annotations=["duration", "distance"])
    c0 = _cpu()
    t = time.perf_counter()
    res = engine.Table(params)
    table_s = time.perf_counter() - t
    table_cpu_s = _cpu() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rec = {"n": n, "load_s": load_s, "table_s": table_s, "table_cpu_s": table_cpu_s,
           "table_rss_mb": rss,
           "max_snap_m": max(w["distance"] for w in res["sources"])}
    if out_npy:
        d = np.full((n, n), np.nan, np.float64)
        for i, row in enumerate(res["durations"]):
            d[i] = [np.nan if v is None else v for v in row]
        np.save(out_npy, d)
    print(json.dumps(rec), flush=True)


def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def osrm_tables(base: Path, csvs: dict, work: Path, runs: int, tag: str = "osrm"):
    out = {}
    for n, path in csvs.items():
        recs = []
        for r in range(runs):
            npy = work / f"{tag}-{n}.npy" if r == 0 else None
            cmd = [sys.executable, __file__, "--osrm-table-child", base, path, npy or "-"]
            _, rss, stdout, _ = timed(cmd)
            rec = json.loads(stdout.strip().splitlines()[-1])
            rec["process_rss_mb"] = rss
            recs.append(rec)
            log(f"{tag} table {n} run {r}: {rec['table_s']:.3f} s, {rec['table_rss_mb']:.0f} MB")
        out[n] = {"runs": recs, "durations": work / f"{tag}-{n}.npy"}
    return out


# ---------------------------------------------------------- wasteroute


def ours(bin_: Path, pbf: Path, profile: str, turns: bool, csvs: dict, build_csv: Path,
         work: Path, tag: str, runs: int):
    def run(path, dur_out):
        cmd = [bin_, "bench", "matrix", "--osm", pbf, "--profile", profile, "--points-file", path,
               "--json"]
        if turns:
            cmd.append("--turns")
        if dur_out:
            cmd += ["--durations-out", dur_out]
        _, rss, stdout, cpu = timed(cmd)
        rec = json.loads(stdout)
        rec["process_rss_mb"] = rss
        rec["process_cpu_s"] = cpu
        rec["build_total_s"] = rec["read_s"] + rec["build_s"] + rec["prep_s"]
        return rec

    res = {"build": [run(build_csv, None) for _ in range(runs)], "n": {}}
    build_cpu = med(r["process_cpu_s"] for r in res["build"])
    for n, path in csvs.items():
        recs = []
        for r in range(runs):
            dur = work / f"{tag}-{n}.i32" if r == 0 else None
            recs.append(run(path, dur))
            # CPU of the matrix (and snapping): the process's minus a build's.
            recs[-1]["matrix_cpu_est_s"] = recs[-1]["process_cpu_s"] - build_cpu
            log(f"{tag} {n} run {r}: build {recs[-1]['build_total_s']:.2f} s, "
                f"matrix {recs[-1]['matrix_s']:.3f} s, {recs[-1]['peak_rss_mb']} MB")
        res["n"][n] = {"runs": recs, "durations": work / f"{tag}-{n}.i32"}
    return res


def compare(ours_file: Path, osrm_file: Path, n: int):
    a = np.fromfile(ours_file, dtype="<i4").reshape(n, n).astype(np.float64)
    a[a < 0] = np.nan
    b = np.load(osrm_file)
    off = ~np.eye(n, dtype=bool)
    a, b = a[off], b[off]
    fa, fb = np.isfinite(a), np.isfinite(b)
    both = fa & fb & (b > 0)
    r = a[both] / b[both]
    return {"pairs": int(off.sum()), "unreachable_ours": int((~fa).sum()),
            "unreachable_osrm": int((~fb).sum()), "compared": int(both.sum()),
            "median_ratio": float(np.median(r)), "p10_ratio": float(np.percentile(r, 10)),
            "p90_ratio": float(np.percentile(r, 90)),
            "within_10pct": float(np.mean(np.abs(r - 1) <= 0.1)),
            "sum_ratio": float(a[both].sum() / b[both].sum())}


# ------------------------------------------------- restrictions on/off


def strip_restrictions(src: Path, dst: Path) -> int:
    """Copies src to dst without the type=restriction relations."""
    import osmium

    class Strip(osmium.SimpleHandler):
        def __init__(self, w):
            super().__init__()
            self.w, self.dropped = w, 0

        def node(self, o):
            self.w.add_node(o)

        def way(self, o):
            self.w.add_way(o)

        def relation(self, o):
            if o.tags.get("type") == "restriction":
                self.dropped += 1
            else:
                self.w.add_relation(o)

    if dst.exists():
        dst.unlink()
    w = osmium.SimpleWriter(str(dst))
    h = Strip(w)
    h.apply_file(str(src))
    w.close()
    return h.dropped


def load_ours(path: Path, n: int):
    a = np.fromfile(path, dtype="<i4").reshape(n, n).astype(np.float64)
    a[a < 0] = np.nan
    return a


def restriction_effect(on: np.ndarray, off: np.ndarray):
    """Per-pair change of the durations when restrictions are switched on."""
    n = on.shape[0]
    off_diag = ~np.eye(n, dtype=bool)
    a, b = on[off_diag], off[off_diag]
    fin = np.isfinite(a) & np.isfinite(b)
    d = a[fin] - b[fin]
    return {"sum_change": float(a[fin].sum() / b[fin].sum() - 1),
            "changed_1s": int((np.abs(d) > 1).sum()), "longer_1s": int((d > 1).sum()),
            "shorter_1s": int((d < -1).sum()), "changed_10s": int((np.abs(d) > 10).sum()),
            "p99_s": float(np.percentile(d, 99)), "p999_s": float(np.percentile(d, 99.9)),
            "max_s": float(d.max()), "unreachable_on": int((~np.isfinite(a)).sum()),
            "unreachable_off": int((~np.isfinite(b)).sum()), "diff": d, "fin": fin}


def restrictions_section(a, pbf: Path, bin_: Path, work: Path, csvs: dict, car: str,
                         osrm_on: Path, ours_on: dict):
    """OSRM and our turn-aware graphs on the PBF with and without its
    restriction relations, first N only, one run each."""
    n = min(csvs)
    stripped = work / "no-restrictions.osm.pbf"
    dropped = strip_restrictions(pbf, stripped)
    base, _ = osrm_prep(stripped, work / "osrm-norestr", a.threads, 1)
    off = osrm_tables(base, {n: csvs[n]}, work, 1, tag="osrm-norestr")
    eff = {"OSRM car.lua": restriction_effect(np.load(osrm_on), np.load(off[n]["durations"]))}
    for label, prof in [("car-like turns", car), ("truck turns", "truck")]:
        tag = label.replace(" ", "-") + "-norestr"
        cmd = [bin_, "bench", "matrix", "--osm", stripped, "--profile", prof, "--points-file",
               csvs[n], "--json", "--turns", "--durations-out", work / f"{tag}-{n}.i32"]
        timed(cmd)
        eff[label] = restriction_effect(load_ours(ours_on[label], n), load_ours(work / f"{tag}-{n}.i32", n))
    o = eff["OSRM car.lua"]
    for k, e in eff.items():
        # Pairs both engines change by more than 10 s.
        e["both_10s"] = int(((np.abs(e["diff"]) > 10) & (np.abs(o["diff"]) > 10)).sum()) \
            if e["fin"].shape == o["fin"].shape and (e["fin"] == o["fin"]).all() else None
    return n, dropped, eff


# ---------------------------------------------------------------- main


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--osrm-table-child":
        base, pts, npy = sys.argv[2:5]
        osrm_table_child(base, pts, None if npy == "-" else npy)
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pbf", default=str(REPO.parent / "shared" / "data" / "osm" / "malta-latest.osm.pbf"))
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "wasteroute"))
    ap.add_argument("--points", default="1000,5000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="OSRM preprocessing threads")
    ap.add_argument("--workdir", default="/tmp/osrm_turns")
    ap.add_argument("--no-restrictions-section", action="store_true",
                    help="skip the restrictions on/off comparison (issue 14 section 3)")
    a = ap.parse_args()
    pbf, bin_, work = Path(a.pbf), Path(a.bin), Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if not bin_.exists():
        raise SystemExit(f"{bin_} not found: cargo build --release")
    sampler = LoadSampler()
    sampler.start()
    t0 = time.time()

    csvs = {}
    for n in roadgraph.parse_points(a.points):
        ids, pts = roadgraph.sample_points(str(pbf), n, a.seed)
        path = work / f"points-{n}.csv"
        with open(path, "w") as f:
            f.write("id,lat,lon\n")
            for i, (lon, lat) in zip(ids, pts):
                f.write(f"{i},{lat!r},{lon!r}\n")
        csvs[n] = path
    build_csv = work / "points-10.csv"
    first = csvs[min(csvs)].read_text().splitlines()
    build_csv.write_text("\n".join(first[:11]) + "\n")

    base, prep = osrm_prep(pbf, work / "osrm", a.threads, a.runs)
    tables = osrm_tables(base, csvs, work, a.runs)

    car = str(HERE / "osrm_car_like.toml")
    configs = [("truck node", "truck", False), ("truck turns", "truck", True),
               ("car-like node", car, False), ("car-like turns", car, True)]
    mine = {}
    for label, prof, turns in configs:
        tag = label.replace(" ", "-")
        mine[label] = ours(bin_, pbf, prof, turns, csvs, build_csv, work, tag, a.runs)
        for n in csvs:
            mine[label]["n"][n]["vs_osrm"] = compare(mine[label]["n"][n]["durations"],
                                                     tables[n]["durations"], n)
    restr = None
    if not a.no_restrictions_section:
        n0 = min(csvs)
        restr = restrictions_section(a, pbf, bin_, work, csvs, car, tables[n0]["durations"],
                                     {k: mine[k]["n"][n0]["durations"] for k in mine})
    sampler.stop.set()
    sampler.join()
    load = sampler.samples
    wall = time.time() - t0

    # ------------------------------------------------------------ table
    cols = ["OSRM car.lua CH"] + [c[0] for c in configs]
    rows = []

    def row(name, osrm_v, f):
        rows.append([name, osrm_v] + [f(mine[c[0]]) for c in configs])

    def all_runs(m):
        return m["build"] + [r for v in m["n"].values() for r in v["runs"]]

    s = lambda x, d=2: "–" if x is None else f"{x:.{d}f}"  # noqa: E731
    row("build: read + graph + preprocessing, s",
        f"{s(med(r['prep_s'] for r in prep))} (extract {s(med(r['extract_s'] for r in prep))}"
        f" + contract {s(med(r['contract_s'] for r in prep))})",
        lambda m: s(med(r["build_total_s"] for r in all_runs(m))))
    row("build: CPU s (user + system; OSRM extract + contract)", s(med(r["prep_cpu_s"] for r in prep)),
        lambda m: s(med(r["process_cpu_s"] for r in m["build"])))
    row("build: peak RSS, MB",
        f"extract {s(med(r['extract_rss_mb'] for r in prep), 0)}, contract "
        f"{s(med(r['contract_rss_mb'] for r in prep), 0)}",
        lambda m: s(med(r["process_rss_mb"] for r in m["build"]), 0))
    p0 = prep[0]
    row("graph: vertices / arcs / CH arcs",
        f"{p0['ebg_nodes']:,} / {p0['ebg_edges']:,} / {p0['ch_edges']:,} (edge-based; "
        f"+{p0['core_contractions']} core contractions for the exclude classes)",
        lambda m: f"{m['build'][0]['vertices']:,} / {m['build'][0]['arcs']:,} / "
                  f"{m['build'][0]['hierarchy_arcs']:,}")
    row("turn restrictions read / applied; U-turns forbidden",
        f"{p0['restrictions_raw']} / {p0['restrictions_used']} (U-turns 20 s)",
        lambda m: f"{m['build'][0]['turn_restrictions_read']} / "
                  f"{m['build'][0]['turn_restrictions_applied']}; {m['build'][0]['u_turns_forbidden']:,}")
    for n in csvs:
        t = tables[n]["runs"]
        row(f"{n} x {n}: matrix, s", s(med(r["table_s"] for r in t), 3),
            lambda m, n=n: s(med(r["matrix_s"] for r in m["n"][n]["runs"]), 3))
        # Ours: the difference of two process CPU times (10 ms ticks, and a
        # build's CPU varies by about 0.1 s), so only where the matrix
        # dominates.
        row(f"{n} x {n}: matrix CPU s (ours: process minus build)",
            s(med(r["table_cpu_s"] for r in t), 3),
            lambda m, n=n: s(med(r["matrix_cpu_est_s"] for r in m["n"][n]["runs"]), 2)
            if n >= 2000 else "–")
        row(f"{n} x {n}: peak RSS (whole process), MB", s(med(r["table_rss_mb"] for r in t), 0),
            lambda m, n=n: s(med(r["process_rss_mb"] for r in m["n"][n]["runs"]), 0))
        row(f"{n} x {n}: points too far / max snap m", f"0 / {s(t[0]['max_snap_m'], 0)}",
            lambda m, n=n: f"{m['n'][n]['runs'][0]['too_far_points']} / "
                           f"{s(m['n'][n]['runs'][0]['max_snap_m'], 0)}")
        row(f"{n} x {n}: unreachable pairs (off-diagonal)",
            str(mine[configs[0][0]]["n"][n]["vs_osrm"]["unreachable_osrm"]),
            lambda m, n=n: str(m["n"][n]["vs_osrm"]["unreachable_ours"]))
        row(f"{n} x {n}: duration ours/OSRM median (p10-p90)", "1",
            lambda m, n=n: f"{m['n'][n]['vs_osrm']['median_ratio']:.3f} "
                           f"({m['n'][n]['vs_osrm']['p10_ratio']:.2f}-{m['n'][n]['vs_osrm']['p90_ratio']:.2f})")
        row(f"{n} x {n}: pairs within 10 % of OSRM", "",
            lambda m, n=n: f"{100 * m['n'][n]['vs_osrm']['within_10pct']:.1f} %")
        row(f"{n} x {n}: sum of durations / OSRM's", "1",
            lambda m, n=n: f"{m['n'][n]['vs_osrm']['sum_ratio']:.3f}")

    print(f"Malta {pbf.name}, seed {a.seed}, {a.runs} runs each (medians), "
          f"{os.cpu_count()} cores, load average 1 min during the run: min {min(load):.2f}, "
          f"median {statistics.median(load):.2f}, max {max(load):.2f}; {wall:.0f} s in all")
    print()
    print("| | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for r in rows:
        print("| " + " | ".join(r) + " |")

    if restr:
        n0, dropped, eff = restr
        print()
        print(f"Turn restrictions on vs off ({dropped} type=restriction relations removed from the "
              f"PBF for 'off'), {n0} x {n0} off-diagonal pairs, durations on minus off:")
        print()
        print("| | sum | pairs changed > 1 s (longer / shorter) | changed > 10 s | also > 10 s in OSRM "
              "| p99 / p99.9 / max, s | unreachable on / off |")
        print("|---|---:|---:|---:|---:|---|---:|")
        for k, e in eff.items():
            print(f"| {k} | {100 * e['sum_change']:+.3f} % | {e['changed_1s']:,} ({e['longer_1s']:,} / "
                  f"{e['shorter_1s']:,}) | {e['changed_10s']:,} | "
                  f"{'–' if e['both_10s'] is None else format(e['both_10s'], ',')} | "
                  f"{e['p99_s']:.1f} / {e['p999_s']:.1f} / {e['max_s']:.0f} | "
                  f"{e['unreachable_on']} / {e['unreachable_off']} |")
        for e in eff.values():
            del e["diff"], e["fin"]

    def clean(o):
        if isinstance(o, dict):
            return {str(k): clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        if isinstance(o, Path):
            return str(o)
        return o

    (work / "records.json").write_text(json.dumps(clean(
        {"load": load, "osrm_prep": prep, "osrm_tables": tables, "ours": mine,
         "restrictions": restr and {"n": restr[0], "dropped": restr[1], "effect": restr[2]}}),
        indent=1))


if __name__ == "__main__":
    main()
