#!/usr/bin/env bash
# Peak memory of `turbine batch run` on a multi-GB input (docs/benchmarks.md "Batch inference: a multi-GB input"):
# a generated CSV of GB gigabytes (default 2.2) shaped like a wide table: an id, the four iris features and a 2 000-character
# text column the model does not use; scored in-process by the sample `iris` model (--map input=the four columns) into
# Parquet with only the id kept. Reports /usr/bin/time -v's maximum resident set size and the job summary. The input and
# output live in a temporary folder that is deleted at the end.
# Environment: GB (2.2), PART_ROWS (10000), SKIP_BUILD (0).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GB="${GB:-2.2}"
PART_ROWS="${PART_ROWS:-10000}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"
[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build "$ROOT/src/Turbine.Cli" -c Release -nologo -v q >/dev/null
WORK="$(mktemp -d /tmp/turbine-batch-large.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
dotnet "$TURBINE" samples create "$WORK/repo" >/dev/null
/usr/bin/python3 - "$WORK/big.csv" "$GB" <<'PY'
import random, sys
path, gb = sys.argv[1], float(sys.argv[2])
r = random.Random(1)
words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
notes = [" ".join(r.choice(words) for _ in range(330))[:2000] for _ in range(64)]
features = [",".join(f"{r.uniform(0.1, 8):.2f}" for _ in range(4)) for _ in range(997)]
limit, written, i = int(gb * 1e9), 0, 0
with open(path, "w", buffering=1 << 22) as f:
    f.write("id,sepal_length,sepal_width,petal_length,petal_width,notes\n")
    while written < limit:
        line = f"{i},{features[i % 997]},\"{notes[i % 64]}\"\n"
        f.write(line)
        written += len(line)
        i += 1
print(f"input: {written} bytes, {i} rows")
PY
ls -l "$WORK/big.csv" | awk '{print "input file bytes", $5}'
/usr/bin/time -v dotnet "$TURBINE" batch run --model iris --model-repository "$WORK/repo" --input "$WORK/big.csv" --output "$WORK/big.out.parquet" \
  --map input=sepal_length,sepal_width,petal_length,petal_width --id-column id --part-rows "$PART_ROWS" --progress none --output-format json 2>"$WORK/time.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$WORK/time.txt"
ls -l "$WORK/big.out.parquet" | awk '{print "output file bytes", $5}'
