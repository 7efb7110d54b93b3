namespace Turbine.Gateway.LoadBalancing;

/// <summary>The policy names a pool may use, and the factory that builds one (per pool, with its own state).</summary>
internal static class BalancingPolicies
{
    public const string RoundRobin = "roundRobin";
    public const string LeastRequests = "leastRequests";
    public const string PowerOfTwoChoices = "powerOfTwoChoices";
    public const string PeakEwma = "peakEwma";

    public static IReadOnlyList<string> Names { get; } = [RoundRobin, LeastRequests, PowerOfTwoChoices, PeakEwma];

    public static bool IsKnown(string name) => Names.Contains(name);

    public static IBalancingPolicy Create(string name, Random random, TimeProvider time) => name switch
    {
        RoundRobin => new RoundRobinPolicy(),
        LeastRequests => new LeastRequestsPolicy(),
        PowerOfTwoChoices => new PowerOfTwoChoicesPolicy(random),
        PeakEwma => new PeakEwmaPolicy(random, time),
        _ => throw new ArgumentException($"unknown balancing policy '{name}'", nameof(name)),
    };
}
