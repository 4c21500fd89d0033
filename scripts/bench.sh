#!/usr/bin/env bash
# EAC Desk benchmark (run by `make bench`; not a test).
#
# Builds the release CLI, generates a deterministic sample listing
# (EACS EACs, about ten values each: 100k EACs ≈ 1M values) and times, each
# as its own process with peak memory from GNU time:
#   1. generating the P1 listing (and a CSV of the same values),
#   2. importing the listing into a fresh database,
#   3. browse queries (first page of every sort field, a text search, a
#      filtered count with exact totals) in-process, and a few `ls` runs,
#   4. exporting everything as P1, then validating the export,
#   5. for comparison, the sqlite3 shell's `.import` of the values CSV into
#      a bare table (no checks, no indexes: a floor, not a competitor).
#
# Environment: EACS (default 100000), SEED (1), BENCH_DIR (a temp folder,
# kept afterwards; the results are also written to $BENCH_DIR/results.md).
set -euo pipefail

cd "$(dirname "$0")/.."
EACS=${EACS:-100000}
SEED=${SEED:-1}
WORK=${BENCH_DIR:-$(mktemp -d -t eacdesk-bench.XXXXXX)}
mkdir -p "$WORK"
BIN=target/release/eacdesk

need_tools() {
  local missing=()
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  [ -x /usr/bin/time ] || missing+=(time)
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "==> installing ${missing[*]}"
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
}

# timed LABEL CMD...: runs CMD with GNU time; stdout/stderr go to files.
# Sets SECS (wall clock, seconds) and RSS_MB (peak resident set, MiB).
timed() {
  local label=$1
  shift
  /usr/bin/time -v -o "$WORK/$label.time" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" || {
    echo "!! $label failed:" >&2
    cat "$WORK/$label.err" >&2
    exit 1
  }
  SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0
      for (i = 1; i <= n; i++) s = s * 60 + p[i]
      printf "%.2f", s }' "$WORK/$label.time")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$WORK/$label.time")
}

per_sec() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1048576 }'; }

RESULTS="$WORK/results.md"
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" | tee -a "$RESULTS"; }

need_tools
echo "==> building the release CLI and the query timer"
cargo build --release -q -p eac-cli
cargo build --release -q -p eac-store --example bench_queries

{
  echo "## Machine"
  echo
  echo "- CPU: $(lscpu | awk -F': +' '/Model name/ {print $2; exit}'), $(nproc) CPUs"
  echo "- Memory: $(free -h | awk '/^Mem:/ {print $2}') total"
  echo "- $(rustc --version), SQLite shell $(sqlite3 --version | cut -d' ' -f1)"
  echo "- Sample: $EACS EACs, seed $SEED"
  echo
  echo "## Results"
  echo
  echo "| step | wall time (s) | peak RSS (MiB) | throughput | notes |"
  echo "|---|---:|---:|---:|---|"
} | tee "$RESULTS"

rm -f "$WORK"/bench.sqlite* "$WORK"/plain.sqlite* "$WORK"/export.json
timed generate "$BIN" sample --eacs "$EACS" --seed "$SEED" --json \
  --out "$WORK/sample.json" --values-csv "$WORK/values.csv"
VALUES=$(awk -F': ' '/"value_count"/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$WORK/generate.out")
row "generate P1 listing + values CSV" "$SECS" "$RSS_MB" "$(per_sec "$VALUES" "$SECS") values/s" \
  "$EACS EACs, $VALUES values, $(size_mb "$WORK/sample.json") MiB JSON"

timed import "$BIN" --db "$WORK/bench.sqlite" import "$WORK/sample.json"
row "import into a fresh database" "$SECS" "$RSS_MB" "$(per_sec "$VALUES" "$SECS") values/s" \
  "$(per_sec "$EACS" "$SECS") EACs/s; database $(size_mb "$WORK/bench.sqlite") MiB"

# Not part of the shipped CLI: an example of eac-store (crates/eac-store/examples).
timed queries target/release/examples/bench_queries "$WORK/bench.sqlite" --repeat 5
row "browse queries (in-process, see below)" "$SECS" "$RSS_MB" "" \
  "$(($(wc -l <"$WORK/queries.out") - 1)) queries × 5 runs"

# What a person waits for at the prompt: process start, open, page, totals.
ls_timed() {
  local label=$1
  shift
  timed "$label" "$BIN" --db "$WORK/bench.sqlite" ls "$@"
  row "\`eacdesk ls $*\`" "$SECS" "$RSS_MB" "" "first page of 50 + count and exact totals"
}
ls_timed ls-sort --sort quantity:desc
ls_timed ls-search --search CUST-0123
ls_timed ls-filter --technology wind --retired partly --from 2024-01-01 --to 2024-12-31

timed export "$BIN" --db "$WORK/bench.sqlite" export --profile p1 --out "$WORK/export.json"
row "export everything as P1" "$SECS" "$RSS_MB" "$(per_sec "$VALUES" "$SECS") values/s" \
  "$(size_mb "$WORK/export.json") MiB, checked while written"
# The sample is generated in listing order with canonical layout, so the
# export of what was imported must be the same bytes (exactness check).
if cmp -s "$WORK/sample.json" "$WORK/export.json"; then
  echo "export is byte-identical to the imported file ($(sha256sum "$WORK/export.json" | cut -c1-16)…)"
else
  echo "WARNING: the export differs from the imported file" >&2
fi

timed validate "$BIN" validate --profile p1 "$WORK/export.json"
row "validate the export" "$SECS" "$RSS_MB" "$(per_sec "$VALUES" "$SECS") values/s" "streaming, every rule"

CSV_ROWS=$(($(wc -l <"$WORK/values.csv") - 1))
cat >"$WORK/plain.sql" <<SQL
CREATE TABLE eac_values (cds_eac_id TEXT, value_index INTEGER, eac_number TEXT,
  issued TEXT, retired TEXT, start TEXT, "end" TEXT, unit TEXT, value TEXT);
.mode csv
.import --skip 1 '$WORK/values.csv' eac_values
SQL
timed sqlite3-import sqlite3 "$WORK/plain.sqlite" ".read '$WORK/plain.sql'"
row "sqlite3 \`.import\` of the values CSV" "$SECS" "$RSS_MB" "$(per_sec "$CSV_ROWS" "$SECS") rows/s" \
  "$CSV_ROWS rows, one bare table, no checks or indexes"

{
  echo
  echo "## Browse queries (median of 5, in-process)"
  echo
  echo '```'
  cat "$WORK/queries.out"
  echo '```'
} | tee -a "$RESULTS"

echo
echo "Results: $RESULTS (work folder $WORK)"
