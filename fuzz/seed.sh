#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the main crate's test data
# (tests/data, data/profiles, data/demo) and the small binary and GeoJSON
# seeds kept in fuzz/seeds/. The corpus itself is not committed.
set -euo pipefail
cd "$(dirname "$0")"
root=..
seed() { # target file...
  local t=$1 f
  shift
  mkdir -p "corpus/$t"
  for f in "$@"; do
    # The path names the seed: tests/data/plan/fleet.toml -> tests_data_plan_fleet.toml
    cp "$f" "corpus/$t/$(echo "${f#"$root"/}" | tr / _)"
  done
}
seed pickups_csv "$root/tests/data/plan/pickups.csv" "$root/data/demo/pickups.csv"
seed pickups_geojson seeds/pickups_geojson/*
seed facilities_csv "$root/tests/data/plan/facilities.csv" "$root/data/demo/facilities.csv"
seed closures_geojson seeds/closures_geojson/* "$root/data/demo/scenarios/flood.geojson"
seed fleet_toml "$root/tests/data/plan/fleet.toml" "$root/data/demo/fleet.toml"
seed profile_toml "$root"/data/profiles/*.toml
seed cvrplib_vrp "$root"/tests/data/cvrplib/*.vrp
seed cvrplib_sol "$root"/tests/data/cvrplib/*.sol
seed kim_instance "$root"/tests/data/kim/*.txt
seed graph_file seeds/graph_file/*
seed osm_pbf seeds/osm_pbf/* "$root/tests/data/monaco-roads-tiny.osm.pbf"
du -sh corpus/*
