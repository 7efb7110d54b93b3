using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Turbine.Control;
using Turbine.Control.Api;
using Turbine.Control.Runtime;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;

namespace Turbine.Cli.Commands;

/// <summary>
/// The controller <c>turbine up</c> runs beside the registry and the gateway: the control API on loopback in dev mode,
/// data in <c>$TURBINE_HOME/control</c>, attached to <c>up</c>'s own gateway (its deployments' routes sit beside the
/// catch-all route to the embedded server), and two of the samples declared as deployments from the embedded registry
/// so a newcomer sees replicas, autoscaling, scale to zero and rollouts with no set-up (docs/control.md, "turbine up").
/// </summary>
internal static class UpControl
{
    /// <summary>The deployments <c>up</c> declares, each from the registry's Production version of one sample model.</summary>
    internal static readonly IReadOnlyList<SampleDeployment> Samples =
    [
        // Autoscaled between 1 and 3 replicas at 4 concurrent requests each: `turbine bench -m simple` at concurrency 8 scales it
        // up; a promotion of a new `simple` version is rolled out as a canary in steps of 20, 50 and 100 %.
        new("simple", "simple", MinReplicas: 1, MaxReplicas: 3, ScaleTarget: 4, CanarySteps: "20,50,100"),
        // Scaled to zero when idle: its first request waits for a cold start in the gateway's activator.
        // Deployment names are DNS-1123 labels, as in KServe: the model keeps its own name.
        new("simple-int8", "simple_int8", MinReplicas: 0, MaxReplicas: 1, ScaleTarget: 4, CanarySteps: null),
    ];

    /// <summary>How long <c>up</c> waits for the deployments with a minimum of replicas before it prints its summary anyway.</summary>
    internal static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(60);

