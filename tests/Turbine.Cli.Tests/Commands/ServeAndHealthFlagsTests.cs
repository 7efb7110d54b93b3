using System.CommandLine;
using Turbine.Cli;
using Turbine.Cli.Commands;

namespace Turbine.Cli.Tests.Commands;

/// <summary>The flags issue 15 added: <c>serve --model-name</c>, <c>health</c>'s URL and timeout, and <c>TURBINE_HOST</c>.</summary>
public sealed class ServeAndHealthFlagsTests
{
    private static ParseResult Parse(params string[] args) => CliParser.Parse(CliParser.CreateRoot(), args);

    [Fact]
    public void Serve_ModelNameWithRepository_Parses()
    {
        var parsed = Parse("serve", "--model-repository", "/mnt/models", "--model-name=fraud");

        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public void Serve_ModelNameWithRegistry_ErrorNamesTheFlag()
    {
        var parsed = Parse("serve", "--registry", "http://127.0.0.1:1", "--model", "fraud@production", "--model-name", "x");

        Assert.Contains(parsed.Errors, e => e.Message.Contains("--model-name names the model of a one-model --model-repository", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    public void Serve_ModelNameThatCannotBeAName_Error(string name)
    {
        var parsed = Parse("serve", "--model-repository", "/mnt/models", "--model-name", name);

        Assert.Contains(parsed.Errors, e => e.Message.Contains($"--model-name '{name}' cannot be a model name", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ftp://example/v2/health/ready", "expected an absolute http:// or https:// URL")]
    [InlineData("not a url", "expected an absolute http:// or https:// URL")]
    public void Health_BadUrl_Error(string url, string message)
    {
        var parsed = Parse("health", url);

        Assert.Equal($"turbine: error: URL '{url}': {message} (see 'turbine health --help')", CliParser.ErrorLine(parsed, CliParser.CreateRoot()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("301")]
    public void Health_TimeoutOutOfRange_Error(string seconds)
    {
        var parsed = Parse("health", "--timeout-secs", seconds);

        Assert.Contains(parsed.Errors, e => e.Message == "--timeout-secs must be more than 0 and at most 300");
    }

    [Fact]
    public async Task Health_NothingListening_UnhealthyNamingTheUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (healthy, line) = await HealthCommand.ProbeAsync(new Uri($"http://127.0.0.1:{port}/v2/health/ready"), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.False(healthy);
        Assert.StartsWith($"turbine: http://127.0.0.1:{port}/v2/health/ready: ", line, StringComparison.Ordinal);
        Assert.EndsWith(": not healthy", line, StringComparison.Ordinal);
    }

    [Fact]
    public void HostFlag_DefaultsToTheVariableElseTheRolesOwn()
    {
        Assert.Equal("127.0.0.1", ReadDefault(HostFlag.Create("127.0.0.1", _ => null)));
        Assert.Equal("0.0.0.0", ReadDefault(HostFlag.Create("127.0.0.1", name => name == "TURBINE_HOST" ? "0.0.0.0" : null)));
        Assert.Equal("127.0.0.1", ReadDefault(HostFlag.Create("127.0.0.1", _ => "")));
    }

    private static string ReadDefault(Option<string> option)
    {
        var command = new RootCommand { option };
        return command.Parse([]).GetValue(option)!;
    }
}
