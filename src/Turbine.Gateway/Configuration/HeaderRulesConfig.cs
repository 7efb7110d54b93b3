namespace Turbine.Gateway.Configuration;

/// <summary>Header changes on the way to the backend (<see cref="Request"/>) and back to the client (<see cref="Response"/>).</summary>
public sealed record HeaderRulesConfig
{
    public HeaderOpsConfig Request { get; init => field = value ?? new(); } = new();

    public HeaderOpsConfig Response { get; init => field = value ?? new(); } = new();

    internal bool IsEmpty() => (Request?.IsEmpty() ?? true) && (Response?.IsEmpty() ?? true);

    internal void Validate(string path, ConfigValidationContext context)
    {
        Request?.Validate($"{path}.request", context);
        Response?.Validate($"{path}.response", context);
    }
}
