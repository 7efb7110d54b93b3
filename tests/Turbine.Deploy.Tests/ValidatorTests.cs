namespace Turbine.Deploy.Tests;

/// <summary>The schema validator itself: an invalid field fails and is named, every error of every object is reported.</summary>
public sealed class ValidatorTests
{
    [Fact]
    public async Task Validate_InvalidFields_FailNamingEachOne()
    {
        var (_, yaml, _) = await DeployTools.HelmTemplateAsync(["ci/keda-values.yaml"]);
        var broken = yaml
            .Replace("minReplicaCount: 0", "minReplicaCount: zero", StringComparison.Ordinal)
            .Replace("maxUnavailable: 1", "maxUnavailable: [1]", StringComparison.Ordinal)
            .Replace("interval: 15s\n", "interval: [15s]\n", StringComparison.Ordinal)
            .Replace("containerPort: 8002", "containerPort: metrics", StringComparison.Ordinal);
        var (code, lines) = await DeployTools.ValidateAsync(broken);
        Assert.Equal(1, code);
        var errors = lines.Where(l => l.StartsWith("error ", StringComparison.Ordinal)).ToArray();
        Assert.Contains(errors, e => e.Contains("ScaledObject/demo-turbine-server: /spec/minReplicaCount: must be integer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("PodDisruptionBudget/demo-turbine-server: /spec/maxUnavailable", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ServiceMonitor/demo-turbine-server: /spec/endpoints/0/interval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("PodMonitor/demo-turbine-gateway: /spec/podMetricsEndpoints/0/interval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Deployment/demo-turbine-server: /spec/template/spec/containers/0/ports/2/containerPort: must be integer", StringComparison.Ordinal));
        // ScaledObject, server PDB, server Deployment, and both ServiceMonitors and PodMonitors (every interval was broken).
        Assert.Matches("^[0-9]+ passed, 7 failed$", lines[^1]);
    }

    [Fact]
    public async Task Validate_UnknownKind_Fails()
    {
        var (code, lines) = await DeployTools.ValidateAsync("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
        Assert.Equal(1, code);
        Assert.Equal(["error Widget/w: /apiVersion: no schema for example.com/v1", "0 passed, 1 failed"], lines);
    }
}
