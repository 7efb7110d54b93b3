namespace Turbine.Gateway.Configuration;

/// <summary>
/// How one model's requests are routed: exactly one of <see cref="Pool"/> (all traffic to one pool),
/// <see cref="Split"/> (weighted split, for example a 10 % canary), <see cref="AbTest"/> (header/cookie choice,
/// sticky by caller) or <see cref="BlueGreen"/> (two pools, one active, switched by the admin API); and optionally
/// <see cref="Shadow"/> (an asynchronous copy of each request to another pool, answer discarded). Split targets and
/// A/B variants may name a model version; those without a pool use <see cref="Pool"/>, which may then be given
/// beside <see cref="Split"/> or <see cref="AbTest"/> as their default pool.
/// </summary>
public sealed record ModelRouteConfig : IValidatableConfig
{
    public string? Pool { get; init; }

    public List<SplitTargetConfig>? Split { get; init; }

    public AbTestConfig? AbTest { get; init; }

    public BlueGreenConfig? BlueGreen { get; init; }

    public ShadowConfig? Shadow { get; init; }

    public void Validate(string path, ConfigValidationContext context)
    {
        var chosen = (Pool is null || Split is not null || AbTest is not null ? 0 : 1) + (Split is null ? 0 : 1) + (AbTest is null ? 0 : 1) + (BlueGreen is null ? 0 : 1);
        if (chosen != 1)
        {
            context.Error(path, $"a model route needs exactly one of 'pool', 'split', 'abTest' or 'blueGreen', got {chosen}");
        }

        if (Split is not null)
        {
            if (Split.Count == 0)
            {
                context.Error(path + ".split", "a split needs at least one target");
            }

            for (var i = 0; i < Split.Count; i++)
            {
                if (Split[i].Weight < 0)
                {
                    context.Error($"{path}.split[{i}].weight", $"must not be negative, got {Split[i].Weight}");
                }

                ValidateVersion($"{path}.split[{i}].version", Split[i].Version, context);
            }

            if (Split.Count > 0 && Split.Sum(s => Math.Max(0, s.Weight)) <= 0)
            {
                context.Error(path + ".split", "the weights must add up to more than 0");
            }
        }

        AbTest?.Validate(path + ".abTest", context);
        for (var i = 0; i < (AbTest?.Variants.Count ?? 0); i++)
        {
            ValidateVersion($"{path}.abTest.variants[{i}].version", AbTest!.Variants[i].Version, context);
        }

        BlueGreen?.Validate(path + ".blueGreen", context);
        if (Shadow is not null && Shadow.Percent is < 0 or > 100)
        {
            context.Error(path + ".shadow.percent", $"must be between 0 and 100, got {Shadow.Percent}");
        }
    }

    /// <summary>A model version must be a positive integer (written as a string or a number in YAML).</summary>
    internal static void ValidateVersion(string path, string? version, ConfigValidationContext context)
    {
        if (version is not null && !(version.Length is > 0 and <= 18 && version.All(char.IsAsciiDigit) && long.Parse(version, System.Globalization.CultureInfo.InvariantCulture) > 0))
        {
            context.Error(path, $"a model version must be a positive integer, got '{version}'");
        }
    }

    /// <summary>Every pool name this route refers to, with the YAML path that names it.</summary>
    public IEnumerable<(string Path, string? Pool)> PoolReferences(string path)
    {
        if (Pool is not null)
        {
            yield return (path + ".pool", Pool);
        }

        for (var i = 0; i < (Split?.Count ?? 0); i++)
        {
            if (Split![i].Pool is not null || Pool is null)
            {
                yield return ($"{path}.split[{i}].pool", Split[i].Pool);
            }
        }

        for (var i = 0; i < (AbTest?.Variants.Count ?? 0); i++)
        {
            if (AbTest!.Variants[i].Pool is not null || Pool is null)
            {
                yield return ($"{path}.abTest.variants[{i}].pool", AbTest.Variants[i].Pool);
            }
        }

        if (BlueGreen is not null)
        {
            yield return (path + ".blueGreen.blue", BlueGreen.Blue);
            yield return (path + ".blueGreen.green", BlueGreen.Green);
        }

        if (Shadow is not null)
        {
            yield return (path + ".shadow.pool", Shadow.Pool);
        }
    }
}
