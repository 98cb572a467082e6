# Builds the server and runs it against DATABASE_URL (no embedded PostgreSQL in the image).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PACS_DATA_DIR=/data PACS_HTTP_PORT=8080 PACS_DIMSE_PORT=11112
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 11112
USER node
CMD ["node", "dist/apps/pacs-server/src/main.js"]
