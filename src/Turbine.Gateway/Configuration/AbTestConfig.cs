namespace Turbine.Gateway.Configuration;

/// <summary>
/// A/B test: a request naming a variant in <see cref="Header"/> or <see cref="Cookie"/> goes to it; any other is
/// assigned by a stable hash (XxHash64) of its sticky key (the <see cref="StickyHeader"/> value, else the
/// authenticated caller key, else the client address), so one caller always lands on the same variant.
/// </summary>
public sealed record AbTestConfig : IValidatableConfig
{
    public string? Header { get; init; }

    public string? Cookie { get; init; }

    public string? StickyHeader { get; init; }

    public List<AbVariantConfig> Variants { get; init; } = [];

    public void Validate(string path, ConfigValidationContext context)
    {
        if (Variants.Count < 1)
        {
            context.Error(path + ".variants", "an A/B test needs at least one variant");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Variants.Count; i++)
        {
            var v = Variants[i];
            if (string.IsNullOrEmpty(v.Name))
            {
                context.Error($"{path}.variants[{i}].name", "a variant needs a name");
            }
            else if (!names.Add(v.Name))
            {
                context.Error($"{path}.variants[{i}].name", $"variant '{v.Name}' is listed twice");
            }

            if (v.Weight < 0)
            {
                context.Error($"{path}.variants[{i}].weight", $"must not be negative, got {v.Weight}");
            }
        }

        if (Variants.Count > 0 && Variants.Sum(v => Math.Max(0, v.Weight)) <= 0)
        {
            context.Error(path + ".variants", "the weights must add up to more than 0");
        }
    }
}
