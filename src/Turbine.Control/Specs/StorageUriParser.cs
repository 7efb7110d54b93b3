using System.Globalization;
using System.Text.RegularExpressions;

namespace Turbine.Control.Specs;

/// <summary>
/// Parses <c>storageUri</c> text by hand rather than with <see cref="Uri"/>, which normalises <c>..</c> away and accepts
/// forms a spec should not: every hostile form (<c>file://../../etc</c>, <c>file:///a/../../etc/passwd</c>,
/// <c>%2e%2e</c>) is refused with a message, never silently rewritten.
/// </summary>
internal static partial class StorageUriParser
{
    private static readonly string[] Stages = ["Staging", "Production", "Archived"];

    public static StorageUri? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        if (text.Length == 0)
        {
            error = "storageUri is empty; expected registry://NAME@STAGE, file:///path or s3://bucket/key";
            return null;
        }

        if (text.Length > StorageUri.MaxLength)
        {
            error = $"storageUri has {text.Length} characters; the limit is {StorageUri.MaxLength}";
            return null;
        }

        if (text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            error = "storageUri contains white space or control characters";
            return null;
        }

        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            error = $"storageUri '{Shorten(text)}' has no scheme; expected registry://, file:// or s3://";
            return null;
        }

        var scheme = text[..separator];
        var rest = text[(separator + 3)..];
        if (rest.IndexOfAny(['?', '#']) >= 0)
        {
            error = $"storageUri '{Shorten(text)}' has a query or fragment; none is allowed";
            return null;
        }

        switch (scheme.ToLowerInvariant())
        {
            case "registry":
                return Registry(text, rest, out error);
            case "file":
                return File(text, rest, out error);
            case "s3":
                return S3(text, rest, out error);
            default:
                error = $"storageUri scheme '{Shorten(scheme)}' is not supported; use registry://, file:// or s3://";
                return null;
        }
    }

    private static RegistryStorageUri? Registry(string text, string rest, out string? error)
    {
        error = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var end = at >= 0 ? at : colon;
        var model = end >= 0 ? rest[..end] : rest;
        if (model.Length == 0)
        {
            error = $"storageUri '{Shorten(text)}' names no model; expected registry://NAME@STAGE, registry://NAME@ALIAS or registry://NAME:VERSION";
            return null;
        }

        if (!NamePattern().IsMatch(model))
        {
            error = $"storageUri '{Shorten(text)}': model name '{Shorten(model)}' is not valid: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit (no '/' or '..')";
            return null;
        }

        if (end < 0)
        {
            error = $"storageUri '{Shorten(text)}' names no version: add @STAGE, @ALIAS or :VERSION (a deployment pins what it serves)";
            return null;
        }

        var target = rest[(end + 1)..];
        if (at >= 0)
        {
            if (target.Length == 0)
            {
                error = $"storageUri '{Shorten(text)}' has nothing after '@'; expected a stage (Staging, Production, Archived) or an alias";
                return null;
            }

            if (Stages.FirstOrDefault(s => s.Equals(target, StringComparison.OrdinalIgnoreCase)) is { } stage)
            {
                return new RegistryStorageUri(text, model, stage, null, null);
            }

            if (!NamePattern().IsMatch(target) || target.Contains(':', StringComparison.Ordinal))
            {
                error = $"storageUri '{Shorten(text)}': alias '{Shorten(target)}' is not valid: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit";
                return null;
            }

            if (target.Equals("None", StringComparison.OrdinalIgnoreCase))
            {
                error = $"storageUri '{Shorten(text)}': stage None holds no served version; use Staging, Production, Archived or an alias";
                return null;
            }

            return new RegistryStorageUri(text, model, null, target, null);
        }

        if (!long.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
        {
            error = $"storageUri '{Shorten(text)}': the part after ':' must be a positive version number, got '{Shorten(target)}'";
            return null;
        }

        return new RegistryStorageUri(text, model, null, null, version);
    }

    private static FileStorageUri? File(string text, string rest, out string? error)
    {
        error = null;
        if (!rest.StartsWith('/'))
        {
            error = $"storageUri '{Shorten(text)}' is not an absolute file URI: write file:///absolute/path (three slashes; no host, no relative path)";
            return null;
        }

        string path;
        try
        {
            path = Uri.UnescapeDataString(rest);
        }
        catch (UriFormatException)
        {
            error = $"storageUri '{Shorten(text)}' has bad percent-encoding";
            return null;
        }

        if (path.Any(c => c is '\0' or '\\' || char.IsControl(c)))
        {
            error = $"storageUri '{Shorten(text)}': the path contains a NUL, backslash or control character";
            return null;
        }

        var segments = path.Split('/');
        if (segments.Any(s => s is "." or ".."))
        {
            error = $"storageUri '{Shorten(text)}': the path must be normalised: no '.' or '..' segments";
            return null;
        }

        if (path.Length > 1 && segments.Skip(1).SkipLast(1).Any(s => s.Length == 0))
        {
            error = $"storageUri '{Shorten(text)}': the path has an empty segment ('//')";
            return null;
        }

        return new FileStorageUri(text, path.Length > 1 ? path.TrimEnd('/') : path);
    }

    private static S3StorageUri? S3(string text, string rest, out string? error)
    {
        error = null;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (bucket.Length == 0)
        {
            error = $"storageUri '{Shorten(text)}' names no bucket; expected s3://bucket/key";
            return null;
        }

        if (!BucketPattern().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal) || IpAddressPattern().IsMatch(bucket))
        {
            error = $"storageUri '{Shorten(text)}': bucket '{Shorten(bucket)}' is not a valid S3 bucket name: 3-63 characters from a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address";
            return null;
        }

        if (key.Split('/').Any(s => s is "." or "..") || key.Any(c => c is '\\' || char.IsControl(c)))
        {
            error = $"storageUri '{Shorten(text)}': the key must not contain '.' or '..' segments, backslashes or control characters";
            return null;
        }

        return new S3StorageUri(text, bucket, key);
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    /// <summary>The registry's model and alias name rule (Turbine.Registry's <c>RegistryValidation</c>), mirrored.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$")]
    private static partial Regex IpAddressPattern();
}
