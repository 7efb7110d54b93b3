namespace Turbine.Gateway.Configuration;

/// <summary><c>accessLog:</c> one JSON object per line per request, to stdout or a file.</summary>
public sealed record AccessLogConfig : IValidatableConfig
{
    /// <summary>Write access logs. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>File to append to (relative to the config folder); null or <c>-</c> = stdout.</summary>
    public string? Path { get; init; }

    /// <summary>Share of requests logged, 0..1. Default 1.</summary>
    public double SampleRate { get; init; } = 1.0;

    /// <summary>Log every request answered with status 400 or more, whatever the sample rate. Default true.</summary>
    public bool AlwaysLogErrors { get; init; } = true;

    /// <summary>Request paths not logged (exact, or a prefix ending in <c>*</c>), for example <c>/v2/health/*</c>.</summary>
    public List<string> ExcludePaths { get; init => field = value ?? []; } = [];

    /// <summary>Full path of <see cref="Path"/>, resolved against the config folder during validation.</summary>
    internal string? ResolvedPath { get; set; }

    public void Validate(string path, ConfigValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!(SampleRate is >= 0 and <= 1))
        {
            context.Error($"{path}.sampleRate", $"expected a share between 0 and 1, got {SampleRate}");
        }

        if (Path is not null and not "-")
        {
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(context.BaseDirectory, Path));
            var folder = System.IO.Path.GetDirectoryName(full);
            if (folder is null || !Directory.Exists(folder))
            {
                context.Error($"{path}.path", $"folder does not exist: {folder}");
            }
            else if (Directory.Exists(full))
            {
                context.Error($"{path}.path", $"'{full}' is a folder; expected a file");
            }
            else
            {
                ResolvedPath = full;
            }
        }

        for (var i = 0; i < ExcludePaths.Count; i++)
        {
            if (string.IsNullOrEmpty(ExcludePaths[i]) || ExcludePaths[i][0] != '/')
            {
                context.Error($"{path}.excludePaths[{i}]", $"expected a path starting with '/', got '{ExcludePaths[i]}'");
            }
        }
    }
}
