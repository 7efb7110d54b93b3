// Feature store benchmark (docs/benchmarks.md, "Feature store"): materialize throughput and peak memory on a generated
// Parquet source, then online lookup latency for 1/10/100 entities x 10 features on SQLite and Redis, in-process and
// over HTTP, each next to its reference (the raw store read) from the same run.
// Usage: dotnet run -c Release --project bench/Turbine.Bench.Features -- [rows=2000000] [entities=100000]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Turbine.Client;
using Turbine.Features.Definitions;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Server;
using Turbine.Features.Serving;
using Turbine.Features.Sources;
using Turbine.Features.Values;

// A third argument "materialize" (with a fourth, a folder) runs only the materialization, on the source generated into
// that folder by an earlier run (or generated there now and kept), in a process that did not generate it, and reports
// the process's peak resident set (VmHWM): the before/after comparison in docs/benchmarks.md.
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000_000;
var entities = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
var materializeOnly = args.Length > 2 && args[2] == "materialize";
var keep = args.Length > 3 ? Path.GetFullPath(args[3]) : null;
var root = keep ?? Path.Combine(Path.GetTempPath(), "turbine-bench-features-" + Guid.NewGuid().ToString("N")[..8]);
var generate = !Directory.Exists(Path.Combine(root, "data", "src"));
Directory.CreateDirectory(Path.Combine(root, "data"));
var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
File.WriteAllText(Path.Combine(root, "feature_store.yaml"), $"""
    project: bench
    online_store: {"{"} type: sqlite, path: data/online.db {"}"}
    entities:
      - {"{"} name: user, join_key: user_id, value_type: int64 {"}"}
    sources:
      - {"{"} name: src, type: parquet, path: data/src, timestamp_field: event_timestamp {"}"}
    feature_views:
      - name: stats
        entities: [user]
        ttl: 0
        source: src
        schema:
    {string.Join("\n", Enumerable.Range(0, 10).Select(i => $"      - {{ name: f{i}, dtype: float64 }}"))}
    """);

// Generate the source as files of 250k rows (a folder source; the generator holds one file's rows at a time).
var sw = Stopwatch.StartNew();
var random = new Random(18);
Directory.CreateDirectory(Path.Combine(root, "data", "src"));
const int perFile = 250_000;
for (var file = 0; generate && file * perFile < rows; file++)
{
    var n = Math.Min(perFile, rows - (file * perFile));
    var columns = new List<TableColumn>
    {
        new("user_id", FeatureType.Int64, new object?[n]),
        new("event_timestamp", FeatureType.UnixTimestamp, new object?[n]),
    };
    for (var f = 0; f < 10; f++)
    {
        columns.Add(new TableColumn("f" + f, FeatureType.Float64, new object?[n]));
    }

    for (var r = 0; r < n; r++)
    {
        columns[0].Values[r] = (long)random.Next(entities);
        columns[1].Values[r] = t0.AddSeconds(random.Next(0, 86400 * 30));
        for (var f = 0; f < 10; f++)
        {
            columns[2 + f].Values[r] = random.NextDouble();
        }
    }

    await ParquetTable.WriteAsync(Path.Combine(root, "data", "src", $"part-{file:D3}.parquet"), columns);
}

GC.Collect();
var bytes = Directory.EnumerateFiles(Path.Combine(root, "data", "src")).Sum(f => new FileInfo(f).Length);
if (generate && materializeOnly)
{
    Console.WriteLine($"generated the source in {root}; run again to materialize it in a fresh process");
    return;
}

File.Delete(Path.Combine(root, "data", "online.db"));
if (Directory.Exists(Path.Combine(root, ".turbine")))
{
    Directory.Delete(Path.Combine(root, ".turbine"), recursive: true);
}

Console.WriteLine($"{(generate ? "generated" : "reusing")} {rows:N0} rows x 12 columns for {entities:N0} entities ({sw.Elapsed.TotalSeconds:F1} s) ({bytes / 1e6:F0} MB of Parquet)");

var repo = FeatureRepoLoader.Load(root);
var redisPort = FreePort();
using var redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {redisPort} --bind 127.0.0.1 --save \"\" --appendonly no") { RedirectStandardOutput = true })!;
await Task.Delay(500);

