using Turbine.Client.Registry;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Registry;

/// <summary>Stores and reads reference profiles with model versions in the registry (see <see cref="ProfileCard"/>).</summary>
public static class ProfileRegistry
{
    /// <summary>Resolves <paramref name="reference"/> (<c>fraud:3</c>, <c>fraud@production</c>, <c>fraud</c>) and stores the profile with that version.</summary>
    public static async Task<RegistryModelVersion> SaveAsync(RegistryClient client, string reference, ReferenceProfile profile, CancellationToken ct = default)
    {
        var version = await client.ResolveAsync(reference, ct).ConfigureAwait(false);
        var card = await client.GetCardAsync(version.Model, version.Version, ct).ConfigureAwait(false);
        var stored = profile with { Model = version.Model, Version = version.Version };
        await client.SetCardAsync(version.Model, ProfileCard.Embed(card, stored), version.Version, ct).ConfigureAwait(false);
        return version;
    }

    /// <summary>The profile stored with the version <paramref name="reference"/> resolves to, or null.</summary>
    public static async Task<ReferenceProfile?> LoadAsync(RegistryClient client, string reference, CancellationToken ct = default)
    {
        var version = await client.ResolveAsync(reference, ct).ConfigureAwait(false);
        var card = await client.GetCardAsync(version.Model, version.Version, ct).ConfigureAwait(false);
        return ProfileCard.Extract(card);
    }
}
