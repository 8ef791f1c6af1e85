#!/usr/bin/env bash
# Reconciliation benchmark: flowgate against reladiff (PyPI) on the same pair of tables,
# plus the floor — each database scanning and checksumming its table once.
#
#   bench/reconcile/run.sh [ORDERS] [EVERY] [full]
#
# ORDERS (default 10,000,000) orders per side; one order in EVERY (default 60,000) per class
# carries a planted difference (six reported classes: 0.01 % of the rows); `full` gives
# `sales_order` all 136 columns of Magento 2.4.8 (needs ../shared/corpus). Needs the mysql
# and psql clients, python3, and the services at FLOWGATE_TEST_MYSQL_URL /
# FLOWGATE_TEST_POSTGRES_URL (defaults: local). Results: target/bench-reconcile/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ORDERS=${1:-10000000}
EVERY=${2:-60000}
FULL=${3:-}
REPS=${REPS:-3}
MYSQL_SERVER=${FLOWGATE_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
MYSQL_SERVER=${MYSQL_SERVER%/*}
PG_URL=${FLOWGATE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
OUT=target/bench-reconcile
mkdir -p "$OUT"
export BENCH_SHOP_URL="$MYSQL_SERVER/fg_bench_shop"
export BENCH_ERP_URL="$PG_URL"
MY=(mysql -uroot -h127.0.0.1 -N fg_bench_shop)
PG=(psql "$PG_URL" -Atq)

BIN=${FLOWGATE_BIN:-target/release/flowgate}
if [ ! -x "$BIN" ]; then cargo build --release -p flowgate-cli; fi

if [ "${SKIP_GENERATE:-}" != 1 ]; then
  mysql -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS fg_bench_shop"
  schema_arg=()
  if [ "$FULL" = full ]; then
    schema_arg=(--magento-schema ../shared/corpus/magento/db_schema/magento-2.4.8/vendor/magento/module-sales/etc/db_schema.xml)
  fi
  "$BIN" reconcile generate --shop-url "$BENCH_SHOP_URL" --erp-url "$BENCH_ERP_URL" \
    --erp-schema fg_bench_erp --orders "$ORDERS" --every "$EVERY" --no-items "${schema_arg[@]}" \
    | tee "$OUT/generate.txt"
fi

# reladiff sees the same tables through views that only rename columns to one vocabulary
# (it has no transforms): the numeric key and the columns that compare as they are.
"${MY[@]}" -e "CREATE OR REPLACE VIEW rd_orders AS SELECT entity_id AS id, increment_id, store_id AS store, order_currency_code AS currency FROM sales_order"
"${PG[@]}" -c "CREATE OR REPLACE VIEW fg_bench_erp.rd_orders AS SELECT magento_entity_id AS id, document_no AS increment_id, store, currency::varchar(3) AS currency FROM fg_bench_erp.orders"

VENV=target/reladiff-venv
if [ ! -x "$VENV/bin/reladiff" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "reladiff[mysql,postgresql]"
fi

now() { python3 -c 'import time; print(time.monotonic())'; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }

: > "$OUT/times.csv"
for rep in $(seq "$REPS"); do
  t0=$(now)
  "$BIN" -C bench/reconcile/workspace --format json reconcile run bench-orders --no-record --parallel "${PARALLEL:-2}" > "$OUT/flowgate-$rep.json"
  t1=$(now)
  echo "flowgate,$rep,$(elapsed "$t0" "$t1")" >> "$OUT/times.csv"

  # reladiff with its default of one thread per database, and with two (as flowgate's
  # default --parallel 2).
  for threads in 1 2; do
    t0=$(now)
    "$VENV/bin/reladiff" "mysql://root@127.0.0.1:3306/fg_bench_shop" rd_orders \
      "postgresql://${PG_URL#postgres://}" fg_bench_erp.rd_orders \
      -k id -c increment_id -c store -c currency -s -j "$threads" > "$OUT/reladiff-j$threads-$rep.txt" 2>&1 || true
    t1=$(now)
    echo "reladiff-j$threads,$rep,$(elapsed "$t0" "$t1")" >> "$OUT/times.csv"
  done

  # The floor: one scan computing the same kind of checksum over the compared columns.
  t0=$(now)
  "${MY[@]}" -e "SELECT COUNT(*), SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', increment_id, store_id, status, base_grand_total, grand_total, order_currency_code, customer_email, created_at, updated_at)), 18), 16, 10) AS UNSIGNED)) FROM sales_order" > /dev/null
  t1=$(now)
  echo "floor-mysql,$rep,$(elapsed "$t0" "$t1")" >> "$OUT/times.csv"
  t0=$(now)
  "${PG[@]}" -c "SELECT COUNT(*), SUM(('x' || substr(md5(concat_ws('|', document_no, store, status, amount_cents, order_amount, currency, email, created_at, modified_at)), 18))::bit(60)::bigint) FROM fg_bench_erp.orders" > /dev/null
  t1=$(now)
  echo "floor-postgres,$rep,$(elapsed "$t0" "$t1")" >> "$OUT/times.csv"
done

# Incremental: one recorded full run leaves a checkpoint; then 0.01 % of the orders change on
# each side (their watermarks move) and `--incremental` re-checks only their segments.
rm -rf bench/reconcile/workspace/.flowgate
"$BIN" -C bench/reconcile/workspace --format json reconcile run bench-orders --parallel "${PARALLEL:-2}" > "$OUT/flowgate-checkpoint.json"
"${MY[@]}" -e "UPDATE sales_order SET base_grand_total = base_grand_total + 1, updated_at = UTC_TIMESTAMP() WHERE entity_id % 10000 = 77"
"${PG[@]}" -c "UPDATE fg_bench_erp.orders SET modified_at = (now() AT TIME ZONE 'Europe/Berlin') WHERE magento_entity_id % 10000 = 4242"
for rep in $(seq "$REPS"); do
  t0=$(now)
  "$BIN" -C bench/reconcile/workspace --format json reconcile run bench-orders --incremental --no-record --parallel "${PARALLEL:-2}" > "$OUT/flowgate-incremental-$rep.json"
  t1=$(now)
  echo "flowgate-incremental,$rep,$(elapsed "$t0" "$t1")" >> "$OUT/times.csv"
done

python3 - "$OUT" <<'PY'
import csv, json, statistics, sys, glob
out = sys.argv[1]
times = {}
for tool, rep, secs in csv.reader(open(f"{out}/times.csv")):
    times.setdefault(tool, []).append(float(secs))
med = {k: statistics.median(v) for k, v in times.items()}
report = json.load(open(sorted(glob.glob(f"{out}/flowgate-[0-9]*.json"))[-1]))["report"]
floor = max(med["floor-mysql"], med["floor-postgres"])
summary = {
    "medians_s": med,
    "rows_left": report["rows_left"], "rows_right": report["rows_right"],
    "rows_fetched": report["work"]["rows_fetched"], "levels": report["work"]["levels"],
    "differences": {k: len(report[k]) for k in ("missing_left", "missing_right", "mismatches", "duplicates")},
    "in_flight": report["in_flight"],
    "incremental": json.load(open(sorted(glob.glob(f"{out}/flowgate-incremental-*.json"))[-1]))["report"]["work"],
    "reladiff_over_flowgate": med["reladiff-j1"] / med["flowgate"],
    "reladiff_j2_over_flowgate": med["reladiff-j2"] / med["flowgate"],
    "reladiff_over_flowgate_incremental": med["reladiff-j1"] / med["flowgate-incremental"],
    "flowgate_over_floor_max": med["flowgate"] / floor,
    "flowgate_over_floor_sum": med["flowgate"] / (med["floor-mysql"] + med["floor-postgres"]),
}
print(json.dumps(summary, indent=2))
json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
PY
