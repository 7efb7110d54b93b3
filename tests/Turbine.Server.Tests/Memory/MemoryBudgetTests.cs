using System.Text.Json;
using Turbine.Core.Lifecycle;
using Turbine.Server.Tests.Grpc;
using Turbine.Server.Tests.Telemetry;

namespace Turbine.Server.Tests.Memory;

/// <summary>
/// The model memory budget on a real server: generated models with declared sizes (so the budget holds exactly k),
/// requests over REST and gRPC, counters read from /metrics and residency from the repository index.
/// </summary>
public sealed class MemoryBudgetTests
{
    private const long ModelBytes = 1_000_000;

    private static Task<ServerHarness> StartAsync(int models, long budget, Action<string>? more = null, ModelControlMode mode = ModelControlMode.None) =>
        ServerHarness.StartAsync(
            mode: mode,
            prepare: root =>
            {
                AddModels.RemoveOthers(root);
                for (var i = 0; i < models; i++)
                {
                    AddModels.Create(root, i, ModelBytes);
                }

                more?.Invoke(root);
            },
            configure: o => o with { Engine = o.Engine with { ModelMemoryBudget = budget } });

    private static async Task<(long Loads, long Evictions, long Resident, long Budget)> CountersAsync(ServerHarness h)
    {
        var scrape = await MetricsScrape.GetAsync(h.Server);
        return ((long)scrape.Sum("turbine_model_cold_loads_total"), (long)scrape.Sum("turbine_model_evictions_total"),
            (long)scrape.Sum("turbine_model_memory_resident_bytes"), (long)scrape.Sum("turbine_model_memory_budget_bytes"));
    }

    private static async Task<List<JsonElement>> ResidentRowsAsync(ServerHarness h)
    {
        var (status, body) = await h.PostJsonAsync("/v2/repository/index", "{\"ready\":true}");
        Assert.Equal(200, status);
        return [.. body.EnumerateArray()];
    }

    [Fact]
    public async Task ZipfStream_RestAndGrpc_NoFailuresAndLoadsEvictionsMatchLru()
    {
        const int n = 30, k = 5, requests = 240;
        await using var h = await StartAsync(n, k * ModelBytes);
        using var grpc = new GrpcTestClient(h.Server.GrpcAddress);
        Assert.Empty(await ResidentRowsAsync(h)); // nothing loads at start under a budget

        var next = AddModels.Zipf(n, 1.1, seed: 17);
        var lru = new LinkedList<int>();
        long expectedLoads = 0, expectedEvictions = 0;
        var failures = new List<string>();
        for (var r = 0; r < requests; r++)
        {
            var model = next();
            if (lru.Find(model) is { } node)
            {
                lru.Remove(node);
            }
            else
            {
                expectedLoads++;
                if (lru.Count == k)
                {
                    lru.RemoveFirst();
                    expectedEvictions++;
                }
            }

            lru.AddLast(model);
            var failure = r % 2 == 0
                ? await AddModels.InferRestAsync(h.Http, model, r)
                : await AddModels.InferGrpcAsync(grpc.Client, model, r);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        Assert.Empty(failures);
        var (loads, evictions, resident, budget) = await CountersAsync(h);
        Assert.True(expectedEvictions > 0, "the stream must overflow the budget to test eviction");
        Assert.Equal(expectedLoads, loads);
        Assert.Equal(expectedEvictions, evictions);
        Assert.Equal(k * ModelBytes, budget);
        Assert.Equal(k * ModelBytes, resident);

        // The index shows exactly the LRU's k models resident, each with its charged bytes and why.
        var rows = await ResidentRowsAsync(h);
        Assert.Equal(lru.Select(AddModels.Name).Order(StringComparer.Ordinal), rows.Select(r => r.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(rows, r =>
        {
            Assert.Equal(ModelBytes, r.GetProperty("memory_bytes").GetInt64());
            Assert.Equal("recently used", r.GetProperty("resident").GetString());
        });

        // An evicted model says why in the full index.
        var (_, all) = await h.PostJsonAsync("/v2/repository/index", "{}");
        var evicted = all.EnumerateArray().First(e => e.TryGetProperty("state", out var s) && s.GetString() == "UNAVAILABLE");
        Assert.Contains("evicted: least recently used", evicted.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentZipf_RestAndGrpc_NoFailuresAndCountsConsistent()
    {
        const int n = 24, k = 4, clients = 8, perClient = 40;
        await using var h = await StartAsync(n, k * ModelBytes);
        using var grpc = new GrpcTestClient(h.Server.GrpcAddress);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var next = AddModels.Zipf(n, 1.0, seed: 100 + c);
            for (var r = 0; r < perClient; r++)
            {
                var model = next();
                var failure = (c + r) % 2 == 0
                    ? await AddModels.InferRestAsync(h.Http, model, r)
                    : await AddModels.InferGrpcAsync(grpc.Client, model, r);
                if (failure is not null)
                {
                    failures.Add(failure);
                }
            }
        })));

        Assert.Empty(failures);
        var (loads, evictions, resident, _) = await CountersAsync(h);
        var rows = await ResidentRowsAsync(h);
        Assert.True(resident <= k * ModelBytes, $"resident {resident} over the budget");
        Assert.Equal(rows.Count * ModelBytes, resident);
        Assert.Equal(loads - evictions, rows.Count); // every load is resident or was evicted once
        Assert.True(evictions > 0);
    }

    [Fact]
    public async Task Lease_SlowRequestKeepsItsVersionThroughEvictions()
    {
        const int k = 2;
        await using var h = await StartAsync(4, k * ModelBytes, root => AddModels.Create(root, 9, ModelBytes, batchOf: 3));

        // The slow request: add_009 batches 3 requests; one alone waits in its queue, holding its version.
        var slow = AddModels.InferRestAsync(h.Http, 9, 100);
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
            (await ResidentRowsAsync(h)).Any(r => r.GetProperty("name").GetString() == AddModels.Name(9) && r.GetProperty("resident").GetString() == "in use"),
            TimeSpan.FromSeconds(30)));

