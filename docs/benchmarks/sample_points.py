#!/usr/bin/env python3
"""Write the benchmark points of the shared roads tools as an id,lat,lon CSV.

  sample_points.py EXTRACT.osm.pbf N SEED OUT.csv

Uses roadgraph.sample_points from shared/tools/roads (set ROADS_TOOLS to its
folder), so the CSV holds exactly the coordinates osrm_bench.py times.
"""
import os
import sys

sys.path.insert(0, os.environ.get("ROADS_TOOLS", "/work/shared/tools/roads"))
import roadgraph  # noqa: E402

pbf, n, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ids, pts = roadgraph.sample_points(pbf, n, seed)
with open(out, "w") as f:
    f.write("id,lat,lon\n")
    for i, (lon, lat) in zip(ids, pts):
        f.write(f"{i},{lat!r},{lon!r}\n")
