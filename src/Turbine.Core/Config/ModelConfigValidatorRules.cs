using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Batching and warmup rules of <see cref="ModelConfigValidator"/>.</summary>
internal static class ModelConfigValidatorRules
{
    public static void CheckDynamicBatching(ModelConfig config, ModelDynamicBatching db, Action<string> add)
    {
        if (config.MaxBatchSize <= 0)
        {
            add($"dynamic_batching requires max_batch_size > 0, got max_batch_size {config.MaxBatchSize}");
        }

        CheckPreferred("dynamic_batching", db.PreferredBatchSizes, config.MaxBatchSize, add);
        if (db.MaxQueueDelayMicroseconds < 0)
        {
            add($"dynamic_batching: field 'max_queue_delay_microseconds' must be >= 0, got {db.MaxQueueDelayMicroseconds}");
        }

        if (db.PriorityLevels < 0)
        {
            add($"dynamic_batching: field 'priority_levels' must be >= 0, got {db.PriorityLevels}");
        }

        if (db.PriorityLevels > 0 ? db.DefaultPriorityLevel < 1 || db.DefaultPriorityLevel > db.PriorityLevels : db.DefaultPriorityLevel != 0)
        {
            add($"dynamic_batching: field 'default_priority_level' must be in 1..priority_levels ({db.PriorityLevels}) when priority_levels is set and 0 otherwise, got {db.DefaultPriorityLevel}");
        }

        foreach (var key in db.PriorityQueuePolicy.Keys.Order())
        {
            if (key < 1 || key > (ulong)Math.Max(db.PriorityLevels, 0))
            {
                add($"dynamic_batching: key of 'priority_queue_policy' must be a priority level in 1..{db.PriorityLevels}, got {key}");
            }
        }
    }

    public static void CheckSequenceBatching(ModelConfig config, ModelSequenceBatching sb, Action<string> add)
    {
        if (sb.MaxSequenceIdleMicroseconds < 0)
        {
            add($"sequence_batching: field 'max_sequence_idle_microseconds' must be >= 0, got {sb.MaxSequenceIdleMicroseconds}");
        }

        if (sb.Direct is not null && sb.Oldest is not null)
        {
            add("sequence_batching: only one of 'direct' and 'oldest' may be set, got both");
        }

        for (var i = 0; i < sb.ControlInputs.Length; i++)
        {
            if (string.IsNullOrEmpty(sb.ControlInputs[i].Name))
            {
                add($"sequence_batching.control_input[{i}]: field 'name' must be non-empty");
            }
        }

        for (var i = 0; i < sb.States.Length; i++)
        {
            var s = sb.States[i];
            if (string.IsNullOrEmpty(s.InputName) || string.IsNullOrEmpty(s.OutputName))
            {
                add($"sequence_batching.state[{i}]: fields 'input_name' and 'output_name' must be non-empty, got '{s.InputName}' and '{s.OutputName}'");
            }
        }

        if (sb.Oldest is { } oldest)
        {
            if (config.MaxBatchSize <= 0)
            {
                add($"sequence_batching.oldest requires max_batch_size > 0, got max_batch_size {config.MaxBatchSize}; use the direct strategy for a model that does not batch");
            }

            CheckPreferred("sequence_batching.oldest", oldest.PreferredBatchSizes, config.MaxBatchSize, add);
            if (oldest.MaxCandidateSequences < 0 || oldest.MaxQueueDelayMicroseconds < 0)
            {
                add("sequence_batching.oldest: fields 'max_candidate_sequences' and 'max_queue_delay_microseconds' must be >= 0");
            }
        }

        if (sb.Direct is { MaxQueueDelayMicroseconds: < 0 })
        {
            add("sequence_batching.direct: field 'max_queue_delay_microseconds' must be >= 0");
        }

        CheckSequenceTensors(config, sb, add);
    }