        // Pressure: three other models through a budget of two; only the idle ones can go.
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await AddModels.InferRestAsync(h.Http, i, i));
        }

        Assert.False(slow.IsCompleted);
        var (_, evictions, _, _) = await CountersAsync(h);
        Assert.Equal(2, evictions); // add_000 then add_001; add_009 stayed under its request
        var rows = await ResidentRowsAsync(h);
        Assert.Equal([AddModels.Name(2), AddModels.Name(9)], rows.Select(r => r.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));

        // Two more requests complete the batch: the slow request finishes on the version it started on.
        var rest = new[] { AddModels.InferRestAsync(h.Http, 9, 200), AddModels.InferRestAsync(h.Http, 9, 300) };
        Assert.Null(await slow);
        Assert.All(await Task.WhenAll(rest), Assert.Null);

        // Idle now: the next load can evict it (add_002 was used after it, so add_009 goes first).
        Assert.Null(await AddModels.InferRestAsync(h.Http, 2, 0));
        Assert.Null(await AddModels.InferRestAsync(h.Http, 3, 0));
        rows = await ResidentRowsAsync(h);
        Assert.Equal([AddModels.Name(2), AddModels.Name(3)], rows.Select(r => r.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pinned_LoadsAtStartAndIsNeverEvicted()
    {
        const int k = 3;
        await using var h = await StartAsync(8, k * ModelBytes, root => AddModels.Create(root, 50, ModelBytes, pinned: true));
        var rows = await ResidentRowsAsync(h);
        var pinned = Assert.Single(rows);
        Assert.Equal(AddModels.Name(50), pinned.GetProperty("name").GetString());
        Assert.Equal("pinned", pinned.GetProperty("resident").GetString());

        for (var r = 0; r < 24; r++)
        {
            Assert.Null(await AddModels.InferRestAsync(h.Http, r % 8, r));
        }

        rows = await ResidentRowsAsync(h);
        Assert.Contains(rows, r => r.GetProperty("name").GetString() == AddModels.Name(50) && r.GetProperty("resident").GetString() == "pinned");
        Assert.Equal(k, rows.Count);
        var (_, evictions, _, _) = await CountersAsync(h);
        Assert.Equal(24 - 2, evictions); // round robin over 8 through the 2 unpinned slots: every request after the first two evicts
        Assert.Null(await AddModels.InferRestAsync(h.Http, 50, 1));
    }

    [Fact]
    public async Task TooBig_FailsClearlyOverRestAndGrpc_OthersKeepServing()
    {
        await using var h = await StartAsync(2, 3 * ModelBytes, root => AddModels.Create(root, 7, 10 * ModelBytes));
        using var grpc = new GrpcTestClient(h.Server.GrpcAddress);
        Assert.Null(await AddModels.InferRestAsync(h.Http, 0, 1));

        var rest = await AddModels.InferRestAsync(h.Http, 7, 1);
        Assert.NotNull(rest);
        Assert.Contains("429", rest, StringComparison.Ordinal);
        Assert.Contains("needs 10000000 bytes", rest, StringComparison.Ordinal);
        Assert.Contains("more than the whole model memory budget of 3000000 bytes", rest, StringComparison.Ordinal);
        var viaGrpc = await AddModels.InferGrpcAsync(grpc.Client, 7, 1);
        Assert.NotNull(viaGrpc);
        Assert.Contains("ResourceExhausted", viaGrpc, StringComparison.Ordinal);

        // Nothing else was evicted for it, and the server serves on.
        var (_, evictions, _, _) = await CountersAsync(h);
        Assert.Equal(0, evictions);
        Assert.Null(await AddModels.InferGrpcAsync(grpc.Client, 1, 2));
        Assert.Null(await AddModels.InferRestAsync(h.Http, 0, 3));
    }

    [Fact]
    public async Task MetadataAndConfig_LoadOnDemand_BrokenModelLeavesServerReady()
    {
        await using var h = await StartAsync(3, 2 * ModelBytes, root =>
        {
            Directory.CreateDirectory(Path.Combine(root, "broken", "1"));
            File.WriteAllText(Path.Combine(root, "broken", "config.pbtxt"), "name: \"broken\"\nplatform: \"onnxruntime_onnx\"\nnot_a_field: 1\n");
            File.WriteAllBytes(Path.Combine(root, "broken", "1", "model.onnx"), [1, 2, 3]);
        });
        using var grpc = new GrpcTestClient(h.Server.GrpcAddress);

        var (status, metadata) = await h.GetJsonAsync($"/v2/models/{AddModels.Name(0)}");
        Assert.Equal(200, status);
        Assert.Equal(AddModels.Name(0), metadata.GetProperty("name").GetString());
        var config = await grpc.Client.ModelConfigAsync(new Turbine.Protocol.Grpc.ModelConfigRequest { Name = AddModels.Name(1) });
        Assert.Equal(AddModels.Name(1), config.Config.Name);
        Assert.Equal([AddModels.Name(0), AddModels.Name(1)], (await ResidentRowsAsync(h)).Select(r => r.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));

        var (inferStatus, error) = await h.PostJsonAsync("/v2/models/broken/infer", AddModels.RestBody(1));
        Assert.NotEqual(200, inferStatus);
        Assert.Contains("not_a_field", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (ready, _) = await h.GetJsonAsync("/v2/health/ready");
        Assert.Equal(200, ready);
        Assert.Null(await AddModels.InferRestAsync(h.Http, 2, 5));
    }
}
