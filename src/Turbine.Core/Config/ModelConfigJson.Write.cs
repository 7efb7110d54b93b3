using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

public static partial class ModelConfigJson
{
    /// <summary>Writes the config as one JSON object in Triton's style: the fields Triton always prints, plus
    /// dynamic_batching, sequence_batching, optimization, response_cache, model_transaction_policy and ensemble_scheduling when set.
    /// Map keys are written in ordinal order so equal configs give equal JSON.</summary>
    public static void Write(ModelConfig config, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("name", config.Name);
        writer.WriteString("platform", config.Platform);
        writer.WriteString("backend", config.Backend);
        WriteVersionPolicy(writer, config.VersionPolicy ?? ModelVersionPolicy.Default);
        writer.WriteNumber("max_batch_size", config.MaxBatchSize);
        WriteArray(writer, "input", config.Inputs, WriteInput);
        WriteArray(writer, "output", config.Outputs, WriteOutput);
        WriteArray(writer, "instance_group", config.InstanceGroups, WriteInstanceGroup);
        writer.WriteString("default_model_filename", config.DefaultModelFilename);
        if (config.DynamicBatching is { } db)
        {
            writer.WritePropertyName("dynamic_batching");
            WriteDynamicBatching(writer, db);
        }

        if (config.SequenceBatching is { } sb)
        {
            writer.WritePropertyName("sequence_batching");
            WriteSequenceBatching(writer, sb);
        }

        if (config.Optimization is { } opt)
        {
            writer.WritePropertyName("optimization");
            WriteOptimization(writer, opt);
        }

        WriteMap(writer, "parameters", config.Parameters, (w, v) =>
        {
            w.WriteStartObject();
            w.WriteString("string_value", v);
            w.WriteEndObject();
        });
        WriteArray(writer, "model_warmup", config.ModelWarmup, WriteWarmup);
        if (config.TransactionPolicy is { } tp)
        {
            writer.WriteStartObject("model_transaction_policy");
            writer.WriteBoolean("decoupled", tp.Decoupled);
            writer.WriteEndObject();
        }

        if (config.ResponseCache is { } rc)
        {
            writer.WriteStartObject("response_cache");
            writer.WriteBoolean("enable", rc.Enable);
            writer.WriteEndObject();
        }

        if (config.EnsembleScheduling is { } es)
        {
            writer.WriteStartObject("ensemble_scheduling");
            WriteArray(writer, "step", es.Steps, WriteEnsembleStep);
            writer.WriteNumber("max_inflight_requests", es.MaxInflightRequests);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteVersionPolicy(Utf8JsonWriter w, ModelVersionPolicy p)
    {
        w.WriteStartObject("version_policy");
        switch (p.Kind)
        {
            case ModelVersionPolicyKind.All:
                w.WriteStartObject("all");
                break;
            case ModelVersionPolicyKind.Specific:
                w.WriteStartObject("specific");
                WriteNumbers(w, "versions", p.Versions);
                break;
            default:
                w.WriteStartObject("latest");
                w.WriteNumber("num_versions", p.NumVersions);
                break;
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteInput(Utf8JsonWriter w, ModelInput i)
    {
        w.WriteString("name", i.Name);
        w.WriteString("data_type", i.DataType.ToConfigName());
        w.WriteString("format", i.Format);
        WriteNumbers(w, "dims", i.Dims);
        WriteReshape(w, i.Reshape);
        w.WriteBoolean("is_shape_tensor", i.IsShapeTensor);
        w.WriteBoolean("allow_ragged_batch", i.AllowRaggedBatch);
        w.WriteBoolean("optional", i.Optional);
    }

    private static void WriteOutput(Utf8JsonWriter w, ModelOutput o)
    {
        w.WriteString("name", o.Name);
        w.WriteString("data_type", o.DataType.ToConfigName());
        WriteNumbers(w, "dims", o.Dims);
        WriteReshape(w, o.Reshape);
        w.WriteString("label_filename", o.LabelFilename);
        w.WriteBoolean("is_shape_tensor", o.IsShapeTensor);
    }

    private static void WriteReshape(Utf8JsonWriter w, ImmutableArray<long>? reshape)
    {
        if (reshape is { } shape)
        {
            w.WriteStartObject("reshape");
            WriteNumbers(w, "shape", shape);
            w.WriteEndObject();
        }
    }

    private static void WriteInstanceGroup(Utf8JsonWriter w, ModelInstanceGroup g)
    {
        w.WriteString("name", g.Name);
        w.WriteString("kind", ConfigEnum.InstanceKind.NameOf((int)g.Kind));
        w.WriteNumber("count", g.Count);
        WriteNumbers(w, "gpus", g.Gpus);
    }

    private static void WriteEnsembleStep(Utf8JsonWriter w, EnsembleStep s)
    {
        w.WriteString("model_name", s.ModelName);
        w.WriteNumber("model_version", s.ModelVersion);
        WriteMap(w, "input_map", s.InputMap, (w2, v) => w2.WriteStringValue(v));
        WriteMap(w, "output_map", s.OutputMap, (w2, v) => w2.WriteStringValue(v));
    }

    private static void WriteQueuePolicy(Utf8JsonWriter w, ModelQueuePolicy p)
    {
        w.WriteStartObject();
        w.WriteString("timeout_action", ConfigEnum.TimeoutAction.NameOf((int)p.TimeoutAction));
        w.WriteNumber("default_timeout_microseconds", p.DefaultTimeoutMicroseconds);
        w.WriteBoolean("allow_timeout_override", p.AllowTimeoutOverride);
        w.WriteNumber("max_queue_size", p.MaxQueueSize);
        w.WriteEndObject();
    }

    private static void WriteDynamicBatching(Utf8JsonWriter w, ModelDynamicBatching d)
    {
        w.WriteStartObject();
        WriteNumbers(w, "preferred_batch_size", d.PreferredBatchSizes);
        w.WriteNumber("max_queue_delay_microseconds", d.MaxQueueDelayMicroseconds);
        w.WriteBoolean("preserve_ordering", d.PreserveOrdering);
        w.WriteNumber("priority_levels", d.PriorityLevels);
        w.WriteNumber("default_priority_level", d.DefaultPriorityLevel);
        if (d.DefaultQueuePolicy is { } q)
        {
            w.WritePropertyName("default_queue_policy");
            WriteQueuePolicy(w, q);
        }

        w.WriteStartObject("priority_queue_policy");
        foreach (var (key, policy) in (d.PriorityQueuePolicy ?? ImmutableDictionary<ulong, ModelQueuePolicy>.Empty).OrderBy(p => p.Key))
        {
            w.WritePropertyName(key.ToString(CultureInfo.InvariantCulture));
            WriteQueuePolicy(w, policy);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteArray<T>(Utf8JsonWriter w, string name, ImmutableArray<T> items, Action<Utf8JsonWriter, T> body)
    {
        w.WriteStartArray(name);
        foreach (var item in items.IsDefault ? [] : items)
        {
            w.WriteStartObject();
            body(w, item);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteNumbers<T>(Utf8JsonWriter w, string name, ImmutableArray<T> values)
        where T : IConvertible
    {
        w.WriteStartArray(name);
        foreach (var v in values.IsDefault ? [] : values)
        {
            switch (v)
            {
                case float f:
                    WriteFloat(w, f);
                    break;
                case bool b:
                    w.WriteBooleanValue(b);
                    break;
                default:
                    w.WriteNumberValue(v.ToInt64(CultureInfo.InvariantCulture));
                    break;
            }
        }

        w.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter w, float f)
    {
        if (float.IsFinite(f))
        {
            w.WriteNumberValue(f);
        }
        else
        {
            w.WriteStringValue(float.IsNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteMap<T>(Utf8JsonWriter w, string name, ImmutableDictionary<string, T>? map, Action<Utf8JsonWriter, T> value)
    {
        w.WriteStartObject(name);
        foreach (var (key, v) in (map ?? ImmutableDictionary<string, T>.Empty).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WritePropertyName(key);
            value(w, v);
        }

        w.WriteEndObject();
    }
}
