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
            CheckPreferred("sequence_batching.oldest", oldest.PreferredBatchSizes, config.MaxBatchSize, add);
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
