#!/usr/bin/env python3
"""Side-by-side CVRP benchmark: wasteroute against the peer solvers.

Runs `wasteroute cvrp bench` and the peers of ../shared/tools/peers on the
same X instances with the same budget (seconds per 100 customers), one
thread, the same seed, every solution re-scored by the same checker
(`run_peer.py check`). Two jobs run at a time, each pinned to its own core.

    python3 benches/cvrp_peers.py --seconds-per-100 6 --out bench-6.jsonl
    python3 benches/cvrp_peers.py --seconds-per-100 3 --out bench-3.jsonl
    python3 benches/cvrp_peers.py --table bench-6.jsonl     # print the table

Requires ../shared/tools/peers/install.sh to have been run, and
`cargo build --release`.
"""
import argparse, json, os, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
PEERS = os.path.join(SHARED, "tools", "peers", "run_peer.py")
PY = os.path.expanduser("~/.peers/venv/bin/python")
INSTANCES = ["X-n110-k13", "X-n162-k11", "X-n209-k16", "X-n256-k16", "X-n308-k13", "X-n359-k29",
             "X-n411-k19", "X-n502-k39", "X-n599-k92", "X-n701-k44", "X-n801-k40", "X-n979-k58"]
SOLVERS = ["wasteroute", "hgs", "pyvrp", "vroom", "vrpcli", "ortools"]


def n_customers(path):
    with open(path) as f:
        for line in f:
            if line.startswith("DIMENSION"):
                return int(line.split(":")[1]) - 1
    raise SystemExit(f"no DIMENSION in {path}")


def run_ours(inst, seconds, cpu, seed, threads):
    vrp = os.path.join(SHARED, "data", "cvrplib", "X", inst + ".vrp")
    with tempfile.TemporaryDirectory() as d:
        cmd = ["taskset", "-c", cpu, os.path.join(ROOT, "target", "release", "wasteroute"), "cvrp", "solve", vrp,
               "--seconds", str(seconds), "--seed", str(seed), "--threads", str(threads), "--out", os.path.join(d, "s.sol")]
        subprocess.run(cmd, check=True, capture_output=True)
        out = subprocess.run([PY, PEERS, "check", vrp, "--sol", os.path.join(d, "s.sol")], check=True,
                             capture_output=True, text=True).stdout
    rec = json.loads(out.strip().splitlines()[-1])
    rec.update(solver="wasteroute" if threads == 1 else f"wasteroute-{threads}t", time_limit=seconds, seed=seed)
    return rec


def run_peer(solver, inst, seconds, cpu, seed):
    vrp = os.path.join(SHARED, "data", "cvrplib", "X", inst + ".vrp")
    out = subprocess.run([PY, PEERS, solver, vrp, "--seconds", str(seconds), "--seed", str(seed), "--cpu", cpu],
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    solvers = [s for s in SOLVERS + ["wasteroute-2t"] if any(r["solver"] == s for r in rows)]
    gap = {(r["solver"], r["instance"]): r.get("gap_pct") for r in rows}
    print("| instance | " + " | ".join(solvers) + " |")
    print("|---|" + "---:|" * len(solvers))
    for inst in INSTANCES:
        cells = [f"{gap.get((s, inst)):.2f}" if gap.get((s, inst)) is not None else "-" for s in solvers]
        print(f"| {inst} | " + " | ".join(cells) + " |")
    means = []
    for s in solvers:
        g = [gap[(s, i)] for i in INSTANCES if gap.get((s, i)) is not None]
        means.append(f"**{sum(g) / len(g):.2f}**" if g else "-")
    print("| mean gap % | " + " | ".join(means) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds-per-100", type=float)
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--solvers", default=",".join(SOLVERS + ["wasteroute-2t"]))
    ap.add_argument("--table")
    a = ap.parse_args()
    if a.table:
        return table(a.table)
    jobs = []
    for inst in INSTANCES:
        secs = round(a.seconds_per_100 * n_customers(os.path.join(SHARED, "data", "cvrplib", "X", inst + ".vrp")) / 100, 2)
        for s in a.solvers.split(","):
            jobs.append((s, inst, secs))
    # The 2-thread runs take both cores: run them alone, after the others.
    single = [j for j in jobs if j[0] != "wasteroute-2t"]
    double = [j for j in jobs if j[0] == "wasteroute-2t"]
    out = open(a.out, "a")

    def go(job, cpu):
        s, inst, secs = job
        if s == "wasteroute":
            rec = run_ours(inst, secs, cpu, a.seed, 1)
        elif s == "wasteroute-2t":
            rec = run_ours(inst, secs, "0,1", a.seed, 2)
        else:
            rec = run_peer(s, inst, secs, cpu, a.seed)
        line = json.dumps(rec)
        print(line, flush=True)
        out.write(line + "\n")
        out.flush()

    import queue
    cpus = queue.Queue()
    cpus.put("0")
    cpus.put("1")

    def pinned(job):
        cpu = cpus.get()
        try:
            go(job, cpu)
        finally:
            cpus.put(cpu)

    with ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(pinned, j) for j in single]:
            f.result()
    for j in double:
        go(j, "0,1")


if __name__ == "__main__":
    sys.exit(main())
