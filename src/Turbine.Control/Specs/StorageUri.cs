namespace Turbine.Control.Specs;

/// <summary>
/// A parsed <c>storageUri</c>: <see cref="RegistryStorageUri"/> (<c>registry://NAME@STAGE</c>, <c>@ALIAS</c>,
/// <c>:VERSION</c>), <see cref="FileStorageUri"/> (<c>file:///absolute/path</c>) or <see cref="S3StorageUri"/>
/// (<c>s3://bucket/key</c>). <see cref="Original"/> keeps the text as written.
/// </summary>
public abstract record StorageUri(string Original)
{
    /// <summary>Longest <c>storageUri</c> accepted, in characters.</summary>
    public const int MaxLength = 2048;

    /// <summary>Parses <paramref name="text"/>; on failure returns null and a message naming what is wrong.</summary>
    /// <param name="text">The URI as written.</param>
    /// <param name="error">Why it was refused, when the result is null.</param>
    public static StorageUri? TryParse(string text, out string? error) => StorageUriParser.TryParse(text, out error);
}
