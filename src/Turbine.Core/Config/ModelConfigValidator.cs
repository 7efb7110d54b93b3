using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>
/// Semantic checks on a parsed <see cref="ModelConfig"/>. Each problem is one message
/// <c>"{sourcePath}: {where}: {what}, got {actual}"</c>; an empty result means valid.
/// Dims: every dimension is &gt;= -1; empty <c>dims</c> (a scalar per batch item) is allowed only when
/// max_batch_size &gt; 0 or a reshape is given.
/// </summary>
internal static class ModelConfigValidator
{
    public static ImmutableArray<string> Validate(ModelConfig config, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = ImmutableArray.CreateBuilder<string>();
        void Add(string what) => problems.Add($"{sourcePath}: {what}");

        if (string.IsNullOrEmpty(config.Name))
        {
            Add("field 'name' must be non-empty");
        }

        if (config.MaxBatchSize < 0)
        {
            Add($"field 'max_batch_size' must be >= 0, got {config.MaxBatchSize}");
        }

        CheckVersionPolicy(config.VersionPolicy ?? ModelVersionPolicy.Default, Add);
        CheckTensors(config, Add);
        for (var i = 0; i < config.InstanceGroups.Length; i++)
        {
            if (config.InstanceGroups[i].Count < 1)
            {
                Add($"instance_group[{i}]: field 'count' must be >= 1, got {config.InstanceGroups[i].Count}");
            }

            CheckGpus(config.InstanceGroups[i], i, Add);
        }

        if (config.DynamicBatching is { } db)
        {
            ModelConfigValidatorRules.CheckDynamicBatching(config, db, Add);
        }

        if (config.SequenceBatching is { } sb)
        {
            ModelConfigValidatorRules.CheckSequenceBatching(config, sb, Add);
        }

        if (config.DynamicBatching is not null && config.SequenceBatching is not null)
        {
            Add("only one of 'dynamic_batching' and 'sequence_batching' may be set, got both");
        }

        ModelConfigValidatorRules.CheckWarmup(config, Add);
        if (Payloads.PayloadLogSettings.Parse(config.Parameters) is { IsOk: false } payload)
        {
            Add(payload.Error.Message);
        }

        if (Scheduling.SequenceBacklogSettings.Parse(config.Parameters) is { IsOk: false } backlog)
        {
            Add(backlog.Error.Message);
        }

        return problems.ToImmutable();
    }

    private static void CheckVersionPolicy(ModelVersionPolicy policy, Action<string> add)
    {
        if (policy.Kind == ModelVersionPolicyKind.Latest && policy.NumVersions < 1)
        {
            add($"version_policy: field 'latest.num_versions' must be >= 1, got {policy.NumVersions}");
        }

        if (policy.Kind == ModelVersionPolicyKind.Specific)
        {
            if (policy.Versions.IsDefaultOrEmpty)
            {
                add("version_policy: field 'specific.versions' must list at least one version, got none");
            }

            foreach (var v in policy.Versions.IsDefault ? [] : policy.Versions)
            {
                if (v <= 0)
                {
                    add($"version_policy: field 'specific.versions' must be > 0, got {v}");
                }
            }
        }
    }

    private static void CheckTensors(ModelConfig config, Action<string> add)
    {
        var seenInputs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Inputs.Length; i++)
        {
            var input = config.Inputs[i];
            var where = $"input[{i}] '{input.Name}'";
            CheckTensor(config, where, input.Name, input.DataType, input.Dims, input.Reshape, seenInputs, "input", add);
            if (input.Format is not ("FORMAT_NONE" or "FORMAT_NHWC" or "FORMAT_NCHW"))
            {
                add($"{where}: field 'format' must be FORMAT_NONE, FORMAT_NHWC or FORMAT_NCHW, got '{input.Format}'");
            }
        }

        var seenOutputs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Outputs.Length; i++)
        {
            var output = config.Outputs[i];
            CheckTensor(config, $"output[{i}] '{output.Name}'", output.Name, output.DataType, output.Dims, output.Reshape, seenOutputs, "output", add);
        }
    }

    private static void CheckTensor(
        ModelConfig config, string where, string name, TensorDataType type, ImmutableArray<long> dims,
        ImmutableArray<long>? reshape, HashSet<string> seen, string kind, Action<string> add)
    {
        if (string.IsNullOrEmpty(name))
        {
            add($"{where}: field 'name' must be non-empty");
        }
        else if (!seen.Add(name))
        {
            add($"{where}: {kind} name '{name}' is used twice");
        }

        if (type == TensorDataType.Invalid || !Enum.IsDefined(type))
        {
            add($"{where}: field 'data_type' must be a valid type such as TYPE_FP32, got {(Enum.IsDefined(type) ? type.ToConfigName() : ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }

        var d = dims.IsDefault ? [] : dims;
        if (d.Any(x => x < -1))
        {
            add($"{where}: field 'dims' must have every dimension >= -1, got {ConfigText.Shape(d)}");
        }

        if (d.IsEmpty && config.MaxBatchSize == 0 && reshape is null)
        {
            add($"{where}: field 'dims' must be non-empty when max_batch_size is 0 and no reshape is given, got []");
        }

        if (reshape is { } r)
        {
            var rs = r.IsDefault ? [] : r;
            if (rs.Any(x => x < -1))
            {
                add($"{where}: field 'reshape.shape' must have every dimension >= -1, got {ConfigText.Shape(rs)}");
            }
            else if (d.All(x => x >= 0) && rs.All(x => x >= 0) && Product(d) != Product(rs))
            {
                add($"{where}: field 'reshape.shape' {ConfigText.Shape(rs)} has {Product(rs)} elements, expected {Product(d)} like dims {ConfigText.Shape(d)}");
            }
        }
    }

    private static long Product(ImmutableArray<long> dims)
    {
        long p = 1;
        foreach (var x in dims)
        {
            p = unchecked(p * x);
        }

        return p;
    }

    /// <summary>
    /// <c>gpus</c> lists device ids (&gt;= 0) and belongs to KIND_GPU groups only: a CPU group naming GPUs (Triton's
    /// own check), or a KIND_AUTO one (which runs on the CPU here), would otherwise ignore them without a word.
    /// </summary>
    private static void CheckGpus(ModelInstanceGroup group, int index, Action<string> add)
    {
        if (group.Gpus.IsEmpty)
        {
            return;
        }

        var list = $"[{string.Join(", ", group.Gpus)}]";
        if (group.Kind != ModelInstanceKind.Gpu)
        {
            add($"instance_group[{index}]: field 'gpus' is for kind KIND_GPU only (KIND_AUTO runs on the CPU in Turbine), got {list} with kind {ConfigEnum.InstanceKind.NameOf((int)group.Kind)}");
        }

        if (group.Gpus.Any(g => g < 0))
        {
            add($"instance_group[{index}]: field 'gpus' must list device ids >= 0, got {list}");
        }
    }
}
