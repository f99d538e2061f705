#!/usr/bin/env bash
# The physical limit, same SQL, same machine, same run:
#   PostgreSQL: pgbench running crates/radar-bench/bench/pgbench/*.sql (the engine's statements per command,
#               in the engine's mix) vs `radar-bench engine`, on the same fresh database;
#   SQLite:     sqlite3 replaying the statements a capture run of the engine recorded
#               (values inlined, one sqlite3 process per worker) vs `radar-bench engine`,
#               each on its own copy of the same seeded file. Each replayed INSERT names the
#               id the capture run's row got (features, events, outbox), so replayed in
#               parallel, in another order, every statement finds exactly the rows it found
#               in the capture: the replay runs the engine's work, with no errors.
# At 1 and 8 concurrent clients, one right after the other. Prints each figure and its ratio,
# then a summary table of every ratio. Any reference statement that fails (a pgbench failed or
# aborted transaction, any sqlite3 error: sqlite3 runs with -bail) stops the script with
# exit status 1: a reference that skips work would flatter itself.
#
# Usage: crates/radar-bench/bench/compare.sh [COMMANDS]          (default 10000)
# Runs from the workspace root (wherever it is called from); the pgbench variables below
# hold what the engine binds for one command of each kind (`radar-bench sql` on a fresh
# database shows them), so the rows written are the same size as the engine's.
# Environment: CLIENTS ("1 8"), BACKENDS ("postgres sqlite"), RUNS (1),
#              PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres),
#              CARGO_TARGET_DIR (target; the release binaries are taken from there),
#              BATCH (1): the references group BATCH consecutive commands of a client into one
#              transaction, each in its own SAVEPOINT (set it to the engine's group-commit size,
#              which the engine run prints as jobs_per_group),
#              GROUP_COMMIT (1): the timed engine runs apply commands through the group commit,
#              as `radar serve` does (0: one transaction per command).
set -euo pipefail
cd "$(dirname "$0")/../../.."
SCRIPTS=crates/radar-bench/bench/pgbench

