namespace Turbine.Gateway.Configuration;

/// <summary>Header operations, applied in this order: remove, set (replace), append (add a value).</summary>
public sealed record HeaderOpsConfig
{
    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "content-length", "transfer-encoding", "host", "keep-alive", "upgrade", "te", "trailer",
        "proxy-connection", "content-type", "authorization", "x-api-key",
    };

    /// <summary>Headers to remove.</summary>
    public List<string> Remove { get; init => field = value ?? []; } = [];

    /// <summary>Headers to set, replacing any value.</summary>
    public Dictionary<string, string> Set { get; init => field = value ?? []; } = [];

    /// <summary>Headers to add a value to (kept alongside existing values).</summary>
    public Dictionary<string, string> Append { get; init => field = value ?? []; } = [];

    internal bool IsEmpty() => Remove.Count == 0 && Set.Count == 0 && Append.Count == 0;

    internal void Validate(string path, ConfigValidationContext context)
    {
        for (var i = 0; i < Remove.Count; i++)
        {
            ValidateName(Remove[i], $"{path}.remove[{i}]", context);
        }

        foreach (var (section, entries) in new[] { ("set", Set), ("append", Append) })
        {
            foreach (var (name, value) in entries)
            {
                var entryPath = $"{path}.{section}.{name}";
                ValidateName(name, entryPath, context);
                if (value is null || value.Any(c => c is '\r' or '\n' or '\0'))
                {
                    context.Error(entryPath, "expected a header value on one line (no CR, LF or NUL)");
                }
            }
        }
    }

    private static void ValidateName(string? name, string path, ConfigValidationContext context)
    {
        if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
        {
            context.Error(path, $"'{name}' is not a valid header name");
        }
        else if (Forbidden.Contains(name) || name.StartsWith(':'))
        {
            context.Error(path, $"header '{name}' is managed by the gateway and cannot be changed by a transform");
        }
    }

    private static bool IsTokenChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
        || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
