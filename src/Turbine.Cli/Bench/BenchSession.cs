using System.Text.Json;
using Turbine.Cli.Commands;
using Turbine.Client;

namespace Turbine.Cli.Bench;

/// <summary>
/// One <c>turbine bench</c> run against a server: reads the model's metadata and config, builds the inputs once,
/// checks that one request succeeds, then runs the sweep and returns the report.
/// </summary>
internal sealed class BenchSession
{
    public required string Model { get; init; }

    public string? Version { get; init; }

    public required string Protocol { get; init; }

    public string? Url { get; init; }

    /// <summary>Bearer token (API key or JWT) sent with every request; null sends none.</summary>
    public string? Token { get; init; }

    public bool Json { get; init; }

    public required BenchSettings Settings { get; init; }

    public InputDataKind DataKind { get; init; }

    public string? DataFile { get; init; }

    public IReadOnlyDictionary<string, long[]> Shapes { get; init; } = new Dictionary<string, long[]>();

    public async Task<BenchReport> RunAsync(Action<string> progress, CancellationToken ct, Action<double, string>? advance = null)
    {
        using var client = CreateClient();
        var metadata = await client.GetModelMetadataAsync(Model, Version, ct).ConfigureAwait(false);
        int maxBatchSize;
        using (var config = await client.GetModelConfigAsync(Model, Version, ct).ConfigureAwait(false))
        {
            maxBatchSize = config.RootElement.TryGetProperty("max_batch_size", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : 0;
        }

        var fileValues = DataKind == InputDataKind.File ? await ReadDataFileAsync(DataFile!, ct).ConfigureAwait(false) : null;
        var inputs = InputDataBuilder.Build(metadata.Inputs, maxBatchSize, Settings.BatchSize, Shapes, DataKind,
            new Random(Settings.Seed), fileValues, binary: !Json);
        var outputs = metadata.Outputs.Select(o => new InferRequestedOutput(o.Name, binary: !Json)).ToList();
        var options = new InferOptions { ModelVersion = Version, JsonOnly = Json };

        async Task Send(RequestTiming timing, CancellationToken token)
        {
            HttpTimingHandler.Current.Value = timing;
            await client.InferAsync(Model, inputs, outputs, options, token).ConfigureAwait(false);
        }

        // One request first: a model that cannot answer is one clear error, not a table of failures.
        await client.InferAsync(Model, inputs, outputs, options, ct).ConfigureAwait(false);

        async Task<ServerStatsSnapshot?> ReadStats(CancellationToken token)
        {
            using var doc = await client.GetModelStatisticsAsync(Model, Version, token).ConfigureAwait(false);
            return ServerStatsSnapshot.Parse(doc.RootElement, Model, Version);
        }

        var runner = new BenchRunner(Settings, Send, ReadStats, TimeProvider.System, progress, advance);
        var (levels, interrupted, firstError) = await runner.RunAsync(ct).ConfigureAwait(false);
        return new BenchReport(Model, Protocol == "grpc" ? "grpc" : Json ? "http json" : "http binary", levels, interrupted, firstError);
    }

    private ITurbineClient CreateClient()
    {
        if (Protocol == "grpc")
        {
            return InferCommand.CreateClient(Protocol, Url, Token);
        }

        var address = InferCommand.ResolveUrl(Protocol, Url);
#pragma warning disable CA2000 // the client disposes the timing handler, and it (a DelegatingHandler) disposes the SocketsHttpHandler inside
        return new TurbineHttpClient(address, new HttpTimingHandler(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) }), Token);
#pragma warning restore CA2000
    }

    private static async Task<IReadOnlyDictionary<string, JsonElement>> ReadDataFileAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--input-data '{path}': no such file; expected random, zero or a JSON file {{\"INPUT0\":[...], ...}}");
        }

        await using var stream = File.OpenRead(path);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"--input-data '{path}': expected a JSON object {{\"INPUT0\":[...], ...}}");
        }

        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }
}