var baseline = Process.GetCurrentProcess();
baseline.Refresh();
var before = baseline.WorkingSet64;
await using var sqlite = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
await using var redisStore = await RedisOnlineStore.ConnectAsync($"127.0.0.1:{redisPort}", repo.Project, timeout: TimeSpan.FromSeconds(5));
foreach (var store in new IOnlineStore[] { sqlite, redisStore })
{
    GC.Collect();
    var peak = 0L;
    using var cts = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!cts.IsCancellationRequested)
        {
            var p = Process.GetCurrentProcess();
            peak = Math.Max(peak, p.WorkingSet64);
            await Task.Delay(50);
        }
    });
    sw.Restart();
    var result = (await new Materializer(repo, store).MaterializeAsync(t0, t0.AddDays(31)))[0];
    var seconds = sw.Elapsed.TotalSeconds;
    cts.Cancel();
    await sampler;
    Console.WriteLine($"materialize {store.Kind}: {result.RowsRead:N0} rows in {seconds:F1} s = {result.RowsRead / seconds:N0} rows/s, {result.EntitiesWritten:N0} entity writes, peak working set {peak / 1e6:F0} MB (before {before / 1e6:F0} MB)");
    File.Delete(Path.Combine(root, ".turbine", "materialize", "stats.json"));
    if (materializeOnly)
    {
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine($"  process peak resident set so far: {hwm[6..].Trim()}");
    }
}

if (materializeOnly)
{
    redis.Kill();
    return;
}

var features = Enumerable.Range(0, 10).Select(i => "stats:f" + i).ToArray();
foreach (var store in new IOnlineStore[] { sqlite, redisStore })
{
    var service = new OnlineFeatureService(repo, store);
    using var metrics = new FeatureMetrics();
    var url = $"http://127.0.0.1:{FreePort()}";
    await using var app = await FeatureServer.StartAsync(service, url, metrics);
    using var http = new HttpClient { BaseAddress = new Uri(url + "/") };
    using var client = new FeatureStoreClient(http);
    var plan = FeatureResolver.Resolve(repo, features);
    foreach (var n in new[] { 1, 10, 100 })
    {
        var iterations = n == 100 ? 400 : 2000;
        var keys = Enumerable.Range(0, n).Select(_ => (object?)(long)random.Next(entities)).ToArray();
        var dict = new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = keys };
        var httpDict = new Dictionary<string, IEnumerable<object?>> { ["user_id"] = keys };
        var featureNames = Enumerable.Range(0, 10).Select(i => "f" + i).ToArray();
        var rawKeys = keys.Select(k => FeastCodec.SerializeEntityKey([("user_id", k!)])).ToArray();
        var raw = await Measure(iterations, () => store.ReadAsync("stats", featureNames, rawKeys));
        var inproc = await Measure(iterations, () => service.GetAsync(plan, dict, false));
        var overHttp = await Measure(iterations, () => client.GetOnlineFeaturesAsync(features, httpDict));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lookup {store.Kind} {n,3} entities x 10: raw store p50 {raw.P50:F0} us p99 {raw.P99:F0} | in-process p50 {inproc.P50:F0} us p99 {inproc.P99:F0} ({inproc.P50 / raw.P50:F2}x raw), {1e6 / inproc.Mean:N0}/s | HTTP p50 {overHttp.P50:F0} us p99 {overHttp.P99:F0} ({overHttp.P50 / inproc.P50:F2}x in-process), {1e6 / overHttp.Mean:N0}/s"));
    }
}

redis.Kill();
if (keep is null)
{
    Directory.Delete(root, recursive: true);
}

static async Task<(double P50, double P99, double Mean)> Measure<T>(int iterations, Func<Task<T>> call)
{
    for (var i = 0; i < Math.Min(200, iterations / 4); i++)
    {
        await call();
    }

    var samples = new double[iterations];
    for (var i = 0; i < iterations; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    Array.Sort(samples);
    return (samples[iterations / 2], samples[(int)(iterations * 0.99)], samples.Average());
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    var port = ((IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return port;
}
