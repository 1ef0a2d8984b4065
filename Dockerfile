# syntax=docker/dockerfile:1
# xrpl-payments-exporter image.
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" -t xrpl-payments-exporter .
#   docker run -p 29770:29770 -v "$PWD/config.yaml:/etc/xrpl-payments-exporter/config.yaml:ro" \
#     -v xrpl-state:/var/lib/xrpl-payments-exporter xrpl-payments-exporter
# The configuration is read from /etc/xrpl-payments-exporter/config.yaml (the repository's config.yaml
# is the default). Set `state.path: /var/lib/xrpl-payments-exporter/state.json` to keep totals, the
# checkpoint and the alert outbox in the volume across restarts.
ARG NODE_IMAGE=node:24-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="xrpl-payments-exporter" \
      org.opencontainers.image.description="Prometheus exporter and email alerter for validated incoming value transfers to XRP Ledger accounts" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# xrpl_exporter_build_info{revision} and --version report the revision the image was built from.
ENV NODE_ENV=production \
    XRPL_EXPORTER_REVISION=${REVISION}
WORKDIR /app
# Code and dependencies stay owned by root: the exporter runs as `node` and cannot modify itself.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config.yaml /etc/xrpl-payments-exporter/config.yaml
# The state volume is the only place the exporter writes; ./data (the default config's relative
# state directory) points there too.
RUN mkdir -p /var/lib/xrpl-payments-exporter \
 && chown node:node /var/lib/xrpl-payments-exporter \
 && ln -s /var/lib/xrpl-payments-exporter /app/data
VOLUME /var/lib/xrpl-payments-exporter
USER node
EXPOSE 29770
# Slim images have no curl: Node's own fetch probes the liveness endpoint. With --web.config.file
# (TLS or basic auth) use a HEALTHCHECK that matches it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:29770/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config.file=/etc/xrpl-payments-exporter/config.yaml"]
