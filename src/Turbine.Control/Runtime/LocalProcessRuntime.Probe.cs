using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Turbine.Control.Runtime;

public sealed partial class LocalProcessRuntime
{
    private const int MaxProbeBodyBytes = 64 * 1024;
    private const int MaxMetricsBytes = 4 * 1024 * 1024;

    /// <inheritdoc />
    public async Task<ReplicaProbe> ProbeAsync(ReplicaProcess replica, CancellationToken cancellationToken)
    {
        var local = Local(replica);
        ReplicaLogFile.RotateIfLarge(local.LogPath, _options.MaxLogBytes);
        if (!local.IsRunning)
        {
            return new ReplicaProbe(ReplicaProbeState.Exited, ExitMessage(local));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ProbeTimeout);
        try
        {
            var (status, body) = await GetAsync(local.HttpPort, "v2/health/ready", null, timeout.Token).ConfigureAwait(false);
            if (status != HttpStatusCode.OK)
            {
                return new ReplicaProbe(ReplicaProbeState.Starting, await NotReadyMessageAsync(local, $"the server is not ready ({(int)status}{Detail(body)})", timeout.Token).ConfigureAwait(false));
            }

            foreach (var model in local.Metadata.ModelNames)
            {
                (status, body) = await GetAsync(local.HttpPort, $"v2/models/{Uri.EscapeDataString(model)}/ready", null, timeout.Token).ConfigureAwait(false);
                if (status != HttpStatusCode.OK)
                {
                    return new ReplicaProbe(ReplicaProbeState.Starting, await NotReadyMessageAsync(local, $"model '{model}' is not ready ({(int)status}{Detail(body)})", timeout.Token).ConfigureAwait(false));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Recheck(local, $"the server did not answer within {_options.ProbeTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return Recheck(local, $"the server does not answer on port {local.HttpPort} yet: {e.Message}");
        }

        if (!local.TakeFirstReady())
        {
            return new ReplicaProbe(ReplicaProbeState.Ready);
        }

        var coldStart = await MeasureColdStartAsync(local, cancellationToken).ConfigureAwait(false);
        _metrics.Record(local.Deployment, coldStart, _time.GetUtcNow());
        return new ReplicaProbe(ReplicaProbeState.Ready) { ColdStart = coldStart };
    }

    private static LocalReplicaProcess Local(ReplicaProcess replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return replica as LocalReplicaProcess
            ?? throw new ArgumentException($"replica '{replica.Deployment}/{replica.ReplicaId}' was not started or adopted by a {nameof(LocalProcessRuntime)}", nameof(replica));
    }

    /// <summary>A failed HTTP call: Exited when the process died meanwhile, else Starting with <paramref name="why"/>.</summary>
    private ReplicaProbe Recheck(LocalReplicaProcess local, string why) =>
        local.IsRunning ? new ReplicaProbe(ReplicaProbeState.Starting, why) : new ReplicaProbe(ReplicaProbeState.Exited, ExitMessage(local));

    private string ExitMessage(LocalReplicaProcess local)
    {
        var last = ReplicaLogFile.LastLine(local.LogPath, _options.MaxLogTailBytes) ?? "(no output in its log)";
        return local.ExitCode is { } code
            ? $"exited with code {code}: {last}"
            : $"the process {local.Pid} is gone: {last}";
    }

    /// <summary><paramref name="why"/>, with each model's state and reason from the server's repository index when it answers.</summary>
    private async Task<string> NotReadyMessageAsync(LocalReplicaProcess local, string why, CancellationToken cancellationToken)
    {
        try
        {
            var (status, body) = await GetAsync(local.HttpPort, "v2/repository/index", "{}", cancellationToken).ConfigureAwait(false);
            if (status != HttpStatusCode.OK)
            {
                return why;
            }

            using var document = JsonDocument.Parse(body);
            var reasons = new List<string>();
            foreach (var row in document.RootElement.EnumerateArray())
            {
                var name = row.TryGetProperty("name", out var n) ? n.GetString() : null;
                var state = row.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                var reason = row.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                if (name is not null && state is not "READY" && (local.Metadata.ModelNames.Count == 0 || local.Metadata.ModelNames.Contains(name)))
                {
                    reasons.Add($"'{name}' {state ?? "not loaded"}{(string.IsNullOrEmpty(reason) ? "" : ": " + reason)}");
                }
            }

            return reasons.Count == 0 ? why : $"{why}; {string.Join("; ", reasons.Take(8))}";
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or OperationCanceledException)
        {
            return why;
        }
    }

    private static string Detail(string body) => body.Length == 0 ? "" : ": " + (body.Length > 200 ? body[..200] : body);

    /// <summary>GET (or POST <paramref name="postJson"/>) on the replica's loopback port; the body read is bounded.</summary>
    private async Task<(HttpStatusCode Status, string Body)> GetAsync(int port, string path, string? postJson, CancellationToken cancellationToken, int maxBytes = MaxProbeBodyBytes)
    {
        var uri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{path}");
        using var request = new HttpRequestMessage(postJson is null ? HttpMethod.Get : HttpMethod.Post, uri);
        if (postJson is not null)
        {
            request.Content = new StringContent(postJson, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Math.Min(maxBytes, 81920)];
        using var collected = new MemoryStream();
        int read;
        while (collected.Length < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, maxBytes - collected.Length)), cancellationToken).ConfigureAwait(false)) > 0)
        {
            await collected.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return (response.StatusCode, Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)collected.Length));
    }

    /// <summary>
    /// Total from the clock; load and warm-up from the server's <c>/metrics</c> (<c>turbine_model_load_duration_seconds</c>
    /// is load plus warm-up; <c>turbine_model_warmup_duration_seconds</c> the warm-up), summed over the revision's
    /// models. A phase the server does not report stays null.
    /// </summary>
    private async Task<ReplicaColdStart> MeasureColdStartAsync(LocalReplicaProcess local, CancellationToken cancellationToken)
    {
        var total = _time.GetUtcNow() - local.StartedAt;
        if (local.Metadata.MetricsPort <= 0)
        {
            return new ReplicaColdStart(total, null, null, null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ProbeTimeout);
        try
        {
            var (status, body) = await GetAsync(local.Metadata.MetricsPort, "metrics", null, timeout.Token, MaxMetricsBytes).ConfigureAwait(false);
            if (status != HttpStatusCode.OK)
            {
                return new ReplicaColdStart(total, null, null, null);
            }

            var models = local.Metadata.ModelNames;
            var loadAndWarmup = PrometheusText.Sum(body, "turbine_model_load_duration_seconds", models);
            var warmup = PrometheusText.Sum(body, "turbine_model_warmup_duration_seconds", models);
            var fetch = PrometheusText.Sum(body, "turbine_registry_fetch_duration_seconds", models);
            TimeSpan? load = loadAndWarmup is { } lw ? TimeSpan.FromSeconds(Math.Max(0, lw - (warmup ?? 0))) : null;
            return new ReplicaColdStart(total, fetch is { } f ? TimeSpan.FromSeconds(f) : null, load, warmup is { } w ? TimeSpan.FromSeconds(w) : null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ReplicaColdStart(total, null, null, null);
        }
    }
}
