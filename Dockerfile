FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin jevons

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/release/jevons /usr/local/bin/jevons
COPY config ./config
COPY data/prices ./data/prices
COPY data/SOURCES.md ./data/SOURCES.md
USER nobody
EXPOSE 8080
CMD ["jevons", "serve"]
