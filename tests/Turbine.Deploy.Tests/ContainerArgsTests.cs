using System.Text;
using Turbine.Control.Rendering;

namespace Turbine.Deploy.Tests;

/// <summary>
/// The command lines the chart and the renderer give the containers are accepted by the real <c>turbine</c>: each is run
/// as rendered, with only the bind address (loopback), the ports (0 = free) and the model folder (a temp folder)
/// replaced, and must come up and answer its health endpoints.
/// </summary>
public sealed class ContainerArgsTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Chart_ServerArgs_RealServerStartsAndIsReady()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync([])).Stdout);
        await AssertServerStartsAsync(Manifests.Args(Manifests.Container(Manifests.Single(objects, "Deployment", "-server"))));
    }

    [Fact]
    public async Task Render_ServerArgs_RealServerStartsAndIsReady()
    {
        var result = ManifestRenderer.Render(RenderTests.Spec.Replace("s3://models/resnet18", "file:///models", StringComparison.Ordinal), "svc.yaml",
            new RenderOptions());
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        await AssertServerStartsAsync(Manifests.Args(Manifests.Container(Manifests.Normalize(result.Objects[0]))));
    }

    [Fact]
    public async Task KServeRuntime_Args_RealServerStartsAndIsReady()
    {
        var runtime = CrdSchema.YamlToJson(File.ReadAllText(Path.Combine(DeployTools.KServeFolder, "clusterservingruntime.yaml")))!;
        await AssertServerStartsAsync(Manifests.Args(runtime["spec"]!["containers"]![0]!.AsObject()));
    }

    [Fact]
    public async Task Chart_GatewayArgsAndConfigMap_RealGatewayStartsAndIsLive()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync([])).Stdout);
        using var folder = new TempFolder("turbine-deploy-gw");
        var config = folder.Write("gateway.yaml", Encoding.UTF8.GetBytes((string)Manifests.Single(objects, "ConfigMap")["data"]!["gateway.yaml"]!));
        var args = Local(Manifests.Args(Manifests.Container(Manifests.Single(objects, "Deployment", "-gateway"))), "--config", config);
        await using var gateway = TurbineProcess.Start(args);
        var (http, _) = await gateway.WaitForGatewayReadyAsync(Ready);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var live = await client.GetAsync(new Uri(http, "/v2/health/live"));
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
    }

    private static async Task AssertServerStartsAsync(string[] rendered)
    {
        using var folder = new TempFolder("turbine-deploy-repo");
        var args = Local(rendered, "--model-repository", folder.Path);
        Assert.Equal(("true", "true"), (Manifests.Flag(args, "--strict-readiness"), Manifests.Flag(args, "--exit-on-error")));
        await using var server = TurbineProcess.Start(args);
        var http = await server.WaitForReadyAsync(Ready);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var ready = await client.GetAsync(new Uri(http, "/v2/health/ready"));
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    /// <summary>The rendered args with loopback, free ports and <paramref name="flag"/> set to <paramref name="value"/>; every other flag as rendered.</summary>
    private static string[] Local(string[] args, string flag, string value)
    {
        var local = (string[])args.Clone();
        Set("--host", "127.0.0.1");
        foreach (var port in new[] { "--http-port", "--grpc-port", "--metrics-port" })
        {
            if (Array.IndexOf(local, port) >= 0)
            {
                Set(port, "0");
            }
        }

        Set(flag, value);
        return local;

        void Set(string name, string to)
        {
            var i = Array.IndexOf(local, name);
            Assert.True(i >= 0 && i + 1 < local.Length, $"{name} is missing from {string.Join(' ', args)}");
            local[i + 1] = to;
        }
    }
}
