#!/usr/bin/env bash
# Does what the Dockerfile does, without a Docker engine: a clean copy of the repo, `npm ci`,
# build, prune to production dependencies, copy package.json + node_modules + dist to a fresh
# directory, then run `node dist/src/server.js` there with NODE_ENV=production against a
# standalone emulator (also from the compiled output) and check /healthz and /readyz.
# Also checks that production refuses to start without Stytch credentials. It runs on the `node`
# first in PATH: .ci/run puts the image's Node there for the test pass that includes it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup () { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/build" "$work/app"
# A clean copy: tracked and untracked-but-not-ignored files, as `COPY` of a checkout would see them.
# node_modules never comes along, even as an untracked symlink (a worktree sharing another's
# node_modules): the npm ci below would empty the folder it points at.
(cd "$repo" && git ls-files -co --exclude-standard -z | grep -zv '^node_modules' | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work/build"
cd "$work/build"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
npm run -s build >/dev/null
npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
cp -r package.json node_modules dist "$work/app/"
cd "$work/app"
[ ! -d node_modules/tap ] || { echo "FAIL: dev dependency tap in the production image"; exit 1; }

free_port () { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
emu_port=$(free_port); app_port=$(free_port)

if NODE_ENV=production PORT="$app_port" node dist/src/server.js >"$work/refuse.log" 2>&1; then
  echo "FAIL: production started without Stytch credentials"; exit 1
fi
grep -q "required when NODE_ENV=production" "$work/refuse.log" || { echo "FAIL: no clear refusal message"; cat "$work/refuse.log"; exit 1; }

EMULATOR_PORT=$emu_port EMULATOR_PROJECT_ID=project-test-smoke EMULATOR_SECRET=secret-test-smoke node dist/src/emulator/main.js >"$work/emulator.log" 2>&1 &
pids+=($!)
# DATA_DIR outside the app directory, as in the image (/data).
mkdir -p "$work/data"
NODE_ENV=production HOST=127.0.0.1 PORT="$app_port" DATA_DIR="$work/data" STYTCH_PROJECT_ID=project-test-smoke STYTCH_SECRET=secret-test-smoke \
  STYTCH_API_URL="http://127.0.0.1:$emu_port/" node dist/src/server.js >"$work/app.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$app_port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
health=$(curl -fsS "http://127.0.0.1:$app_port/healthz") || { echo "FAIL: /healthz"; cat "$work/app.log"; exit 1; }
ready=$(curl -fsS "http://127.0.0.1:$app_port/readyz") || { echo "FAIL: /readyz"; cat "$work/app.log" "$work/emulator.log"; exit 1; }
echo "production smoke: ok (Node $(node -v), healthz $health, readyz $ready, $(du -sm node_modules | cut -f1) MB of production node_modules)"
