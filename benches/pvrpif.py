#!/usr/bin/env python3
"""The PVRP-IF benchmark of Taverna & Tilk (2026): wasteroute against the
best-known values.

Runs `wasteroute pvrpif solve` on each instance of
../shared/data/periodic/pvrpif (or the ones named), one thread, scores every
answer with the independent checker ../shared/tools/pvrpif/pvrpif.py and
prints one line per instance (cost, best known, gap, feasible, proven) and
the mean gap.

    python3 benches/pvrpif.py --seconds 30                   # all 40
    python3 benches/pvrpif.py --seconds 10 Milano_020_4_0    # some

Requires `cargo build --release`.
"""
import argparse, csv, glob, json, os, subprocess, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "..", "shared", "data", "periodic", "pvrpif")
CHECKER = os.path.join(ROOT, "..", "shared", "tools", "pvrpif", "pvrpif.py")
BIN = os.path.join(ROOT, "target", "release", "wasteroute")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="instance names (default: all)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    bks = {r["instance"]: r for r in csv.DictReader(open(os.path.join(DATA, "bks.csv")))}
    files = sorted(glob.glob(os.path.join(DATA, "planning horizon *", "*.geojson")))
    by_name = {os.path.basename(f)[: -len(".geojson")]: f for f in files}
    names = a.names or sorted(by_name)
    gaps = []
    print(f"{'instance':<18} {'cost':>7} {'best':>7} {'gap%':>7} feasible proven")
    for name in names:
        f = by_name[name]
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "sol.json")
            subprocess.run(
                [BIN, "pvrpif", "solve", f, "--seconds", str(a.seconds),
                 "--seed", str(a.seed), "--threads", "1", "--out", out],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if not os.path.exists(out):
                print(f"{name:<18} no solution")
                continue
            rep = json.loads(subprocess.run(
                ["python3", CHECKER, "check", f, out],
                capture_output=True, text=True).stdout)
        best = float(bks[name]["best_ub"])
        gap = 100.0 * (rep["cost"] - best) / best
        gaps.append(gap)
        print(f"{name:<18} {rep['cost']:>7} {best:>7g} {gap:>7.2f} "
              f"{str(rep['feasible']):<8} {bks[name]['proven']}")
    if gaps:
        print(f"mean gap {sum(gaps) / len(gaps):.2f} % over {len(gaps)} instances")


if __name__ == "__main__":
    main()
