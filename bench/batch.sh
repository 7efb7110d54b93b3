#!/usr/bin/env bash
# Batch inference benchmarks (docs/benchmarks.md "Batch inference", PERFORMANCE.md B1):
#   1. extracts MiniLM and the bench MLP into bench/.models/repo (as bench/real-models.sh);
#   2. MiniLM (sequence 16, batch 16): `turbine batch run` in-process on a generated JSON Lines file of token ids vs raw
#      ONNX Runtime (bench/Turbine.Bench.RawOrt) at batch 16, same run; then the same file through `turbine serve` with
#      `turbine batch run --url` (remote, HTTP binary tensors, concurrency 8);
#   3. peak resident memory (/usr/bin/time) of `turbine batch run` on the MLP (FP32 [256]) over CSV inputs of two sizes,
#      to show memory is bounded by the part size, not the input.
# Environment: ROWS (MiniLM rows, 4000), MLP_ROWS (small,large: 40000,320000), RAW_SECONDS (5), OUT (results folder).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${ROWS:-4000}"
MLP_ROWS="${MLP_ROWS:-40000,320000}"
RAW_SECONDS="${RAW_SECONDS:-5}"
OUT="${OUT:-$(mktemp -d /tmp/turbine-batch-bench.XXXXXX)}"
mkdir -p "$OUT"
source "$ROOT/bench/lib.sh"
restore_bench_models
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  for p in src/Turbine.Cli bench/Turbine.Bench.RawOrt bench/Turbine.Bench.Setup; do dotnet build "$ROOT/$p" -c Release -nologo -v q >/dev/null; done
fi
[ -d "$MODELS/repo/minilm" ] || dotnet "$SETUP" "${NUGET_PACKAGES:-$HOME/.nuget/packages}" "$MODELS/repo" "$MODELS/data" >/dev/null

/usr/bin/python3 - "$OUT" "$ROWS" "$MLP_ROWS" <<'PY'
import json, random, sys
out, rows, mlp = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3].split(",")]
r = random.Random(1)
with open(f"{out}/minilm.jsonl", "w") as f:
    for i in range(rows):
        f.write(json.dumps({"id": i, "input_ids": [101] + [r.randrange(1000, 30000) for _ in range(14)] + [102],
                            "attention_mask": [1] * 16, "token_type_ids": [0] * 16}) + "\n")
for n in mlp:
    with open(f"{out}/mlp-{n}.csv", "w") as f:
        f.write("id,INPUT0\n")
        for i in range(n):
            f.write(f'{i},"[{",".join(f"{r.random():.6f}" for _ in range(256))}]"\n')
PY

echo "== MiniLM in-process, batch 16 (turbine batch run) and raw ORT batch 16, alternating"
for rep in 1 2 3; do
  dotnet "$TURBINE" batch run --model minilm --model-repository "$MODELS/repo" --input "$OUT/minilm.jsonl" --output "$OUT/minilm-out-$rep.parquet" \
    --id-column id --output-column 924=embedding --batch-size 16 --part-rows 1000 --progress none --output-format json --overwrite | tee "$OUT/inproc-$rep.json"
  dotnet "$RAWORT" model "$MODELS/repo/minilm/1/model.onnx" 16 "$RAW_SECONDS" | tee "$OUT/raw-$rep.txt"
done

echo "== MiniLM remote (turbine serve + turbine batch run --url, HTTP binary, concurrency 8)"
PORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$MODELS/repo" --host 127.0.0.1 --http-port "$PORT" --grpc-port 0 >"$OUT/serve.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
wait_ready "$OUT/serve.log" "turbine ready" "turbine serve"
for rep in 1 2; do
  dotnet "$TURBINE" batch run --model minilm --url "http://127.0.0.1:$PORT" --input "$OUT/minilm.jsonl" --output "$OUT/minilm-remote-$rep.parquet" \
    --id-column id --output-column 924=embedding --batch-size 16 --concurrency 8 --part-rows 1000 --progress none --output-format json --overwrite | tee "$OUT/remote-$rep.json"
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

echo "== peak memory, MLP FP32[256] from CSV (parts of 10000 rows)"
for n in ${MLP_ROWS//,/ }; do
  ls -l "$OUT/mlp-$n.csv" | awk '{print "input bytes", $5}'
  /usr/bin/time -f "max_rss_kb %M" dotnet "$TURBINE" batch run --model mlp_batched --model-repository "$MODELS/repo" --input "$OUT/mlp-$n.csv" \
    --output "$OUT/mlp-$n.out.parquet" --id-column id --progress none --output-format json --overwrite 2>&1 | tee "$OUT/mlp-$n.txt"
done
echo "== peak memory, the largest input with parts of 2500 rows"
/usr/bin/time -f "max_rss_kb %M" dotnet "$TURBINE" batch run --model mlp_batched --model-repository "$MODELS/repo" --input "$OUT/mlp-$n.csv" \
  --output "$OUT/mlp-$n.small-parts.jsonl" --id-column id --part-rows 2500 --progress none --output-format json --overwrite 2>&1 | tee "$OUT/mlp-$n-small-parts.txt"
echo "results in $OUT"
