#!/usr/bin/env python3
"""Writes binary-extension request bodies (JSON header, then raw little-endian inputs; the header length in *.len)
for bench/batching-efficiency.sh into DIR: resnet.bin (Input247 FP32 [1,3,224,224], seeded uniform [0,1)),
minilm.bin (input_ids / attention_mask / token_type_ids INT64 [1,16], as bench/.models/data/minilm.json) and
simple.bin (INPUT0 / INPUT1 INT32 [1,16]). Every output is asked for in binary (binary_data_output)."""
import json
import random
import struct
import sys

out = sys.argv[1]


def binary_body(name, inputs):
    header = json.dumps({
        "inputs": [{"name": n, "shape": s, "datatype": t, "parameters": {"binary_data_size": len(raw)}}
                   for n, s, t, raw in inputs],
        "parameters": {"binary_data_output": True},
    }, separators=(",", ":")).encode()
    with open(f"{out}/{name}.bin", "wb") as f:
        f.write(header + b"".join(raw for _, _, _, raw in inputs))
    with open(f"{out}/{name}.bin.len", "w") as f:
        f.write(str(len(header)))


rng = random.Random(1)
pixels = 3 * 224 * 224
binary_body("resnet", [("Input247", [1, 3, 224, 224], "FP32", struct.pack(f"<{pixels}f", *(rng.random() for _ in range(pixels))))])

sequence = 16
ids = [101 if i == 0 else 102 if i == sequence - 1 else 1000 + i * 37 for i in range(sequence)]
binary_body("minilm", [
    ("input_ids", [1, sequence], "INT64", struct.pack(f"<{sequence}q", *ids)),
    ("attention_mask", [1, sequence], "INT64", struct.pack(f"<{sequence}q", *([1] * sequence))),
    ("token_type_ids", [1, sequence], "INT64", struct.pack(f"<{sequence}q", *([0] * sequence))),
])

binary_body("simple", [
    ("INPUT0", [1, 16], "INT32", struct.pack("<16i", *range(16))),
    ("INPUT1", [1, 16], "INT32", struct.pack("<16i", *([1] * 16))),
])
