using System.CommandLine;
using Turbine.Cli.Commands;
using Turbine.Server;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>turbine serve --registry</c>: monitoring from the registry's stored profiles is on by default, <c>--no-registry-monitoring</c> turns it off.</summary>
public sealed class MonitorServeFlagsTests
{
    private static (ParseResult Parse, RegistryServeFlags Registry, MonitorServeFlags Monitor) Parse(params string[] args)
    {
        var repository = new Option<string?>("--model-repository");
        var command = new Command("serve") { repository };
        var registry = new RegistryServeFlags();
        registry.AddTo(command, repository);
        var monitor = new MonitorServeFlags();
        monitor.AddTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return (parse, registry, monitor);
    }

    private static ServerOptions Options(RegistryServeFlags registry, ParseResult parse) =>
        new() { Engine = new() { ModelRepository = "/unused" }, Registry = registry.Read(parse) };

    [Fact]
    public async Task Serve_FromRegistry_MonitorsStoredProfilesByDefault_WithTheWindowFlags()
    {
        var (parse, registry, monitor) = Parse("--registry", "http://127.0.0.1:1/", "--model", "fraud@production", "--monitor-window-rows", "50", "--monitor-sampling", "0.25");

        var options = monitor.Apply(parse, Options(registry, parse));

        await using var service = options.Monitoring;
        Assert.True(options.Registry!.MonitorProfiles);
        Assert.Equal(50, service!.RegistryDefaults!.WindowRows);
        Assert.Equal(0.25, service.RegistryDefaults.Sampling);
    }

    [Fact]
    public void Serve_FromRegistry_NoRegistryMonitoring_NoMonitoringService()
    {
        var (parse, registry, monitor) = Parse("--registry", "http://127.0.0.1:1/", "--model", "fraud@production", "--no-registry-monitoring");

        var options = monitor.Apply(parse, Options(registry, parse));

        Assert.False(options.Registry!.MonitorProfiles);
        Assert.Null(options.Monitoring);
    }

    [Fact]
    public void Serve_Folder_NoMonitorFlag_NoMonitoringService()
    {
        var (parse, registry, monitor) = Parse("--model-repository", "/models");

        Assert.Null(monitor.Apply(parse, Options(registry, parse)).Monitoring);
    }
}