    public static Option<int> CreatePortOption()
    {
        var port = new Option<int>("--control-port") { Description = "Port of the embedded control API (loopback, dev mode; 0 = pick a free port).", DefaultValueFactory = _ => new ControlOptions().Port };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError("--control-port must be between 0 and 65535");
            }
        });
        return port;
    }

    /// <summary>
    /// Starts the control API and the plane on <paramref name="gateway"/>; replicas pull from <paramref name="registry"/>; data in
    /// <paramref name="dataDirectory"/> (default <c>$TURBINE_HOME/control</c>). The dashboard's Model-health page reads
    /// <paramref name="monitoringUrl"/> and its payload browser <paramref name="payloadLogDirectory"/> beside the replicas' own payload logs.
    /// </summary>
    /// <param name="port">The control API's port (0 = a free one).</param>
    /// <param name="gateway">The gateway the plane attaches to.</param>
    /// <param name="registry">The embedded registry.</param>
    /// <param name="logging">How the control host logs.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="dataDirectory">The control data folder; null = <c>$TURBINE_HOME/control</c>.</param>
    /// <param name="monitoringUrl">The monitoring API the dashboard reads (the embedded server's HTTP address), or null.</param>
    /// <param name="payloadLogDirectory">The embedded server's payload-log folder, or null.</param>
    /// <param name="gatewayModels">The embedded server's models that no sample deployment serves (try-it offers them through the gateway).</param>
    public static async Task<ControlHost> StartAsync(int port, AttachedGateway gateway, Uri registry, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken,
        string? dataDirectory = null, Uri? monitoringUrl = null, string? payloadLogDirectory = null, IReadOnlyList<string>? gatewayModels = null)
    {
        var options = new ControlOptions
        {
            Host = "127.0.0.1", Port = port, Dev = true, ConfigureLogging = logging, DataDirectory = dataDirectory ?? ControlOptions.DefaultDataDirectory(),
            // The dashboard at http://127.0.0.1:8090/dashboard/ reads up's embedded registry (docs/dashboard.md).
            Dashboard = new Turbine.Control.Dashboard.DashboardOptions
            {
                RegistryUrl = registry, MonitoringUrl = monitoringUrl, PayloadLogDirectory = payloadLogDirectory, GatewayModels = gatewayModels ?? [],
            },
        };
        Turbine.Server.PortProbe.EnsureFree(options.Host, [(options.Port, "control", "--control-port")]);
        var data = Path.GetFullPath(options.DataDirectory);
        var plane = new ControlPlaneOptions
        {
            Attach = gateway,
            // The replicas end with up however up ends (kill -9 included): they pull from up's embedded registry and
            // nothing but the next up would adopt them (docs/control.md, "Shutdown").
            Runtime = new LocalRuntimeOptions { WorkDirectory = Path.Combine(data, "replicas"), RegistryCacheDirectory = Path.Combine(data, "registry-cache"), StopWithController = true },
            Resolver = new ResolverOptions { CacheDirectory = Path.Combine(data, "artifacts"), RegistryUrl = registry },
        };
        return await ControlHost.StartAsync(options, s => ControlPlane.Register(s, plane, data), ControlPlane.MapMetrics, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the sample deployments whose model <paramref name="registered"/> names and the control store does not have: a deployment the user
    /// changed or deleted with <c>turbine control</c> is not declared again while it exists, and a deleted one comes back
    /// on the next <c>up</c>. Returns the deployments that exist afterwards (declared now or before).
    /// </summary>
    public static async Task<IReadOnlyList<SampleDeployment>> DeclareSamplesAsync(ControlClient client, IReadOnlyCollection<string> registered, TextWriter output, CancellationToken cancellationToken)
    {
        var declared = new List<SampleDeployment>();
        foreach (var sample in Samples.Where(s => registered.Contains(s.Model)))
        {
            try
            {
                await client.GetAsync(sample.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (ControlClientException e) when (e.StatusCode == 404)
            {
                await output.WriteLineAsync($"turbine up: declaring deployment {sample.Name} ({sample.Describe()})").ConfigureAwait(false);
                await client.ApplyAsync(sample.Yaml(), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            declared.Add(sample);
        }

        return declared;
    }

    /// <summary>Polls until each deployment with a minimum of replicas has a ready one, or <paramref name="timeout"/> passes; returns the names still not ready.</summary>
    public static async Task<IReadOnlyList<string>> WaitForReplicasAsync(ControlClient client, IEnumerable<SampleDeployment> deployments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiting = deployments.Where(d => d.MinReplicas > 0).Select(d => d.Name).ToList();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (waiting.Count > 0)
            {
                foreach (var name in waiting.ToList())
                {
                    if ((await client.GetAsync(name, deadline.Token).ConfigureAwait(false)).Status.ReadyReplicas > 0)
                    {
                        waiting.Remove(name);
                    }
                }

                if (waiting.Count > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return waiting;
    }

    /// <summary>One sample deployment of <c>up</c>: its name (a DNS-1123 label) and the sample model it serves.</summary>
    internal sealed record SampleDeployment(string Name, string Model, int MinReplicas, int MaxReplicas, int ScaleTarget, string? CanarySteps)
    {
        public string Describe() => MinReplicas == 0
            ? string.Create(CultureInfo.InvariantCulture, $"0-{MaxReplicas} replicas, scales to zero when idle")
            : string.Create(CultureInfo.InvariantCulture, $"{MinReplicas}-{MaxReplicas} replicas at {ScaleTarget} concurrent requests each");

        /// <summary>The KServe InferenceService <c>up</c> applies, as a user would write it.</summary>
        public string Yaml() => string.Join('\n',
        [
            "apiVersion: serving.kserve.io/v1beta1",
            "kind: InferenceService",
            "metadata:",
            $"  name: {Name}",
            .. CanarySteps is null ? Array.Empty<string>() : ["  annotations:", $"    turbine.dev/canary-steps: \"{CanarySteps}\""],
            "spec:",
            "  predictor:",
            string.Create(CultureInfo.InvariantCulture, $"    minReplicas: {MinReplicas}"),
            string.Create(CultureInfo.InvariantCulture, $"    maxReplicas: {MaxReplicas}"),
            "    scaleMetric: concurrency",
            string.Create(CultureInfo.InvariantCulture, $"    scaleTarget: {ScaleTarget}"),
            "    model:",
            "      modelFormat:",
            "        name: onnx",
            $"      storageUri: registry://{Model}@production",
            "",
        ]);
    }
}
