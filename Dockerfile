# jevons in a container: `docker compose up --build` (docker-compose.yml) or
#   docker build -t jevons .                                  release build (slow on few cores)
#   docker build --build-arg PROFILE=dev -t jevons:dev .      debug build, as CI does (scripts/test)
# The dependencies are built in their own layer (cargo-chef), so an edit to jevons' own code
# rebuilds only the workspace crates.

ARG RUST_VERSION=1.94

FROM rust:${RUST_VERSION}-bookworm AS chef
ARG CHEF_VERSION=0.1.78
RUN cargo install cargo-chef --locked --version "${CHEF_VERSION}"
WORKDIR /src

# The recipe: every manifest and the lock file, with the sources left out, so it changes only
# when the dependencies do.
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
# `release` for users; CI passes `dev`, which builds in well under half the time.
ARG PROFILE=release
COPY --from=planner /src/recipe.json recipe.json
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    cargo chef cook --profile "${PROFILE}" --locked --bin jevons --recipe-path recipe.json
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    cargo build --profile "${PROFILE}" --locked --bin jevons \
    && if [ "${PROFILE}" = dev ]; then dir=debug; else dir="${PROFILE}"; fi \
    && cp "target/${dir}/jevons" /usr/local/bin/jevons

FROM debian:bookworm-slim AS runtime
# ca-certificates: the providers and feeds are HTTPS; curl: the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 jevons \
    && useradd --system --uid 10001 --gid jevons --home-dir /var/lib/jevons --shell /usr/sbin/nologin jevons
WORKDIR /app
COPY --from=builder /usr/local/bin/jevons /usr/local/bin/jevons
# Templates, CSS, migrations and fonts are compiled into the binary; the configuration and the
# bundled dataset (prices, models, fundamentals, events: data/SOURCES.md) are read at run time.
COPY config ./config
COPY data ./data
# What jevons writes: the summarisation model (fetched on first start when missing) and, without
# DATABASE_URL, its own cluster's folder (this image has no PostgreSQL binaries: give it a
# DATABASE_URL, as docker-compose.yml does). A named volume here starts with this ownership.
RUN mkdir -p /var/lib/jevons/models && chown -R jevons:jevons /var/lib/jevons
ENV JEVONS__SERVER__LISTEN=0.0.0.0:8080 \
    JEVONS__SUMMARIZER__MODEL_PATH=/var/lib/jevons/models/SmolLM2-135M-Instruct.Q4_1.gguf \
    JEVONS__DATABASE__DATA_DIR=/var/lib/jevons/pg
VOLUME ["/var/lib/jevons"]
USER jevons
EXPOSE 8080
# /readyz answers 200 once the database answers; the first start loads the bundled dataset.
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/readyz || exit 1
CMD ["jevons", "serve"]
