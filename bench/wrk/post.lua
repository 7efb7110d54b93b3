-- wrk script: POST a prepared body read from a file, for the floor and for Turbine's infer endpoint.
-- Environment: WRK_BODY (path of the body, read in binary), WRK_HEADER_LENGTH (optional: the JSON header length
-- of a binary-extension body, sent as Inference-Header-Content-Length), WRK_AUTHORIZATION (optional: the
-- Authorization header's value, e.g. "Bearer KEY" for a gateway that wants an API key).
-- done() prints one machine-readable line: RESULT <req/s> <p50 us> <p99 us> <requests> <non-2xx> <socket errors>.
local path = os.getenv("WRK_BODY")
local f = assert(io.open(path, "rb"), "cannot open WRK_BODY " .. tostring(path))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local header_length = os.getenv("WRK_HEADER_LENGTH")
if header_length ~= nil and header_length ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = header_length
end
local authorization = os.getenv("WRK_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
