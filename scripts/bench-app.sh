#!/usr/bin/env bash
# The desktop app on a large portfolio (issue 16; run by `make bench`, not a
# test): a database of APP_EACS EACs (default 100 000, about a million
# values) made by the release CLI, then the real app in real WebKit under
# Xvfb, driven through tauri-driver by tests/e2e/app_bench.rs: time from
# the app's start to the first rows and the count, then sort, search, clear
# and scroll, each with the longest time the page's main thread was busy.
#
# Environment: APP_EACS, SEED (1), BENCH_DIR (a temp folder, kept), APP=debug
# to measure the debug build (default: release, built here with the UI),
# SKIP_BUILD=1 to use the builds as they are, EACDESK_APP to measure another
# app binary (a copy kept from before a change, say) on the same database. The results are printed and
# written to $BENCH_DIR/app-bench.md.
set -euo pipefail

cd "$(dirname "$0")/.."
APP_EACS=${APP_EACS:-100000}
SEED=${SEED:-1}
PROFILE=${APP:-release}
WORK=${BENCH_DIR:-$(mktemp -d -t eacdesk-bench-app.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
TARGET=${CARGO_TARGET_DIR:-target}
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "==> building the UI and the $PROFILE app and CLI"
  (cd ui && npm run build >/dev/null)
  if [ "$PROFILE" = release ]; then
    cargo build --release -q -p eac-desk -p eac-cli
  else
    cargo build -q -p eac-desk -p eac-cli
  fi
  cargo test -q -p eac-e2e --test app_bench --no-run
fi

DB="$WORK/app-$APP_EACS.sqlite"
if [ ! -f "$DB" ]; then
  echo "==> making a database of $APP_EACS EACs"
  "$TARGET/$PROFILE/eacdesk" --db "$DB" sample --eacs "$APP_EACS" --seed "$SEED" >/dev/null
fi

echo "==> the app on $DB ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
EACDESK_APP="${EACDESK_APP:-$TARGET/$PROFILE/eac-desk}" EACDESK_BENCH_DB="$DB" \
  xvfb-run -a -s "-screen 0 1280x1024x24" \
  cargo test -q -p eac-e2e --test app_bench -- --ignored --nocapture --test-threads=1 |
  tee "$WORK/app-bench.out"
cp "$TARGET/e2e/app-bench.md" "$WORK/app-bench.md"
echo "Results: $WORK/app-bench.md"
