using System.Collections.Frozen;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Stats;

namespace Turbine.Core.Scheduling;

/// <summary>Picks a version's scheduler policy from its config: <c>dynamic_batching</c> set → the dynamic batcher.</summary>
internal static class SchedulerFactory
{
    private static readonly FrozenDictionary<string, Func<ModelConfig, IReadOnlyList<IModelInstance>, ModelStatistics, TimeProvider, IScheduler>> Policies =
        new Dictionary<string, Func<ModelConfig, IReadOnlyList<IModelInstance>, ModelStatistics, TimeProvider, IScheduler>>(StringComparer.Ordinal)
        {
            [InstancePoolScheduler.PolicyName] = static (_, instances, statistics, _) => new InstancePoolScheduler(instances, statistics),
            [DynamicBatcher.PolicyName] = static (config, instances, statistics, time) => new DynamicBatcher(config, instances, statistics, time),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static string PolicyFor(ModelConfig config) =>
        config.DynamicBatching is not null ? DynamicBatcher.PolicyName : InstancePoolScheduler.PolicyName;

    /// <summary>Creates the scheduler, which takes ownership of the instances.</summary>
    public static IScheduler Create(ModelConfig config, IReadOnlyList<IModelInstance> instances, ModelStatistics statistics, TimeProvider time) =>
        Policies[PolicyFor(config)](config, instances, statistics, time);
}
