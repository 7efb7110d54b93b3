using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Turbine.EndToEnd.Tests;

/// <summary><c>turbine registry</c> and <c>turbine registry token …</c> as a user runs them: real processes, one data folder.</summary>
public sealed partial class RegistryCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "turbine-e2e-registry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Registry_TokenCreatedBeforeStartThenRevokedWhileRunning_WorksThen401()
    {
        var (code, output) = await TurbineProcess.RunAsync("registry", "token", "create", "--data", _data, "--name", "root", "--role", "admin");
        Assert.True(code == 0, output);
        var secret = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("trb_", StringComparison.Ordinal));

        await using var server = TurbineProcess.Start(["registry", "--data", _data, "--port", "0"]);
        var url = await WaitForRegistryReadyAsync(server);
        using var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        using (var tokens = await http.GetAsync("api/v1/tokens"))
        {
            Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
            Assert.Contains("\"name\":\"root\"", await tokens.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (listCode, list) = await TurbineProcess.RunAsync("registry", "token", "list", "--data", _data);
        Assert.True(listCode == 0, list);
        Assert.Contains("root\tadmin\t*", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        var (revokeCode, revoke) = await TurbineProcess.RunAsync("registry", "token", "revoke", "1", "--data", _data);
        Assert.True(revokeCode == 0, revoke);

        using var after = await http.GetAsync("api/v1/tokens");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("unauthenticated", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_DevOnNonLoopbackHost_RefusedWithClearError()
    {
        var (code, output) = await TurbineProcess.RunAsync("registry", "--dev", "--host", "0.0.0.0", "--port", "0", "--data", _data);

        Assert.Equal(1, code);
        Assert.Contains("--dev", output, StringComparison.Ordinal);
        Assert.Contains("loopback", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistryToken_UnknownRole_ExitCode2NamingTheRoles()
    {
        var (code, output) = await TurbineProcess.RunAsync("registry", "token", "create", "--data", _data, "--name", "x", "--role", "owner");

        Assert.Equal(2, code);
        Assert.Contains("owner", output, StringComparison.Ordinal);
        Assert.Contains("reader", output, StringComparison.Ordinal);
    }

    private static async Task<Uri> WaitForRegistryReadyAsync(TurbineProcess server)
    {
        Match? match = null;
        return await Poll.UntilAsync(() => (match = ReadyLine().Match(server.Output)).Success, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50))
            ? new Uri(match!.Groups[1].Value)
            : throw new InvalidOperationException($"turbine registry did not print its ready line; output:\n{server.Output}");
    }

    [GeneratedRegex(@"turbine registry ready: (\S+) \(metadata sqlite:")]
    private static partial Regex ReadyLine();
}
