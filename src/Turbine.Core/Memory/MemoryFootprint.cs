namespace Turbine.Core.Memory;

/// <summary>
/// What one loaded model version costs in memory, measured around its load (sessions created, warm-up run): the growth of
/// the process's resident set and of the managed heap, the bytes of its model file (the weights), and the figure the
/// memory budget charges for it.
/// </summary>
/// <param name="ResidentBytes">Growth of the process resident set (VmRSS) across the load and warm-up; 0 when it shrank.</param>
/// <param name="ManagedBytes">Growth of the managed heap across the load (part of <paramref name="ResidentBytes"/> once touched).</param>
/// <param name="WeightBytes">Size of the version's model file(s) on disk: the floor of what a version can cost.</param>
/// <param name="DeclaredBytes">The size the config declares with <c>parameters { key: "memory_bytes" … }</c>, or 0.</param>
public readonly record struct MemoryFootprint(long ResidentBytes, long ManagedBytes, long WeightBytes, long DeclaredBytes)
{
    /// <summary>Native growth: the resident growth not explained by the managed heap (ONNX Runtime's sessions, arenas, weights).</summary>
    public long NativeBytes => Math.Max(0, ResidentBytes - ManagedBytes);

    /// <summary>
    /// What the memory budget charges: the declared size when the config declares one, else the larger of the measured
    /// resident growth and the weight bytes (a reload can reuse pages freed by an earlier unload and measure less than the
    /// weights it holds).
    /// </summary>
    public long AccountedBytes => DeclaredBytes > 0 ? DeclaredBytes : Math.Max(ResidentBytes, WeightBytes);

    /// <summary>Nothing measured (graphs, versions loaded before measuring existed).</summary>
    public static MemoryFootprint None => default;
}
