# animate-bot in a container. Not built here (this machine has no network access for Docker): see the README's
# "Running in production" before relying on it.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
# Without the test tools. No dependency needs an install script except "node" itself (it fetches Node 24 for
# machines whose own node is older), and this image already is Node 24.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY src ./src
COPY commands ./commands

# The SQLite store (STORE_URL defaults to sqlite://data/animate.sqlite); keep it on a volume.
RUN mkdir -p data && chown node:node data
VOLUME ["/app/data"]
USER node

# What `docker stop` sends. The bot finishes its writes and exits within 8 s, under Docker's 10 s before SIGKILL.
STOPSIGNAL SIGTERM
# Node itself, not npm, so the signal reaches the bot directly. src/start.js adds the runtime settings it needs
# itself (src/runtime-settings.ts): set nothing of them here.
CMD ["node", "src/start.js"]
