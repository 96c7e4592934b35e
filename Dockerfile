# shardscope agent image: `docker build -t shardscope .`
# Build stage: install dependencies and compile TypeScript.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# Runtime stage: the compiled agent, production dependencies and the bundled configs, as a non-root user.
FROM node:20.19.5-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY config ./config
RUN useradd --system --uid 10001 --home-dir /var/lib/shardscope --create-home shardscope
USER shardscope
WORKDIR /var/lib/shardscope
EXPOSE 12345 12346 4040
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:12345/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/src/main.js"]
# The UI listens on every interface of the container, so that `docker run -p 12345:12345` reaches it.
CMD ["run", "/app/config/default.alloy", "--server.http.listen-addr=0.0.0.0:12345"]
