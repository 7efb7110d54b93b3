using Turbine.Protocol.Telemetry;

namespace Turbine.Core.Memory;

/// <summary>What the model memory budget holds and has done (<see cref="InferenceEngine.GetMemoryBudgetStatistics"/>).</summary>
/// <param name="BudgetBytes">The budget (<c>--model-memory-budget</c>); 0 when there is none.</param>
/// <param name="ResidentBytes">The accounted bytes of every loaded version (<see cref="MemoryFootprint.AccountedBytes"/>).</param>
/// <param name="PinnedBytes">The part of <paramref name="ResidentBytes"/> held by pinned versions.</param>
/// <param name="Loads">Loads that went through the budget (on demand, explicit, poll, registry).</param>
/// <param name="ColdLoads">Loads a request waited for (the model was not loaded when it arrived).</param>
/// <param name="Evictions">Idle versions unloaded to make room.</param>
/// <param name="Rejections">Loads refused: the model is bigger than the budget, or no room could be made in time.</param>
/// <param name="ColdLoadSeconds">How long requests waited for cold loads, seconds.</param>
public sealed record MemoryBudgetStatistics(long BudgetBytes, long ResidentBytes, long PinnedBytes, long Loads, long ColdLoads,
    long Evictions, long Rejections, Histogram ColdLoadSeconds);