    /// <summary>Control inputs and states: well-formed, and not also declared as config inputs or outputs.</summary>
    private static void CheckSequenceTensors(ModelConfig config, ModelSequenceBatching sb, Action<string> add)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _, role) in sb.ServerSuppliedInputs())
        {
            if (name.Length > 0 && !seen.Add(name))
            {
                add($"sequence_batching: {role} '{name}' is named more than once among the control and state inputs");
            }

            if (config.Inputs.Any(i => i.Name == name))
            {
                add($"sequence_batching: {role} '{name}' is supplied by the server; remove it from 'input' (clients do not send it)");
            }
        }

        for (var i = 0; i < sb.ControlInputs.Length; i++)
        {
            var input = sb.ControlInputs[i];
            if (input.Controls.Length != 1)
            {
                add($"sequence_batching.control_input[{i}] '{input.Name}': expected exactly one 'control', got {input.Controls.Length}");
                continue;
            }

            var control = input.Controls[0];
            if (control.Kind == SequenceControlKind.SequenceCorrId)
            {
                if (control.DataType is not (TensorDataType.UInt64 or TensorDataType.Int64 or TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.Bytes))
                {
                    add($"sequence_batching.control_input[{i}] '{input.Name}': CONTROL_SEQUENCE_CORRID needs data_type TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 or TYPE_STRING, got {control.DataType.ToConfigName()}");
                }

                continue;
            }

            var set = (control.Int32FalseTrue.IsEmpty ? 0 : 1) + (control.Fp32FalseTrue.IsEmpty ? 0 : 1) + (control.BoolFalseTrue.IsEmpty ? 0 : 1);
            var count = Math.Max(control.Int32FalseTrue.Length, Math.Max(control.Fp32FalseTrue.Length, control.BoolFalseTrue.Length));
            if (set != 1 || count != 2)
            {
                add($"sequence_batching.control_input[{i}] '{input.Name}': {control.Kind} needs exactly one of 'int32_false_true', 'fp32_false_true', 'bool_false_true' with two values [false, true]");
            }
        }

        for (var i = 0; i < sb.States.Length; i++)
        {
            var s = sb.States[i];
            if (s.DataType == TensorDataType.Invalid)
            {
                add($"sequence_batching.state[{i}] '{s.InputName}': field 'data_type' must be set");
            }

            if (config.Outputs.Any(o => o.Name == s.OutputName))
            {
                add($"sequence_batching.state[{i}]: state output '{s.OutputName}' is kept by the server; remove it from 'output'");
            }

            if (s.InitialState.Length > 1)
            {
                add($"sequence_batching.state[{i}] '{s.InputName}': at most one 'initial_state' is supported, got {s.InitialState.Length}");
            }

            foreach (var initial in s.InitialState)
            {
                if (initial.ZeroData == (initial.DataFile.Length > 0))
                {
                    add($"sequence_batching.state[{i}] '{s.InputName}': initial_state '{initial.Name}' must set exactly one of 'zero_data' and 'data_file'");
                }

                if (initial.DataType != TensorDataType.Invalid && initial.DataType != s.DataType)
                {
                    add($"sequence_batching.state[{i}] '{s.InputName}': initial_state data_type {initial.DataType.ToConfigName()} differs from the state's {s.DataType.ToConfigName()}");
                }

                if (initial.Dims.Any(d => d < 0))
                {
                    add($"sequence_batching.state[{i}] '{s.InputName}': initial_state dims must be fixed (no -1), got [{string.Join(",", initial.Dims)}]");
                }
            }
        }
    }

    public static void CheckWarmup(ModelConfig config, Action<string> add)
    {
        var names = new HashSet<string>(config.Inputs.Select(i => i.Name), StringComparer.Ordinal);
        if (config.SequenceBatching is { } sb)
        {
            names.UnionWith(sb.States.Select(s => s.InputName));
        }

        var maxBatch = Math.Max(config.MaxBatchSize, 1);
        for (var i = 0; i < config.ModelWarmup.Length; i++)
        {
            var w = config.ModelWarmup[i];
            var where = $"model_warmup[{i}] '{w.Name}'";
            if (string.IsNullOrEmpty(w.Name))
            {
                add($"{where}: field 'name' must be non-empty");
            }

            if (w.BatchSize < 0 || w.BatchSize > maxBatch)
            {
                add($"{where}: field 'batch_size' must be in 0..{maxBatch} (max(max_batch_size, 1)), got {w.BatchSize}");
            }

            if (w.Count < 0)
            {
                add($"{where}: field 'count' must be >= 0, got {w.Count}");
            }

            foreach (var (name, input) in w.Inputs.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!names.Contains(name))
                {
                    add($"{where}: input '{name}' must name a config input or sequence state, got an unknown name");
                }

                var sources = (input.ZeroData ? 1 : 0) + (input.RandomData ? 1 : 0) + (input.InputDataFile.Length > 0 ? 1 : 0);
                if (sources != 1)
                {
                    add($"{where}: input '{name}' must set exactly one of 'zero_data', 'random_data', 'input_data_file', got {sources}");
                }
            }
        }
    }

    private static void CheckPreferred(string where, System.Collections.Immutable.ImmutableArray<int> sizes, int maxBatchSize, Action<string> add)
    {
        foreach (var size in sizes)
        {
            if (size < 1 || size > maxBatchSize)
            {
                add($"{where}: field 'preferred_batch_size' values must be in 1..{maxBatchSize} (max_batch_size), got {size}");
            }
        }
    }
}