N=${1:-10000}
CLIENTS=${CLIENTS:-"1 8"}
BACKENDS=${BACKENDS:-"postgres sqlite"}
RUNS=${RUNS:-1}
BATCH=${BATCH:-1}
GROUP_COMMIT=${GROUP_COMMIT:-1}
ENGINE_FLAGS=()
if [ "$GROUP_COMMIT" = 1 ]; then ENGINE_FLAGS=(--group-commit); fi
TARGET=${CARGO_TARGET_DIR:-target}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BASE=${PG_ADMIN_URL%/*}
USERS=64 PROJECTS=64 FEATURES=20 RELEASES=3
SHAPE=(--users $USERS --projects $PROJECTS --features $FEATURES --releases $RELEASES)

BIN=$TARGET/release/radar-bench
if [ ! -x "$BIN" ] || [ ! -x "$TARGET/release/radar" ]; then
  cargo build --release --locked -p radar -p radar-bench
fi
SUMMARY=()
fail() { echo "compare: $*" >&2; exit 1; }
json_field() { sed -n 's/.*"'"$2"'":\([0-9.]*\).*/\1/p' <<<"$1" | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "compare: $N commands per run, clients: $CLIENTS, batch: $BATCH; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

pgbench_vars() {
  local now today day ids
  now=$(date -u +'%Y-%m-%d %H:%M:%S.%6N')
  today=$(date -u +'%Y-%m-%d 00:00:00')
  day=$(date -u +'%Y-%m-%d')
  ids="{$(seq -s, 1 100)}"
  local kb='{"inline_keyboard":[[{"callback_data":"st:4:b:8","text":"• backlog"},{"callback_data":"st:4:p:8","text":"🗓 planned"},{"callback_data":"st:4:w:8","text":"🔵 in progress"}],[{"callback_data":"st:4:x:8","text":"⛔ blocked"},{"callback_data":"st:4:d:8","text":"✅ done"},{"callback_data":"st:4:c:8","text":"✖️ cancelled"}]]}'
  PGBENCH_VARS=(
    -D users=$USERS -D features=$FEATURES -D releases=$RELEASES
    -D "now=$now" -D "today=$today" -D changes_limit=2000 -D "ids=$ids" -D "ids_one={1}"
    -D "fname=Bench item" -D backlog=backlog -D create=create -D feature=feature -D update=update
    -D undo=undo -D context=context -D html=HTML -D status=blocked -D "reason=bench reason"
    -D "keyboard=$kb"
    -D "cmd_add=/add Bench item 1" -D "cmd_plan=/plan 2 11" -D "cmd_status=/status 1 blocked: bench reason 1"
    -D "cmd_changes=/changes today" -D "cmd_undo=/undo"
    -D 'details_add={"change":"feature_created","feature":{"id":4,"project_id":1,"number":4,"name":"Bench item 1","description":null,"status":"backlog","status_reason":null,"assigned_teams":null,"assigned_po":null,"release_id":null,"created_at":"2026-11-02T12:00:00","updated_at":"2026-11-02T12:00:00"}}'
    -D 'details_plan={"change":"feature_updated","feature":{"number":2,"name":"Seed feature 2"},"diff":{"release":{"before":null,"after":{"id":2,"version":"11"}}}}'
    -D 'details_status={"change":"feature_updated","feature":{"number":1,"name":"Seed feature 1"},"diff":{"status":{"before":"backlog","after":"blocked"},"status_reason":{"before":null,"after":"bench reason 1"}}}'
    -D 'details_undo={"change":"feature_updated","feature":{"number":1,"name":"Seed feature 1"},"diff":{"status":{"before":"blocked","after":"backlog"},"status_reason":{"before":"bench reason 1","after":null}}}'
    -D 'reply_add=📁 Project: <b>Bench 1</b>

➕ Added #4 Bench item 1 (backlog).'
    -D 'reply_plan=📁 Project: <b>Bench 1</b>

🚀 #2 Seed feature 2 is planned into release <b>11</b>.'
    -D 'reply_status=📁 Project: <b>Bench 1</b>

⛔ #1 Seed feature 1: backlog → <b>blocked</b> (<i>bench reason 1</i>)'
    -D 'reply_undo=📁 Project: <b>Bench 1</b>

↩️ Undone:
• #1 Seed feature 1: status backlog → blocked, reason — → bench reason 1'
    -D "reply_changes=📁 Project: <b>Bench 1</b>

<b>What changed today</b> (40 changes)
$(for i in $(seq 1 40); do printf '\n<b>#%d Seed feature %d</b>\n• %s 12:00 · you · status backlog → blocked, reason — → bench reason %d\n' "$i" "$i" "$day" "$i"; done)"
  )
}

# With BATCH > 1: one pgbench script running BATCH commands in one transaction, each picked
# with the mix's weights and wrapped in a savepoint (the kind scripts, BEGIN/COMMIT replaced).
batch_script() {
  local out=$1 k kind
  {
    echo "BEGIN;"
    for k in $(seq 1 "$BATCH"); do
      echo '\set pick random(1, 100)'
      local first=1 upto=0
      for kind in add:25 status:30 plan:20 changes:15 undo:10; do
        upto=$((upto + ${kind#*:}))
        if [ $first = 1 ]; then echo "\\if :pick <= $upto"; first=0
        elif [ "${kind%%:*}" = undo ]; then echo '\else'
        else echo "\\elif :pick <= $upto"; fi
        grep -v '^--' "$SCRIPTS/${kind%%:*}.sql" | sed -e 's/^BEGIN;$/SAVEPOINT bench_update;/' \
          -e 's/^COMMIT;$/RELEASE SAVEPOINT bench_update;/'
      done
      echo '\endif'
    done
    echo "COMMIT;"
  } >"$out"
}

compare_postgres() {
  local c=$1 db url out tps eng failed processed want scripts
  db="radar_compare_$$_${c}"
  url="$PG_BASE/$db"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
  "$BIN" seed -q --database-url "$url" "${SHAPE[@]}" >/dev/null
  pgbench_vars
  if [ "$BATCH" = 1 ]; then
    scripts=(-f $SCRIPTS/add.sql@25 -f $SCRIPTS/status.sql@30 -f $SCRIPTS/plan.sql@20
      -f $SCRIPTS/changes.sql@15 -f $SCRIPTS/undo.sql@10)
  else
    batch_script "$WORK/batch.sql"
    scripts=(-f "$WORK/batch.sql")
  fi
  want=$((N / c / BATCH * c))
  out=$(pgbench -n -M prepared --failures-detailed -c "$c" -j "$c" -t $((N / c / BATCH)) \
    -D clients="$c" "${PGBENCH_VARS[@]}" \
    "${scripts[@]}" "$url" 2>&1) || { echo "$out" >&2; fail "pgbench failed (c=$c)"; }
  # Every transaction must have run to its end: no failed, no aborted client.
  processed=$(sed -n 's|^number of transactions actually processed: \([0-9]*\)/.*|\1|p' <<<"$out")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
  if [ "${processed:-0}" != "$want" ] || [ "${failed:-0}" != 0 ] || grep -q 'aborted' <<<"$out"; then
    echo "$out" >&2
    fail "pgbench at c=$c: ${processed:-?}/$want transactions processed, ${failed:-?} failed"
  fi
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n 1)
  tps=$(awk -v t="$tps" -v b="$BATCH" 'BEGIN { printf "%.1f", t * b }')
  eng=$("$BIN" engine -q -n "$N" -c "$c" --database-url "$url" "${SHAPE[@]}" "${ENGINE_FLAGS[@]}" | tail -n 1)
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  report postgres "$c" pgbench "$tps" "$(json_field "$eng" commands_per_s)" "$processed transactions, $failed failed; engine: $(json_field "$eng" jobs_per_group) commands per commit"
}

compare_sqlite() {
  local c=$1 dir start end tps eng f pids=() bad=0 commits
  dir="$WORK/sqlite-$c"
  mkdir -p "$dir"
  "$BIN" seed -q --database-url "$dir/seed.db" "${SHAPE[@]}" >/dev/null
  sqlite3 "$dir/seed.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  for copy in capture replay engine; do cp "$dir/seed.db" "$dir/$copy.db"; done
  # The capture run records what the engine runs (its speed does not count); on its copy,
  # feature ids are never reused (see the script), so no two replayed inserts name one id.
  sqlite3 -bail "$dir/capture.db" <crates/radar-bench/bench/capture_no_id_reuse.sql
  "$BIN" engine -q -n "$N" -c "$c" --database-url "$dir/capture.db" "${SHAPE[@]}" \
    --capture "$dir/sql" --capture-batch "$BATCH" >/dev/null
  commits=$(cat "$dir"/sql/worker-*.sql | grep -c '^COMMIT;$' || true)
  start=$(date +%s.%N)
  for f in "$dir"/sql/worker-*.sql; do
    sqlite3 -bail "$dir/replay.db" <"$f" >/dev/null 2>"$f.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
  end=$(date +%s.%N)
  if [ "$bad" -gt 0 ] || [ -n "$(cat "$dir"/sql/*.err)" ]; then
    cat "$dir"/sql/*.err >&2
    fail "sqlite3 replay at c=$c: $bad of ${#pids[@]} workers stopped on an error (above); files in $dir"
  fi
  tps=$(awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", n / (e - s) }')
  eng=$("$BIN" engine -q -n "$N" -c "$c" --database-url "$dir/engine.db" "${SHAPE[@]}" "${ENGINE_FLAGS[@]}" | tail -n 1)
  rm -rf "$dir"
  report sqlite "$c" "sqlite3" "$tps" "$(json_field "$eng" commands_per_s)" "$commits transactions, 0 errors; engine: $(json_field "$eng" jobs_per_group) commands per commit"
}

report() {
  local backend=$1 c=$2 tool=$3 base=$4 eng=$5 note=${6:-}
  printf '%-8s c=%-2s %-8s %8.0f commands/s   radar-bench engine %8.0f commands/s   ratio %s%s\n' \
    "$backend" "$c" "$tool" "$base" "$eng" "$(ratio "$eng" "$base")" "${note:+   ($tool: $note)}"
  SUMMARY+=("$(printf '| %-8s | %2s | %-7s | %8.0f | %8.0f | %5s |' "$backend" "$c" "$tool" "$base" "$eng" "$(ratio "$eng" "$base")")")
  echo "{\"bench\":\"compare\",\"backend\":\"$backend\",\"clients\":$c,\"batch\":$BATCH,\"baseline\":\"$tool\",\"baseline_per_s\":$base,\"engine_per_s\":$eng,\"ratio\":$(ratio "$eng" "$base")}" >>"${COMPARE_JSON:-/dev/null}"
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for run in $(seq 1 "$RUNS"); do
  for backend in $BACKENDS; do
    for c in $CLIENTS; do
      "compare_$backend" "$c"
    done
  done
done

echo
echo "summary ($N commands per figure, batch $BATCH; ratio = engine / reference):"
echo "| backend  | c  | ref     | ref /s   | engine/s | ratio |"
echo "|----------|----|---------|----------|----------|-------|"
printf '%s\n' "${SUMMARY[@]}"
