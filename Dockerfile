# syntax=docker/dockerfile:1
# The agent's image: `akash-agent run` with its relay and HTTP routes on port 8080. The default SDL
# deploys it (config agent.image); build it under that tag:
#   docker build -t ghcr.io/akash-agent/agent-relay:0.1.0 .
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: compiles TypeScript and better-sqlite3 (native, from source when no prebuild fits).
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: no compilers, runs as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    AGENT_HTTP_HOST=0.0.0.0 \
    AGENT_HTTP_PORT=8080 \
    AGENT_DATA_DIR=/var/lib/akash-agent \
    AGENT_LOG_JSON=true
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN chmod 0755 /app/dist/main.js \
  && ln -s /app/dist/main.js /usr/local/bin/akash-agent \
  && mkdir -p /var/lib/akash-agent \
  && chown node:node /var/lib/akash-agent
USER node
VOLUME ["/var/lib/akash-agent"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["akash-agent"]
CMD ["run"]
