using System.Collections.Concurrent;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Server.Tests.Grpc;
using Turbine.Server.Tests.Telemetry;

namespace Turbine.Server.Tests.Memory;

/// <summary>Explicit load and unload from several clients while others infer, under a memory budget.</summary>
public sealed class MemoryRaceTests
{
    private const long ModelBytes = 1_000_000;

    [Fact]
    public async Task LoadUnloadStorm_WhileInferring_NoFailedRequestNoHalfLoadedVersion()
    {
        const int n = 8, k = 3;
        await using var h = await ServerHarness.StartAsync(
            mode: ModelControlMode.Explicit,
            prepare: root =>
            {
                AddModels.RemoveOthers(root);
                for (var i = 0; i < n; i++)
                {
                    AddModels.Create(root, i, ModelBytes);
                }
            },
            configure: o => o with { Engine = o.Engine with { ModelMemoryBudget = k * ModelBytes } });
        using var grpc = new GrpcTestClient(h.Server.GrpcAddress);
        var failures = new ConcurrentBag<string>();

        var admins = Enumerable.Range(0, 3).Select(c => Task.Run(async () =>
        {
            var random = new Random(500 + c);
            for (var r = 0; r < 15; r++)
            {
                var model = AddModels.Name(random.Next(n));
                var load = random.Next(2) == 0;
                if (c == 0)
                {
                    // gRPC repository API
                    try
                    {
                        if (load)
                        {
                            await grpc.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = model });
                        }
                        else
                        {
                            await grpc.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = model });
                        }
                    }
                    catch (global::Grpc.Core.RpcException e)
                    {
                        failures.Add($"gRPC {(load ? "load" : "unload")} {model}: {e.StatusCode} {e.Status.Detail}");
                    }
                }
                else
                {
                    var (status, body) = await h.PostJsonAsync($"/v2/repository/models/{model}/{(load ? "load" : "unload")}", "{}");
                    if (status != 200)
                    {
                        failures.Add($"REST {(load ? "load" : "unload")} {model}: {status} {body}");
                    }
                }
            }
        }));
        var inferers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var random = new Random(900 + c);
            for (var r = 0; r < 30; r++)
            {
                var model = random.Next(n);
                var failure = (c + r) % 2 == 0
                    ? await AddModels.InferRestAsync(h.Http, model, r)
                    : await AddModels.InferGrpcAsync(grpc.Client, model, r);
                if (failure is not null)
                {
                    failures.Add(failure);
                }
            }
        }));
        await Task.WhenAll(admins.Concat(inferers));

        Assert.Empty(failures);

        // Settled: nothing stays LOADING or UNLOADING, the budget holds, and every version the index calls READY serves.
        var (_, all) = await h.PostJsonAsync("/v2/repository/index", "{}");
        var rows = all.EnumerateArray().Where(e => e.TryGetProperty("state", out _)).ToList();
        Assert.DoesNotContain(rows, e => e.GetProperty("state").GetString() is "LOADING" or "UNLOADING");
        var ready = rows.Where(e => e.GetProperty("state").GetString() == "READY").ToList();
        Assert.InRange(ready.Count, 0, k);
        var scrape = await MetricsScrape.GetAsync(h.Server);
        Assert.True(scrape.Sum("turbine_model_memory_resident_bytes") <= k * ModelBytes);
        Assert.Equal(ready.Count * ModelBytes, scrape.Sum("turbine_model_memory_resident_bytes"));
        foreach (var row in ready)
        {
            var name = row.GetProperty("name").GetString()!;
            Assert.Null(await AddModels.InferRestAsync(h.Http, int.Parse(name[4..], System.Globalization.CultureInfo.InvariantCulture), 1));
        }
    }
}
