using System.Text.Json;
using Turbine.Core.Lifecycle;

namespace Turbine.Server.Tests.Http;

public sealed class RepositoryTests
{
    [Fact]
    public async Task ExplicitMode_LoadUnloadAndIndex()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, ["simple"]);
        var index = await IndexAsync(h);
        Assert.Equal("READY", Row(index, "simple").GetProperty("state").GetString());
        Assert.False(Row(index, "iris").TryGetProperty("state", out _), "a never-loaded model has a name-only row");
        Assert.Equal(503, (await h.PostJsonAsync("/v2/models/iris/infer", "{\"inputs\":[]}")).Status is 503 or 404 or 400 ? 503 : 0);

        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/iris/load", "{}")).Status);
        Assert.Equal(200, (await h.GetJsonAsync("/v2/models/iris/ready")).Status);

        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/iris/unload", "{\"parameters\":{\"unload_dependents\":false}}")).Status);
        var after = Row(await IndexAsync(h), "iris");
        Assert.Equal("UNAVAILABLE", after.GetProperty("state").GetString());
        Assert.Equal("unloaded", after.GetProperty("reason").GetString());
        Assert.Equal(503, (await h.GetJsonAsync("/v2/models/iris/ready")).Status);

        var (readyOnlyStatus, readyOnly) = await h.PostJsonAsync("/v2/repository/index", "{\"ready\":true}");
        Assert.Equal(200, readyOnlyStatus);
        Assert.Equal(["simple"], readyOnly.EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task ExplicitMode_LoadWithConfigOverride_AppliesIt()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        var config = JsonSerializer.Serialize("{\"name\":\"simple\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":2," +
            "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]," +
            "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}");
        var (status, body) = await h.PostJsonAsync("/v2/repository/models/simple/load", $"{{\"parameters\":{{\"config\":{config}}}}}");
        Assert.True(status == 200, body.ToString());
        var (_, loaded) = await h.GetJsonAsync("/v2/models/simple/config");
        Assert.Equal(2, loaded.GetProperty("max_batch_size").GetInt32());
    }

    [Fact]
    public async Task ExplicitMode_BadConfigOverride_Returns400NamingField()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        var config = JsonSerializer.Serialize("{\"name\":\"simple\",\"max_batch_size\":8,\"bogus_field\":1}");
        var (status, body) = await h.PostJsonAsync("/v2/repository/models/simple/load", $"{{\"parameters\":{{\"config\":{config}}}}}");
        Assert.Equal(400, status);
        Assert.Contains("bogus_field", body.GetProperty("error").GetString());
        Assert.Equal("UNAVAILABLE", Row(await IndexAsync(h), "simple").GetProperty("state").GetString());
    }

    [Fact]
    public async Task ExplicitMode_LoadUnknownModel_Returns404()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        var (status, body) = await h.PostJsonAsync("/v2/repository/models/nosuch/load", "{}");
        Assert.Equal(404, status);
        Assert.Contains("nosuch", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task PollMode_PicksUpNewVersion()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Poll, poll: TimeSpan.FromMilliseconds(200));
        CopyDirectory(Path.Combine(h.Repository, "simple", "1"), Path.Combine(h.Repository, "simple", "2"));
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
        {
            var (status, body) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
            return status == 200 && body.GetProperty("model_version").GetString() == "2";
        }, TimeSpan.FromSeconds(30)));
        var rows = (await IndexAsync(h)).EnumerateArray().Where(r => r.GetProperty("name").GetString() == "simple").ToList();
        Assert.Contains(rows, r => r.GetProperty("version").GetString() == "2" && r.GetProperty("state").GetString() == "READY");
        Assert.Contains(rows, r => r.GetProperty("version").GetString() == "1" && r.GetProperty("state").GetString() == "UNAVAILABLE");
    }

    [Fact]
    public async Task PollMode_BrokenConfigOnReload_KeepsOldVersionServingAndShowsReason()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Poll, poll: TimeSpan.FromMilliseconds(200));
        var configPath = Path.Combine(h.Repository, "simple", "config.pbtxt");
        await File.AppendAllTextAsync(configPath, "\nnot_a_field: 3\n");
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
            Row(await IndexAsync(h), "simple").GetProperty("reason").GetString()!.Contains("not_a_field", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30)));
        var row = Row(await IndexAsync(h), "simple");
        Assert.Equal("READY", row.GetProperty("state").GetString());
        Assert.Contains("config.pbtxt", row.GetProperty("reason").GetString());
        Assert.Equal(200, (await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
    }

    [Fact]
    public async Task PollMode_CorruptNewVersion_KeepsPreviousVersionServing()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Poll, poll: TimeSpan.FromMilliseconds(200));
        var v2 = Path.Combine(h.Repository, "simple", "2");
        Directory.CreateDirectory(v2);
        await File.WriteAllBytesAsync(Path.Combine(v2, "model.onnx"), [1, 2, 3, 4]);
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
            (await IndexAsync(h)).EnumerateArray().Any(r => r.GetProperty("name").GetString() == "simple" &&
                r.TryGetProperty("version", out var v) && v.GetString() == "2" && r.GetProperty("state").GetString() == "UNAVAILABLE"),
            TimeSpan.FromSeconds(30)));
        var (status, body) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        Assert.Equal("1", body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Reload_UnderContinuousLoad_HasZeroFailedRequests()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, ["simple"]);
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var successes = 0;
        var versions = new HashSet<string>();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, body) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
                if (status == 200 && body.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32() == 1)
                {
                    Interlocked.Increment(ref successes);
                    lock (versions)
                    {
                        versions.Add(body.GetProperty("model_version").GetString()!);
                    }
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();

        // Each load adds a new version folder, so every load swaps in fresh sessions while clients run.
        for (var v = 2; v <= 6; v++)
        {
            CopyDirectory(Path.Combine(h.Repository, "simple", "1"), Path.Combine(h.Repository, "simple", v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var (status, body) = await h.PostJsonAsync("/v2/repository/models/simple/load", "{}");
            Assert.True(status == 200, body.ToString());
        }

        // Keep the load going after the last swap so requests are served by version 6 too.
        var afterLastLoad = Volatile.Read(ref successes);
        await ServerHarness.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref successes) > afterLastLoad + 100), TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.Equal(0, failures);
        Assert.True(successes > 0);
        Assert.Contains("6", versions);
    }

    private static async Task<JsonElement> IndexAsync(ServerHarness h)
    {
        var (status, body) = await h.PostJsonAsync("/v2/repository/index", "{}");
        Assert.Equal(200, status);
        return body;
    }

    private static JsonElement Row(JsonElement index, string name) =>
        index.EnumerateArray().Last(r => r.GetProperty("name").GetString() == name);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
