using Turbine.Control.Api;

namespace Turbine.Control.Tests.Api;

public sealed class ControlOptionsValidatorTests
{
    private static readonly ControlStaticToken Writer = new("ci", "writer-secret-0123456789", ControlScope.Write);

    [Fact]
    public void Problems_Defaults_NeedAWayToCheckTokens()
    {
        var problem = Assert.Single(ControlOptionsValidator.Problems(new ControlOptions()));
        Assert.Contains("--registry-url", problem, StringComparison.Ordinal);
        Assert.Empty(ControlOptionsValidator.Problems(new ControlOptions { Dev = true }));
        Assert.Empty(ControlOptionsValidator.Problems(new ControlOptions { StaticTokens = [Writer] }));
        Assert.Empty(ControlOptionsValidator.Problems(new ControlOptions { RegistryUrl = new Uri("http://127.0.0.1:8080") }));
    }

    [Fact]
    public void Problems_DevOnANonLoopbackHost_Refused()
    {
        var problem = Assert.Single(ControlOptionsValidator.Problems(new ControlOptions { Dev = true, Host = "0.0.0.0" }));
        Assert.Contains("loopback", problem, StringComparison.Ordinal);
        Assert.Empty(ControlOptionsValidator.Problems(new ControlOptions { StaticTokens = [Writer], Host = "0.0.0.0" }));
    }

    [Fact]
    public void Problems_ManyWrong_EveryOneListed()
    {
        var problems = ControlOptionsValidator.Problems(new ControlOptions
        {
            Host = "not-an-address",
            Port = 70000,
            RegistryUrl = new Uri("ftp://registry"),
            StaticTokens = [Writer, Writer with { Secret = "short" }],
            MaxSpecBytes = 0,
            TokenCacheSize = 0,
            TokenCacheTtl = TimeSpan.FromMinutes(-1),
            RegistryTimeout = TimeSpan.Zero,
            MaxEventsPerRequest = 5000,
        });
        foreach (var expected in new[] { "--host", "--port", "--registry-url", "used twice", "at least 16", "spec size", "cache size", "TTL", "registry timeout", "events-per-request" })
        {
            Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ArgumentExceptionListingThem()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ControlHost.StartAsync(new ControlOptions { Port = -1, Dev = true, Host = "10.1.2.3" }));
        Assert.Contains("--port", error.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTurbineControl_InAGenericHost_InvalidOptionsFailAtStart_ValidOnesGiveAStore()
    {
        var bad = new Microsoft.Extensions.Hosting.HostApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        bad.Services.AddTurbineControl(new ControlOptions { Port = 70000, Dev = true });
        using (var host = bad.Build())
        {
            var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("--port", error.Message, StringComparison.Ordinal);
        }

        using var folder = new TempFolder("turbine-control-compose");
        var good = new Microsoft.Extensions.Hosting.HostApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        good.Services.AddTurbineControl(new ControlOptions { Dev = true, DataDirectory = folder.Path });
        using (var host = good.Build())
        {
            await host.StartAsync();
            var store = Assert.IsType<Turbine.Control.Storage.SqliteControlStore>(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Turbine.Control.Storage.IControlStore>(host.Services));
            Assert.Equal(Path.Combine(folder.Path, "control.db"), store.Path);
            await host.StopAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void StaticToken_ToString_HidesTheSecret()
    {
        Assert.DoesNotContain(Writer.Secret, Writer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Writer.Secret, new ControlOptions { StaticTokens = [Writer] }.ToString(), StringComparison.Ordinal);
    }
}
