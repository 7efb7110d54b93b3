using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Turbine.Backends.Onnx;
using Turbine.Client.Registry;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Server.Registry;

namespace Turbine.Server.Tests.Registry;

/// <summary>RegistrySync against a real registry server and the real engine (ONNX Runtime) over the cache folder.</summary>
public sealed class RegistrySyncTests : RegistrySyncTestBase
{
    private Task<(InferenceEngine Engine, RegistrySync Sync)> StartAsync(string reference, TimeProvider? time = null, Random? random = null) =>
        StartSyncAsync([reference], time, random, maxBackoff: TimeSpan.FromSeconds(8));

    [Fact]
    public async Task StartAsync_ProductionReference_ServesTheRegistryVersionUnderTheModelName()
    {
        await PushAsync("fraud", 0f);
        await PushAsync("fraud", 1f, "Production");
        await PushAsync("fraud", 2f);
        var stale = Path.Combine(Cache, "repository", "churn", "4");
        Directory.CreateDirectory(stale); // left by an earlier run that served another reference

        var (engine, sync) = await StartAsync("fraud@production");

        Assert.False(Directory.Exists(Path.GetDirectoryName(stale)));
        Assert.DoesNotContain(engine.GetRepositoryIndex(readyOnly: false), r => r.Name == "churn");

        Assert.Equal([2L], Serving(engine, "fraud"));
        Assert.Equal("fraud", engine.GetServingVersions("fraud")[0].Config.Name);
        Assert.Equal(2, sync.Served["fraud@production"]);
        var sha = (await Client.GetVersionAsync("fraud", 2)).Artifact.Sha256;
        Assert.True(File.Exists(Path.Combine(Cache, "blobs", "sha256", sha)));
        using var refs = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Cache, "refs.json")));
        Assert.Equal(2, refs.RootElement.GetProperty("fraud@production").GetProperty("version").GetInt64());
        Assert.True(sync.FetchDurations["fraud"] > TimeSpan.Zero);
    }

    [Fact]
    public async Task SyncOnceAsync_StageMoves_SwapsToTheNewVersionAndRemovesTheOldFolder()
    {
        await PushAsync("fraud", 0f, "Production");
        var (engine, sync) = await StartAsync("fraud@production");
        Assert.Equal([1L], Serving(engine, "fraud"));

        Assert.Empty(await sync.SyncOnceAsync(CancellationToken.None)); // nothing moved: nothing to do
        await PushAsync("fraud", 1f, "Production");
        Assert.Empty(await sync.SyncOnceAsync(CancellationToken.None));

        Assert.Equal([2L], Serving(engine, "fraud"));
        Assert.False(Directory.Exists(Path.Combine(Cache, "repository", "fraud", "1")));
        Assert.True(Directory.Exists(Path.Combine(Cache, "repository", "fraud", "2")));

        // A rollback (alias back to 1) is a swap too, from the blob already cached.
        await Client.TransitionStageAsync("fraud", 1, "Production", archiveExisting: true);
        Assert.Empty(await sync.SyncOnceAsync(CancellationToken.None));
        Assert.Equal([1L], Serving(engine, "fraud"));
    }

    [Fact]
    public async Task StartAsync_RegistryDown_ServesTheVersionCachedByTheLastRun()
    {
        await PushAsync("fraud", 1f, "Production");
        var (first, firstSync) = await StartAsync("fraud@production");
        Assert.Equal([1L], Serving(first, "fraud"));
        await firstSync.DisposeAsync();
        await first.DisposeAsync();
        await Registry.Server.StopAsync();

        var (engine, sync) = await StartAsync("fraud@production");

        Assert.Equal([1L], Serving(engine, "fraud"));
        Assert.Equal(1, sync.ConsecutiveFailures);
        var failures = await sync.SyncOnceAsync(CancellationToken.None);
        Assert.Contains("cannot reach the registry", Assert.Single(failures).Message);
        Assert.Equal([1L], Serving(engine, "fraud"));
    }

    [Fact]
    public async Task StartAsync_TarWithTritonConfig_UsesItsConfigUnderTheRegistryNameAndVersion()
    {
        var folder = Path.Combine(Registry.Directory, "folder");
        AddModel.Write(Path.Combine(folder, "7"), 1f);
        await File.WriteAllTextAsync(Path.Combine(folder, "config.pbtxt"),
            "name: \"something_else\"\nmax_batch_size: 8\nversion_policy: { specific: { versions: [7] } }\n");
        await Client.CreateModelAsync(new NewRegisteredModel { Name = "adder" });
        await Client.CreateVersionAsync("adder", new NewModelVersion { Artifact = await Client.UploadAsync(folder) });

        var (engine, _) = await StartAsync("adder");

        var served = Assert.Single(engine.GetServingVersions("adder"));
        Assert.Equal(1, served.Version);
        Assert.Equal("adder", served.Config.Name);
        Assert.Equal(8, served.Config.MaxBatchSize);
    }

    [Fact]
    public async Task PollLoop_RegistryStops_BacksOffAndKeepsServingThenRecovers()
    {
        await PushAsync("fraud", 0f, "Production");
        var time = new FakeTimeProvider();
        var (engine, sync) = await StartAsync("fraud@production", time, new Random(7));
        sync.StartPolling();
        await Registry.Server.StopAsync();

        for (var expected = 1; expected <= 3; expected++)
        {
            var before = sync.ConsecutiveFailures;
            await AdvanceUntilAsync(time, () => sync.ConsecutiveFailures > before);
            Assert.Equal(expected, sync.ConsecutiveFailures);
            Assert.Equal([1L], Serving(engine, "fraud"));
        }
    }

    [Fact]
    public void NextDelay_GrowsExponentiallyWithJitterAndIsCapped()
    {
        var sync = new RegistrySync(
            new RegistryServingOptions { Url = new Uri("http://127.0.0.1:1/"), Models = ["m"], CacheDirectory = Path.Combine(Registry.Directory, "unused"), PollInterval = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(10) },
            TimeProvider.System, NullLogger.Instance, new Random(1));
        for (var n = 1; n <= 8; n++)
        {
            var full = Math.Min(10, Math.Pow(2, n));
            var delay = sync.NextDelay(n).TotalSeconds;
            Assert.InRange(delay, full * 0.5, full);
        }
    }

    [Theory]
    [InlineData(new[] { "a@production", "a@staging" }, "both serve model 'a'")]
    [InlineData(new[] { "../x" }, "is not a registry reference")]
    [InlineData(new[] { "a@" }, "is not a registry reference")]
    public void ParseReferences_Bad_ThrowsNamingTheProblem(string[] references, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => RegistrySync.ParseReferences(references));
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Advances the fake clock a second at a time until the condition holds (the loop runs on the thread pool).</summary>
    private static Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition) =>
        Poll.UntilOrFailAsync(() =>
        {
            if (condition())
            {
                return true;
            }

            time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, TimeSpan.FromSeconds(30), "the poll loop did not fail in time");
}
