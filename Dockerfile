# syntax=docker/dockerfile:1
# Build stage: install everything, compile, then prune to production dependencies.
FROM node:20.20-bookworm-slim AS build
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
FROM node:20.20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /out /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm) so SIGTERM reaches close-with-grace.
CMD ["node", "--enable-source-maps", "dist/src/server.js"]
