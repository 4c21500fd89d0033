#!/usr/bin/env bash
# Issue 16 item 3: peak memory of the streamed paths at two sizes (a
# benchmark, never a timed test). For each size it builds one database
# holding AUDIT audit records, REFS reference ids and ENVELOPES
# envelope-only EACs (besides a small sample of full EACs), then runs,
# each as its own process under GNU time:
#   audit --json, audit (the table), refdata ls --json, refdata ls,
#   export --profile p2 (a bundle listing every envelope-only EAC),
#   import of that bundle;
# and, on a sample database of SIZE/10 EACs (4× in the large run), an
# evidence pack (`pack --out`) and its check (`pack verify`), signed with
# a key made in BENCH_DIR.
# Streamed paths keep the same peak at 4× the size; what still grows is
# named in docs/benchmarks.md ("Streaming: audit, reference data, P2").
#
# Environment: SIZE (audit records of the small run, default 50000; the
# large run is 4×), BIN (default target/release/eacdesk, built if missing),
# BENCH_DIR (a temp folder, kept afterwards).
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE=${SIZE:-50000}
BIN=${BIN:-target/release/eacdesk}
WORK=${BENCH_DIR:-$(mktemp -d -t eacdesk-bench-stream.XXXXXX)}
mkdir -p "$WORK"

for tool in sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 1; }
if [ ! -x "$BIN" ]; then
  echo "==> building $BIN"
  cargo build --release -p eac-cli
fi

# One database of `n` audit records, `n` reference ids, `n/4` envelopes.
make_db() {
  local n=$1 db=$2
  rm -f "$db"
  "$BIN" --db "$db" sample --eacs 500 >/dev/null
  "$BIN" --db "$db" beneficiaries set --all-matching --yes --type general \
    --reason "bench: bulk edit" >/dev/null
  local have copies
  have=$(sqlite3 "$db" "SELECT COUNT(*) FROM audit_log")
  copies=$(( (n + have - 1) / have ))
  # Copies of real records (hash columns included): a long-used log.
  sqlite3 "$db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $copies)
    INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason,
      before_state, after_state, source_file, import_batch_id, prev_hash, hash, display_name)
    SELECT at, os_user, cds_eac_id, action, \"before\", \"after\", reason, before_state,
      after_state, source_file, import_batch_id, prev_hash, hash, display_name
      FROM audit_log, k"
  python3 - "$n" "$WORK/accounts.json" "$WORK/envelopes.json" <<'PY'
import json, sys
n = int(sys.argv[1])
accounts = [{
    "cds_account_id": f"ACC-{i:08d}", "cds_created": "2024-01-01T00:00:00Z",
    "cds_modified": "2024-01-01T00:00:00Z", "cds_account_parent": None,
    "customer_number": f"CUST{i}", "account_number": f"N-{i}",
    "account_name": f"Customer {i} Ltd", "account_address": f"{i} Main St",
    "account_type": "business", "account_contacts": []} for i in range(n)]
json.dump({"accounts": accounts, "next": None, "previous": None}, open(sys.argv[2], "w"))
envs = []
for i in range(n // 4):
    start = f"2023-{1 + i % 12:02d}-01T00:00:00Z"
    envs.append({
        "cds_eac_id": f"ENV-{i:08d}", "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z", "cds_synced": "2024-01-01T00:00:00Z",
        "eac_numbers": [f"EN-{i}"], "eac_format": ["certiq", "attestation"][i % 2],
        "eac_data_url": f"https://example.com/eacs/{i}.pdf",
        "beneficiary_type": "customer", "beneficiaries": [f"CUST{i}"],
        "period_start": start, "period_end": "2024-01-01T00:00:00Z"})
envs.sort(key=lambda e: e["cds_eac_id"])
envs.sort(key=lambda e: e["period_start"], reverse=True)
json.dump({"eacs": envs, "next": None, "previous": None}, open(sys.argv[3], "w"))
PY
  "$BIN" --db "$db" refdata import "$WORK/accounts.json" >/dev/null
  "$BIN" --db "$db" import "$WORK/envelopes.json" >/dev/null
}

# measure LABEL CMD...: prints "LABEL  peak MiB  seconds  output bytes".
measure() {
  local label=$1
  shift
  /usr/bin/time -f "%M %e" -o "$WORK/time.txt" "$@" >"$WORK/out" 2>"$WORK/err" || {
    echo "$label failed:" >&2
    cat "$WORK/err" >&2
    exit 1
  }
  local kb secs bytes
  read -r kb secs <"$WORK/time.txt"
  bytes=$(du -sb "$WORK/out" | cut -f1)
  printf '| %-18s | %6d | %8s | %7s | %12s |\n' "$label" "$N" "$(( kb / 1024 ))" "$secs" "$bytes"
}

echo "| step               |      n | peak MiB | seconds | stdout bytes |"
echo "|---|---|---|---|---|"
for N in "$SIZE" $(( SIZE * 4 )); do
  DB="$WORK/stream-$N.sqlite"
  make_db "$N" "$DB"
  measure "audit --json" "$BIN" --db "$DB" audit --json
  measure "audit" "$BIN" --db "$DB" audit
  measure "refdata ls --json" "$BIN" --db "$DB" refdata ls --json
  measure "refdata ls" "$BIN" --db "$DB" refdata ls
  rm -rf "$WORK/bundle"
  measure "export p2" "$BIN" --db "$DB" export --profile p2 --out "$WORK/bundle"
  # The bundle back into a fresh database: 500 full EACs, n/4 envelope-only.
  rm -f "$WORK/p2-import.sqlite"*
  measure "import p2" "$BIN" --db "$WORK/p2-import.sqlite" import "$WORK/bundle"
done
export EACDESK_KEY_DIR="$WORK/keys"
for N in $(( SIZE / 10 )) $(( SIZE * 4 / 10 )); do
  DB="$WORK/pack-$N.sqlite"
  rm -f "$DB"*
  "$BIN" --db "$DB" sample --eacs "$N" >/dev/null
  rm -rf "$WORK/pack"
  measure "pack" "$BIN" --db "$DB" pack --out "$WORK/pack"
  measure "pack verify" "$BIN" pack verify "$WORK/pack"
done
echo "(n: audit records and reference ids; envelope-only EACs n/4; EACs for pack; $(nproc) cores, $(uname -m); work in $WORK)"
