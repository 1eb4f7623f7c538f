# syntax=docker/dockerfile:1
# Node 24 LTS, pinned to the exact release .ci/run tests on (.ci/node-lts holds the same version
# and the integrity of its npm registry build): the image's runtime is the tested one.
# Build stage: install everything, compile, then prune to production dependencies.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY plugins ./plugins
COPY routes ./routes
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && mkdir /out && cp -r package.json node_modules dist /out/

# Runtime stage: compiled output and production dependencies only, as a non-root user.
FROM node:24.22.3-bookworm-slim
# DATA_DIR holds the embedded PGlite database (when DATABASE_URL is unset) and any other state the
# process keeps on disk: created here, owned by the non-root user, a volume so it outlives the container.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /out /app
RUN install -d -o node -g node -m 0750 /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm) so SIGTERM reaches close-with-grace.
CMD ["node", "--enable-source-maps", "dist/src/server.js"]
