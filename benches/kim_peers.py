#!/usr/bin/env python3
"""Side-by-side benchmark on the Kim, Kim & Sahoo (2006) waste instances.

Runs `wasteroute wcvrptw solve` and the peers of ../shared/tools/kim
(PyVRP with reload depots, vrp-cli with reloads and breaks) at the same time
limit, one thread each, and scores every answer with the independent checker
`kim.py`. The peers run one after another on CPU 0 while wasteroute runs on
CPU 1, so the whole run takes (2 x instances x metrics x seconds).

    python3 benches/kim_peers.py --seconds 60 --out kim-60.jsonl
    python3 benches/kim_peers.py --table kim-60.jsonl

Requires ../shared/tools/peers/install.sh and `cargo build --release`.
"""
import argparse, json, os, subprocess, tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
KIM = os.path.join(SHARED, "tools", "kim")
DATA = os.path.join(SHARED, "data", "cvrplib", "waste", "wcvrptw-kim2006")
PY = os.path.expanduser("~/.peers/venv/bin/python")
INSTANCES = ["102_stop", "335_stop", "1351_stop"]
SOLVERS = ["wasteroute", "pyvrp", "vrpcli"]


def run_ours(inst, seconds, metric, seed):
    path = os.path.join(DATA, inst + ".txt")
    with tempfile.TemporaryDirectory() as d:
        sol = os.path.join(d, "checker.json")
        subprocess.run(["taskset", "-c", "1", os.path.join(ROOT, "target", "release", "wasteroute"), "wcvrptw",
                        "solve", path, "--seconds", str(seconds), "--seed", str(seed), "--threads", "1",
                        "--metric", metric, "--checker-out", sol], check=True, capture_output=True)
        out = subprocess.run(["python3", os.path.join(KIM, "kim.py"), "check", path, sol, "--metric", metric,
                              "--summary"], capture_output=True, text=True).stdout
    res = json.loads(out)
    return {"solver": "wasteroute", "instance": inst, "metric": metric, "seconds": seconds, "seed": seed,
            "vehicles": res["vehicles"], "distance_miles": res["distance_miles"], "feasible": res["feasible"]}


def run_peer(solver, inst, seconds, metric, seed):
    path = os.path.join(DATA, inst + ".txt")
    out = subprocess.run([PY, os.path.join(KIM, "kim_peer.py"), solver, path, "--seconds", str(seconds),
                          "--seed", str(seed), "--metric", metric, "--cpu", "0"], capture_output=True, text=True)
    try:
        r = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"solver": solver, "instance": inst, "metric": metric, "error": out.stderr[-300:]}
    return {k: r.get(k) for k in ("solver", "instance", "metric", "seconds", "seed", "vehicles", "distance_miles",
                                  "feasible", "violations", "notes")}


def table(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    metrics = sorted({r["metric"] for r in rows})
    print("| metric | instance | " + " | ".join(SOLVERS) + " |")
    print("|---|---|" + "---:|" * len(SOLVERS))
    for m in metrics:
        for inst in INSTANCES:
            cells = []
            for s in SOLVERS:
                r = next((r for r in rows if (r["solver"], r["instance"], r["metric"]) == (s, inst, m)), None)
                if r is None or "error" in r:
                    cells.append("-")
                else:
                    mark = "" if r["feasible"] else " (infeasible)"
                    cells.append(f"{r['vehicles']} veh, {r['distance_miles']:.2f} mi{mark}")
            print(f"| {m} | {inst} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--metrics", default="manhattan,euclidean")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--table")
    a = ap.parse_args()
    if a.table:
        return table(a.table)
    if not a.out:
        ap.error("--out is required")
    jobs = [(inst, m) for m in a.metrics.split(",") for inst in INSTANCES]

    def ours():
        return [run_ours(i, a.seconds, m, a.seed) for i, m in jobs]

    def peers():
        return [run_peer(s, i, a.seconds, m, a.seed) for i, m in jobs for s in ("pyvrp", "vrpcli")]

    with ThreadPoolExecutor(2) as ex:
        f1, f2 = ex.submit(ours), ex.submit(peers)
        rows = f1.result() + f2.result()
    with open(a.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    table(a.out)


if __name__ == "__main__":
    main()
