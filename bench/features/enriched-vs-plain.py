# F1: enriched (flower ids -> features from the embedded store -> iris) vs plain (the feature vector sent) inference,
# same server, same client (keep-alive HTTP/1.1 JSON, concurrency 1), blocks interleaved. Usage: python3 THIS PORT [N]
import http.client, json, statistics, sys, time
port = int(sys.argv[1]); n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
plain = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": [6.7, 3.0, 5.2, 2.3]}]})
enriched = json.dumps({"inputs": [{"name": "flower_id", "datatype": "INT64", "shape": [1], "data": [146]}]})
conn = http.client.HTTPConnection("127.0.0.1", port)
def run(body, count):
    samples = []
    for _ in range(count):
        t = time.perf_counter()
        conn.request("POST", "/v2/models/iris/infer", body, {"Content-Type": "application/json"})
        r = conn.getresponse(); r.read()
        assert r.status == 200, r.status
        samples.append((time.perf_counter() - t) * 1e6)
    return samples
run(plain, 200); run(enriched, 200)
p, e = [], []
for _ in range(4):
    p += run(plain, n); e += run(enriched, n)
def q(s, f): s = sorted(s); return s[int(len(s) * f)]
print(f"plain    p50 {q(p, .5):.0f} us p99 {q(p, .99):.0f} us  {1e6 / statistics.mean(p):.0f} req/s")
print(f"enriched p50 {q(e, .5):.0f} us p99 {q(e, .99):.0f} us  {1e6 / statistics.mean(e):.0f} req/s")
print(f"F1 throughput ratio enriched/plain {statistics.mean(p) / statistics.mean(e):.2f}; p50 ratio {q(e, .5) / q(p, .5):.2f}")
