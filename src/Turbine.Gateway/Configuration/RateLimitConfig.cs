namespace Turbine.Gateway.Configuration;

/// <summary>
/// <c>rateLimits:</c> token buckets per caller and per model. A request takes one token from its caller's bucket,
/// then one from its model's; either empty = 429 with <c>Retry-After</c>. Absent rules = no limit.
/// </summary>
public sealed record RateLimitConfig : IValidatableConfig
{
    /// <summary>Default bucket of each caller (API key id or JWT subject). Null = callers are not limited.</summary>
    public RateLimitRule? PerKey { get; init; }

    /// <summary>Buckets for named callers, overriding <see cref="PerKey"/>.</summary>
    public Dictionary<string, RateLimitRule> Keys { get; init => field = value ?? []; } = [];

    /// <summary>Bucket of each anonymous client address; null = <see cref="PerKey"/>.</summary>
    public RateLimitRule? Anonymous { get; init; }

    /// <summary>Default bucket of each model, shared by all its callers. Null = models are not limited.</summary>
    public RateLimitRule? PerModel { get; init; }

    /// <summary>Buckets for named models, overriding <see cref="PerModel"/>.</summary>
    public Dictionary<string, RateLimitRule> Models { get; init => field = value ?? []; } = [];

    /// <summary>True when any rule is configured.</summary>
    public bool IsEnabled() => PerKey is not null || Keys.Count > 0 || Anonymous is not null || PerModel is not null || Models.Count > 0;

    public void Validate(string path, ConfigValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        PerKey?.Validate($"{path}.perKey", context);
        Anonymous?.Validate($"{path}.anonymous", context);
        PerModel?.Validate($"{path}.perModel", context);
        foreach (var (key, rule) in Keys)
        {
            ValidateEntry(rule, $"{path}.keys.{key}", context);
        }

        foreach (var (model, rule) in Models)
        {
            ValidateEntry(rule, $"{path}.models.{model}", context);
        }
    }

    private static void ValidateEntry(RateLimitRule? rule, string path, ConfigValidationContext context)
    {
        if (rule is null)
        {
            context.Error(path, "empty rule; expected {requests, periodSeconds, burst}");
            return;
        }

        rule.Validate(path, context);
    }
}
