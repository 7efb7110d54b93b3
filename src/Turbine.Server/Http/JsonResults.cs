using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Turbine.Core;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Core.Stats;

namespace Turbine.Server.Http;

/// <summary>JSON bodies of the non-inference endpoints, written with <see cref="Utf8JsonWriter"/> in the protocol's shapes.</summary>
internal static class JsonResults
{
    /// <summary>Writer options for every JSON body: relaxed escaping so messages read as written ('x', not \u0027x\u0027).</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }

    public static void ServerMetadata(Utf8JsonWriter w, ServerMetadata m)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        w.WriteString("version", m.Version);
        w.WriteStartArray("extensions");
        foreach (var e in m.Extensions)
        {
            w.WriteStringValue(e);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void ModelMetadata(Utf8JsonWriter w, ModelMetadata m)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        w.WriteStartArray("versions");
        foreach (var v in m.Versions)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
        w.WriteString("platform", m.Platform);
        Tensors(w, "inputs", m.Inputs);
        Tensors(w, "outputs", m.Outputs);
        w.WriteEndObject();
    }

    public static void Config(Utf8JsonWriter w, ModelConfig config) => ModelConfigJson.Write(config, w);

    public static void Index(Utf8JsonWriter w, IReadOnlyList<RepositoryIndexEntry> rows)
    {
        w.WriteStartArray();
        foreach (var row in rows)
        {
            w.WriteStartObject();
            w.WriteString("name", row.Name);
            if (row.Version is { } v)
            {
                w.WriteString("version", v.ToString(CultureInfo.InvariantCulture));
            }

            if (row.State is { } s)
            {
                w.WriteString("state", s.ToString().ToUpperInvariant());
            }

            if (row.State is not null || row.Reason.Length > 0)
            {
                w.WriteString("reason", row.Reason);
            }

            if (row.MemoryBytes is { } bytes)
            {
                w.WriteNumber("memory_bytes", bytes);
            }

            if (row.Residency is { } residency)
            {
                w.WriteString("resident", residency);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static void Statistics(Utf8JsonWriter w, IReadOnlyList<ModelStatisticsSnapshot> stats)
    {
        w.WriteStartObject();
        w.WriteStartArray("model_stats");
        foreach (var s in stats)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("version", s.Version.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("last_inference", s.LastInferenceMs);
            w.WriteNumber("inference_count", s.InferenceCount);
            w.WriteNumber("execution_count", s.ExecutionCount);
            w.WriteStartObject("inference_stats");
            Duration(w, "success", s.InferenceStats.Success);
            Duration(w, "fail", s.InferenceStats.Fail);
            Duration(w, "queue", s.InferenceStats.Queue);
            Duration(w, "compute_input", s.InferenceStats.ComputeInput);
            Duration(w, "compute_infer", s.InferenceStats.ComputeInfer);
            Duration(w, "compute_output", s.InferenceStats.ComputeOutput);
            Duration(w, "cache_hit", s.InferenceStats.CacheHit);
            Duration(w, "cache_miss", s.InferenceStats.CacheMiss);
            w.WriteEndObject();
            w.WriteStartArray("batch_stats");
            foreach (var b in s.BatchStats)
            {
                w.WriteStartObject();
                w.WriteNumber("batch_size", b.BatchSize);
                Duration(w, "compute_input", b.ComputeInput);
                Duration(w, "compute_infer", b.ComputeInfer);
                Duration(w, "compute_output", b.ComputeOutput);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("memory_usage");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Duration(Utf8JsonWriter w, string name, StatisticDuration d)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", d.Count);
        w.WriteNumber("ns", d.Ns);
        w.WriteEndObject();
    }

    private static void Tensors(Utf8JsonWriter w, string name, IReadOnlyList<TensorMetadata> tensors)
    {
        w.WriteStartArray(name);
        foreach (var t in tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("datatype", t.Datatype);
            w.WriteStartArray("shape");
            foreach (var d in t.Shape)
            {
                w.WriteNumberValue(d);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
