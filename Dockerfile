# syntax=docker/dockerfile:1
# Multi-stage build: compile in the Rust image, run as a non-root user in a
# slim Debian image (the binary links neither libpq nor a system SQLite).

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# .cargo/config.toml builds the bundled SQLite in multi-thread mode.
COPY .cargo ./.cargo
COPY crates ./crates
RUN cargo build --release --locked -p radar --bin radar \
    && strip target/release/radar

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/radar radar
COPY --from=build /src/target/release/radar /usr/local/bin/radar
USER radar
WORKDIR /var/lib/radar
ENV DATABASE_URL=/var/lib/radar/radar.db \
    RADAR_LISTEN=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
VOLUME ["/var/lib/radar"]
# /readyz answers 200 once Radar is migrated, receiving and able to store an update now
# (a committed write, not SELECT 1); bash's /dev/tcp: no curl needed.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["radar"]
CMD ["serve"]
