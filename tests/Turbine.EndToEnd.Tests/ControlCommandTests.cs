using System.Text.RegularExpressions;

namespace Turbine.EndToEnd.Tests;

/// <summary>The real <c>turbine control serve</c> process and the real client commands against it.</summary>
public sealed partial class ControlCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("turbine-e2e-control");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Serve_ThenApplyGetDelete_FromTheCli_AndSigtermExitsZero()
    {
        await using var server = TurbineProcess.Start(["control", "serve", "--dev", "--port", "0", "--gateway-http-port", "0", "--gateway-grpc-port", "0", "--data", _folder.File("data")]);
        var url = (await server.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(60))).Groups[1].Value;
        var spec = _folder.File("fraud.yaml");
        await File.WriteAllTextAsync(spec, """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: fraud
            spec:
              predictor:
                maxReplicas: 2
                model:
                  modelFormat:
                    name: onnx
                  storageUri: registry://fraud@production
            """);

        var (code, output) = await TurbineProcess.RunAsync("control", "apply", "-f", spec, "--url", url);
        Assert.True(code == 0, output);
        Assert.Contains("deployment/fraud created (generation 1)", output, StringComparison.Ordinal);
        (code, output) = await TurbineProcess.RunAsync("control", "get", "--url", url);
        Assert.True(code == 0, output);
        Assert.Matches(@"fraud\s+0\s+\d+\s+(Pending|Failed)\s+-\s+-\s+\d+s", output);

        // Without --registry-url a registry:// storageUri cannot resolve: the reconciler marks it Failed and says why.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Regex.IsMatch(output, @"fraud\s+0\s+\d+\s+Failed") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            (code, output) = await TurbineProcess.RunAsync("control", "get", "--url", url);
        }

        Assert.Matches(@"fraud\s+0\s+\d+\s+Failed", output);
        (code, output) = await TurbineProcess.RunAsync("control", "describe", "fraud", "--url", url);
        Assert.True(code == 0, output);
        Assert.Contains("no registry is configured", output, StringComparison.Ordinal);
        (code, output) = await TurbineProcess.RunAsync("control", "delete", "fraud", "--url", url);
        Assert.True(code == 0, output);
        (code, output) = await TurbineProcess.RunAsync("control", "describe", "fraud", "--url", url);
        Assert.Equal(1, code);
        Assert.Contains("turbine: error: no deployment 'fraud'", output, StringComparison.Ordinal);

        server.Terminate();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await server.WaitForExitAsync(timeout.Token));
    }

    [Fact]
    public async Task Serve_NoWayToCheckTokens_Exit2NamingTheFlags()
    {
        var (code, output) = await TurbineProcess.RunAsync("control", "serve", "--port", "0", "--data", _folder.File("data"));
        Assert.Equal(2, code);
        Assert.Contains("--registry-url", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"API listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
