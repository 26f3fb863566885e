# wasteroute in a slim image: the binary, its licences and the bundled demo.
#
#   docker build -t wasteroute:0.1.0 .
#   docker run --rm -v "$PWD/city:/data" wasteroute:0.1.0 \
#       batch run /data/nightly.toml --out /data/out --shard-index 0 --shard-count 1
#
# Stage 1 builds the release binary (pure Rust: no OpenSSL, no C++; HiGHS is
# an opt-in feature and is not built here). Stage 2 is distroless "cc":
# glibc and libgcc (which the binary links against) and nothing else, no
# shell, running as the unprivileged user 65532. See docs/batch.md.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin wasteroute \
 && (strip target/release/wasteroute || true)
# The licence texts of every crate compiled in (taken from the crates
# themselves: each ships its LICENSE/COPYING/NOTICE files), and the
# dependency list they belong to.
RUN mkdir -p /out/licenses/crates \
 && cp LICENSE-MIT LICENSE-APACHE /out/licenses/ \
 && cp vendor/leaflet/LICENSE /out/licenses/leaflet-LICENSE \
 && cp Cargo.lock /out/licenses/Cargo.lock \
 && for d in "$CARGO_HOME"/registry/src/*/*/; do \
      n=$(basename "$d"); \
      for f in "$d"LICENSE* "$d"LICENCE* "$d"COPYING* "$d"NOTICE* "$d"UNLICENSE*; do \
        [ -f "$f" ] && cp "$f" "/out/licenses/crates/$n-$(basename "$f")"; \
      done; \
    done; true

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/wasteroute /usr/local/bin/wasteroute
COPY --from=build /out/licenses /usr/share/licenses/wasteroute
# The demo (its map is OpenStreetMap data: (c) OpenStreetMap contributors,
# ODbL 1.0), so that `wasteroute plan` and the demo batch run as they are.
COPY data/demo /opt/wasteroute/data/demo
WORKDIR /opt/wasteroute
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/wasteroute"]
CMD ["--help"]
