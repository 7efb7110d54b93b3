using System.Collections.Frozen;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Repository;
using Turbine.Core.Stats;

namespace Turbine.Core.Scheduling;

/// <summary>Picks a version's scheduler policy from its config: <c>sequence_batching</c> set → the sequence batcher, <c>dynamic_batching</c> → the dynamic batcher.</summary>
internal static class SchedulerFactory
{
    private static readonly FrozenDictionary<string, Func<ModelConfig, IReadOnlyList<IModelInstance>, ModelStatistics, TimeProvider, ModelFiles?, IScheduler>> Policies =
        new Dictionary<string, Func<ModelConfig, IReadOnlyList<IModelInstance>, ModelStatistics, TimeProvider, ModelFiles?, IScheduler>>(StringComparer.Ordinal)
        {
            [InstancePoolScheduler.PolicyName] = static (_, instances, statistics, _, _) => new InstancePoolScheduler(instances, statistics),
            [DynamicBatcher.PolicyName] = static (config, instances, statistics, time, _) => new DynamicBatcher(config, instances, statistics, time),
            [SequenceBatcher.PolicyName] = static (config, instances, statistics, time, directory) => new SequenceBatcher(config, instances, statistics, time, directory),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static string PolicyFor(ModelConfig config) =>
        config.SequenceBatching is not null ? SequenceBatcher.PolicyName
        : config.DynamicBatching is not null ? DynamicBatcher.PolicyName
        : InstancePoolScheduler.PolicyName;

    /// <summary>Creates the scheduler, which takes ownership of the instances.</summary>
    /// <param name="config">The model's configuration; its batching settings choose the policy.</param>
    /// <param name="instances">The model's instances, owned by the scheduler from now on.</param>
    /// <param name="statistics">Where the scheduler records queue and compute times.</param>
    /// <param name="time">The clock for batching delays and timeouts.</param>
    /// <param name="files">The model folder's files (the sequence batcher reads <c>initial_state/</c> files through it).</param>
    public static IScheduler Create(ModelConfig config, IReadOnlyList<IModelInstance> instances, ModelStatistics statistics, TimeProvider time, ModelFiles? files = null) =>
        Policies[PolicyFor(config)](config, instances, statistics, time, files);
}
