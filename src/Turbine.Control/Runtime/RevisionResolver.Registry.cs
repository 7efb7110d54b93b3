using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Turbine.Client.Registry;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Runtime;

public sealed partial class RevisionResolver
{
    private const int MaxRevisionIdLength = 40;

    private async Task<ControlResult<RevisionModel>> ResolveRegistryAsync(RegistryStorageUri uri, CancellationToken cancellationToken)
    {
        var reference = uri.Reference;
        if (_registry is null)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Invalid,
                $"storageUri '{uri.Original}' names the registry, but no registry is configured (ResolverOptions.RegistryUrl)");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RegistryTimeout);
        RegistryModelVersion version;
        try
        {
            version = await _registry.ResolveAsync(reference, timeout.Token).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.IsNotFound)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.NotFound, $"registry reference '{reference}' was not found in the registry at {_registry.BaseAddress}: {e.Message}");
        }
        catch (RegistryException e)
        {
            var why = e.StatusCode == 0 ? "the registry could not be reached" : $"the registry answered {e.StatusCode} ({e.Code})";
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Unavailable, $"registry reference '{reference}' could not be resolved: {why}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Unavailable,
                $"registry reference '{reference}' could not be resolved: the registry at {_registry.BaseAddress} did not answer within {_options.RegistryTimeout.TotalSeconds:0.#} s");
        }

        if (version.Version <= 0 || !string.Equals(version.Model, uri.Model, StringComparison.Ordinal))
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Unavailable,
                $"registry reference '{reference}' resolved to '{version.Model}' version {version.Version}, which is not a version of '{uri.Model}'");
        }

        return ControlResult<RevisionModel>.Ok(new RevisionModel(
            RegistryRevisionId(uri.Model, version.Version),
            version.Version.ToString(CultureInfo.InvariantCulture),
            [uri.Model],
            new RegistryModelLocation(_registry.BaseAddress, uri.Model, version.Version)));
    }

    /// <summary>
    /// <c>NAME-vVERSION</c> when the name is already a clean <c>[a-z0-9]</c> label (single dashes) and it fits in 40
    /// characters; otherwise the name lower-cased with every other run of characters turned into one dash, cut to fit,
    /// then <c>--</c> and 10 hex of the name's SHA-256, then <c>-vVERSION</c>. A clean name never holds <c>--</c>, so the
    /// two forms cannot meet, and different names never share an id.
    /// </summary>
    internal static string RegistryRevisionId(string model, long version)
    {
        var suffix = "-v" + version.ToString(CultureInfo.InvariantCulture);
        if (CleanLabelPattern().IsMatch(model) && model.Length + suffix.Length <= MaxRevisionIdLength)
        {
            return model + suffix;
        }

        var hash = "--" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model)))[..10];
        var clean = NotLabelPattern().Replace(model.ToLowerInvariant(), "-").Trim('-');
        var room = MaxRevisionIdLength - hash.Length - suffix.Length;
        clean = clean.Length > room ? clean[..room].TrimEnd('-') : clean;
        return (clean.Length == 0 ? "m" : clean) + hash + suffix;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex CleanLabelPattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotLabelPattern();
}
