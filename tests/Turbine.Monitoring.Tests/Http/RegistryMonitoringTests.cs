using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Turbine.Client.Registry;
using Turbine.Monitoring.Data;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Registry;
using Turbine.Samples;
using Turbine.Server;
using Turbine.Server.Registry;

namespace Turbine.Monitoring.Tests.Http;

/// <summary>
/// A real registry on loopback and a server serving from it: the reference profile stored with the served version
/// turns monitoring on without any --monitor setting; a version without one turns it off; the opt-out leaves it off.
/// </summary>
public sealed class RegistryMonitoringTests
{
    [Fact]
    public async Task ServeFromRegistry_VersionWithProfile_IsMonitored_SwapToVersionWithout_Stops_OptOutLeavesItOff()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = new RegistryClient(registry.Url);
        var models = Path.Combine(registry.Directory, "models");
        SampleRepository.CreateModel(models, "iris");
        var onnx = Path.Combine(models, "iris", "1", "model.onnx");
        await client.CreateModelAsync(new NewRegisteredModel { Name = "iris" });
        var v1 = await client.CreateVersionAsync("iris", new NewModelVersion { Artifact = await client.UploadAsync(onnx) });
        var v2 = await client.CreateVersionAsync("iris", new NewModelVersion { Artifact = await client.UploadAsync(onnx) });
        var random = new Random(3);
        var reference = new FeatureTable(Enumerable.Range(0, 4).Select(j => FeatureColumn.Numeric($"f{j}", Enumerable.Range(0, 200).Select(_ => Math.Round(4 + (2 * random.NextDouble()), 2)).ToArray())).ToArray());
        await ProfileRegistry.SaveAsync(client, $"iris:{v1.Version}", ProfileBuilder.Build(reference) with { Task = "regression" });
        await client.SetAliasAsync("iris", "champion", v1.Version);

        await using var monitoring = new MonitoringService { RegistryDefaults = new MonitorDefaults { WindowRows = 10 } };
        await using (var server = await StartAsync(registry, monitoring, "iris@champion", optOut: false))
        {
            var monitor = monitoring.Find("iris");
            Assert.NotNull(monitor);
            Assert.Equal(v1.Version, monitoring.RegistryProfiles["iris"]);
            Assert.Equal(ModelTask.Regression, monitor.Settings.Task); // the profile's task
            Assert.Equal(10, monitor.Settings.WindowRows);
            Assert.Equal(["f0", "f1", "f2", "f3"], monitor.Settings.Profile.Features.Select(f => f.Name));

            // Served requests reach the windows through the engine's tap, with no payload_log in the model's config.
            using var http = new HttpClient { BaseAddress = server.HttpAddress };
            for (var i = 0; i < 5; i++)
            {
                var body = string.Create(CultureInfo.InvariantCulture, $"{{\"id\":\"r{i}\",\"inputs\":[{{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[5,3,4,1,6,3,5,2]}}]}}");
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var answer = await http.PostAsync("/v2/models/iris/infer", content);
                Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            }

            await monitoring.FlushAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(10, monitor.ObservedRows);
            var window = Assert.Single(monitor.Windows(v1.Version));
            Assert.NotNull(window.End); // 10 rows closed it
            Assert.Equal(FeedbackResult.Joined, monitoring.Feedback("iris", "r0", [0.5, 0.5]));

            // The alias moves to a version without a profile: monitoring of the model stops with the swap.
            await client.SetAliasAsync("iris", "champion", v2.Version);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (monitoring.Find("iris") is not null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Null(monitoring.Find("iris"));
            Assert.Empty(monitoring.RegistryProfiles);
        }

        // Opt-out: the same version with its profile is served, and not monitored.
        await using var off = new MonitoringService();
        await using (var server = await StartAsync(registry, off, $"iris:{v1.Version}", optOut: true))
        {
            Assert.Null(off.Find("iris"));
            Assert.Empty(off.RegistryProfiles);
        }
    }

    [Fact]
    public async Task UseRegistryProfile_ExplicitConfigurationWins_OffWhenNoDefaults()
    {
        var profile = ProfileBuilder.Build(new FeatureTable([FeatureColumn.Numeric("a", [1, 2, 3, 4, 5, 6])]));
        var other = ProfileBuilder.Build(new FeatureTable([FeatureColumn.Numeric("b", [1, 2, 3, 4, 5, 6])]));
        await using var service = new MonitoringService();
        service.Configure("m", new MonitorSettings { Profile = profile });
        Assert.Equal(RegistryProfileChange.Explicit, service.UseRegistryProfile("m", 2, other));
        Assert.Equal("a", service.Find("m")!.Settings.Profile.Features[0].Name);
        Assert.Equal(RegistryProfileChange.Explicit, service.UseRegistryProfile("m", 3, null));
        Assert.NotNull(service.Find("m"));
        Assert.Equal(RegistryProfileChange.None, service.UseRegistryProfile("n", 1, null));
        Assert.Equal(RegistryProfileChange.Started, service.UseRegistryProfile("n", 1, other));
        Assert.Equal(ModelTask.Classification, service.Find("n")!.Settings.Task);

        service.RegistryDefaults = null;
        Assert.Equal(RegistryProfileChange.Off, service.UseRegistryProfile("k", 1, other));
        Assert.Null(service.Find("k"));
    }

    private static Task<TurbineServer> StartAsync(RegistryHarness registry, MonitoringService monitoring, string reference, bool optOut) =>
        TurbineServer.StartAsync(new ServerOptions
        {
            Engine = new() { ModelRepository = "unused: the registry cache is served" },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            Monitoring = monitoring,
            Registry = new RegistryServingOptions
            {
                Url = registry.Url,
                Models = [reference],
                CacheDirectory = Path.Combine(registry.Directory, "cache-" + Guid.NewGuid().ToString("N")),
                PollInterval = TimeSpan.FromSeconds(1),
                MonitorProfiles = !optOut,
            },
        }, l => l.SetMinimumLevel(LogLevel.Warning));
}
