#!/bin/sh
# Makes data/demo/map.osm.pbf, the map of the bundled demo, from the
# Geofabrik extract of Liechtenstein (2024-03-04):
#
#   scripts/make_demo_map.sh [SOURCE.osm.pbf] [OUT.osm.pbf]
#
# SOURCE defaults to ../shared/data/osm/liechtenstein-latest.osm.pbf and is
# checked against its SHA-256 first. The whole country is kept (no bounding
# box): only the objects the planner and examples/make_demo.rs read are
# kept, and the metadata (versions, timestamps, changesets, users) is
# dropped, which makes the file about a quarter of the source's size:
#
#   - every way with a `highway` tag (the road graphs), with all its nodes
#     and their tags (barriers, crossings);
#   - `place` nodes (towns and villages: the urban/rural rule);
#   - shops, health care, and the amenities the demo turns into pickups
#     (doctors, clinics, hospitals, pharmacies, recycling points, fuel
#     stations, market places);
#   - `landuse=industrial` areas (where the facilities go), ways and
#     multipolygons with their member ways;
#   - rivers and canals (the flood scenario);
#   - the national border of Liechtenstein (pickups stay inside it).
#
# Needs osmium-tool (Debian/Ubuntu: apt-get install osmium-tool). The output
# is deterministic for a given osmium version: with osmium 1.15.0 /
# libosmium 2.19.0 its SHA-256 is the one in data/demo/README.md.
set -eu

SRC=${1:-../shared/data/osm/liechtenstein-latest.osm.pbf}
OUT=${2:-data/demo/map.osm.pbf}
SRC_SHA256=33a1d9078477f320d101b2f29c2116814ba50be7858ad569a2a20e23ea4af6e8

echo "$SRC_SHA256  $SRC" | sha256sum -c --quiet -

osmium tags-filter "$SRC" \
    w/highway \
    n/place \
    nwr/shop \
    nwr/healthcare \
    nwr/amenity=doctors,clinic,hospital,dentist,pharmacy,recycling,fuel,marketplace \
    nwr/landuse=industrial \
    w/waterway=river,canal \
    r/ISO3166-1:alpha2=LI \
    --output-format pbf,add_metadata=false \
    --overwrite --no-progress -o "$OUT"

osmium --version | head -n 1
sha256sum "$OUT"
