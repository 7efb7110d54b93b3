using System.Collections.Immutable;
using Turbine.Core.Config;

namespace Turbine.Core.Lifecycle;

/// <summary>
/// Immutable snapshot of one model: the versions serving now (ascending) and every version's status. The
/// request path reads it without locks; a load or unload builds a new one and swaps it in.
/// </summary>
internal sealed record ModelState(
    ImmutableArray<LoadedVersion> Serving,
    ImmutableSortedDictionary<long, VersionStatus> Statuses,
    ModelConfig? Config,
    string ModelReason)
{
    public static readonly ModelState Empty = new([], ImmutableSortedDictionary<long, VersionStatus>.Empty, null, "");
}
