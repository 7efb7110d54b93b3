#!/usr/bin/env python3
"""Writes the request bodies of bench/http-baseline.sh into DIR: *.json (JSON infer) and *.bin + *.bin.len
(binary extension: JSON header, then raw little-endian inputs; the header length goes in *.len)."""
import json
import struct
import sys

out = sys.argv[1]


def write(name, data):
    with open(f"{out}/{name}", "wb") as f:
        f.write(data)


def json_body(inputs):
    return json.dumps({"inputs": [{"name": n, "shape": s, "datatype": t, "data": d} for n, s, t, d in inputs]},
                      separators=(",", ":")).encode()


def binary_body(inputs, fmt):
    header = json.dumps({
        "inputs": [{"name": n, "shape": s, "datatype": t, "parameters": {"binary_data_size": 4 * len(d)}}
                   for n, s, t, d in inputs],
        "parameters": {"binary_data_output": True},
    }, separators=(",", ":")).encode()
    raw = b"".join(struct.pack(f"<{len(d)}{fmt}", *d) for _, _, _, d in inputs)
    return header + raw, len(header)


write("floor.json", b'{"inputs":[]}')

simple = [("INPUT0", [1, 16], "INT32", list(range(16))), ("INPUT1", [1, 16], "INT32", [1] * 16)]
write("simple.json", json_body(simple))
body, n = binary_body(simple, "i")
write("simple.bin", body)
write("simple.bin.len", str(n).encode())

identity = [("INPUT0", [1, 16], "FP32", [float(i) * 0.5 for i in range(16)])]
write("identity_fp32.json", json_body(identity))
body, n = binary_body(identity, "f")
write("identity_fp32.bin", body)
write("identity_fp32.bin.len", str(n).encode())
