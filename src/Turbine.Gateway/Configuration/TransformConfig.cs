namespace Turbine.Gateway.Configuration;

/// <summary><c>transforms:</c> header injection (global and per model) and the KServe v1 translation.</summary>
public sealed record TransformConfig : IValidatableConfig
{
    /// <summary>Translate KServe v1 (<c>/v1/models/{m}:predict</c>, <c>GET /v1/models/{m}</c>) to v2 and back. Default true.</summary>
    public bool KserveV1 { get; init; } = true;

    /// <summary>Header rules for every request.</summary>
    public HeaderRulesConfig Headers { get; init => field = value ?? new(); } = new();

    /// <summary>Header rules per model name, applied after the global ones.</summary>
    public Dictionary<string, HeaderRulesConfig> Models { get; init => field = value ?? []; } = [];

    public void Validate(string path, ConfigValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Headers?.Validate($"{path}.headers", context);
        foreach (var (model, rules) in Models)
        {
            if (rules is null)
            {
                context.Error($"{path}.models.{model}", "empty entry; expected {request, response}");
                continue;
            }

            rules.Validate($"{path}.models.{model}", context);
        }
    }
}
