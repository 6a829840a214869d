# responses-gateway: multi-stage build (compile + production dependencies), non-root runtime.
# docker build -t responses-gateway . && docker run -p 8080:8080 -v rgw-data:/data responses-gateway

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source: a toolchain in this stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY models ./models
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    RGW_HOST=0.0.0.0 \
    RGW_PORT=8080 \
    RGW_DB=/data/gateway.db \
    # bubblewrap needs user namespaces, which Docker's default seccomp profile refuses.
    RGW_CODE_SANDBOX=off
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.RGW_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: streams in flight finish (shutdownTimeoutMs, 30 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli/main.js", "serve"]
