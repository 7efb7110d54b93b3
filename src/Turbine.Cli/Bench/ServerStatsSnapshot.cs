using System.Globalization;
using System.Text.Json;

namespace Turbine.Cli.Bench;

/// <summary>
/// The cumulative counters of one model from the statistics API (<c>{"model_stats":[...]}</c>), summed over the
/// model's versions (or only the chosen version). Two snapshots diff into a <see cref="ServerBreakdown"/>.
/// </summary>
internal sealed record ServerStatsSnapshot(
    long SuccessCount,
    long QueueNs,
    long ComputeInputNs,
    long ComputeInferNs,
    long ComputeOutputNs,
    long InferenceCount,
    long ExecutionCount,
    IReadOnlyDictionary<long, long> BatchSizeCounts)
{
    /// <summary>Reads the model's counters; null when the document has no entry for it.</summary>
    public static ServerStatsSnapshot? Parse(JsonElement root, string model, string? version)
    {
        if (!root.TryGetProperty("model_stats", out var stats) || stats.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var found = false;
        long success = 0, queue = 0, input = 0, infer = 0, output = 0, inferences = 0, executions = 0;
        var batches = new Dictionary<long, long>();
        foreach (var s in stats.EnumerateArray())
        {
            if (Text(s, "name") != model || (version is not null && Text(s, "version") != version))
            {
                continue;
            }

            found = true;
            inferences += Number(s, "inference_count");
            executions += Number(s, "execution_count");
            if (s.TryGetProperty("inference_stats", out var i))
            {
                success += Count(i, "success");
                queue += Ns(i, "queue");
                input += Ns(i, "compute_input");
                infer += Ns(i, "compute_infer");
                output += Ns(i, "compute_output");
            }

            if (s.TryGetProperty("batch_stats", out var b) && b.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in b.EnumerateArray())
                {
                    var size = Number(entry, "batch_size");
                    batches[size] = batches.GetValueOrDefault(size) + Count(entry, "compute_infer");
                }
            }
        }

        return found ? new ServerStatsSnapshot(success, queue, input, infer, output, inferences, executions, batches) : null;
    }

    /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
    public ServerBreakdown Since(ServerStatsSnapshot earlier)
    {
        var requests = SuccessCount - earlier.SuccessCount;
        var executions = ExecutionCount - earlier.ExecutionCount;
        var inferences = InferenceCount - earlier.InferenceCount;
        double PerRequestUs(long now, long then) => requests > 0 ? (now - then) / 1000.0 / requests : 0;
        var batches = new SortedDictionary<long, long>();
        foreach (var (size, count) in BatchSizeCounts)
        {
            var diff = count - earlier.BatchSizeCounts.GetValueOrDefault(size);
            if (diff > 0)
            {
                batches[size] = diff;
            }
        }

        return new ServerBreakdown(
            requests,
            PerRequestUs(QueueNs, earlier.QueueNs),
            PerRequestUs(ComputeInputNs, earlier.ComputeInputNs),
            PerRequestUs(ComputeInferNs, earlier.ComputeInferNs),
            PerRequestUs(ComputeOutputNs, earlier.ComputeOutputNs),
            inferences,
            executions,
            executions > 0 ? inferences / (double)executions : 0,
            batches);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;

    private static long Number(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return 0;
        }

        // Protobuf's JSON writes 64-bit integers as strings; the REST API writes numbers.
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetInt64(),
            JsonValueKind.String => long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0,
            _ => 0,
        };
    }

    private static long Count(JsonElement e, string name) => e.TryGetProperty(name, out var d) ? Number(d, "count") : 0;

    private static long Ns(JsonElement e, string name) => e.TryGetProperty(name, out var d) ? Number(d, "ns") : 0;
}
