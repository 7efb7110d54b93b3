using Turbine.Registry.Domain;
using Turbine.Registry.Security;
using Turbine.Registry.Storage;

namespace Turbine.Registry;

/// <summary>
/// Token management straight on the metadata store (no server needed), for <c>turbine registry token create|list|revoke</c>:
/// the first admin token is made this way. Audit entries name the actor <c>cli</c>.
/// </summary>
public static class RegistryTokens
{
    private const string Actor = "cli";

    /// <summary>Creates a token; the returned <see cref="RegistryTokenInfo.Secret"/> is the only time the secret is visible.</summary>
    /// <exception cref="ArgumentException">The name, role (reader, writer, admin) or model pattern is invalid.</exception>
    public static async Task<RegistryTokenInfo> CreateAsync(RegistryOptions options, string name, string role, string? models, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validated = TokenRequests.Validate(name, role, models);
        if (!validated.IsOk)
        {
            throw new ArgumentException(validated.Error.Message, nameof(role));
        }

        var valid = validated.Value;

        var secret = TokenSecrets.Generate();
        await using var store = await OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var token = await store.CreateTokenAsync(valid.Name, valid.Role, valid.Models, TokenSecrets.Hash(secret), Actor, cancellationToken).ConfigureAwait(false);
        return ToInfo(token) with { Secret = secret };
    }

    public static async Task<IReadOnlyList<RegistryTokenInfo>> ListAsync(RegistryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var store = await OpenAsync(options, cancellationToken).ConfigureAwait(false);
        return (await store.ListTokensAsync(cancellationToken).ConfigureAwait(false)).Select(ToInfo).ToArray();
    }

    /// <summary>False when no active token has that id.</summary>
    public static async Task<bool> RevokeAsync(RegistryOptions options, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var store = await OpenAsync(options, cancellationToken).ConfigureAwait(false);
        return await store.RevokeTokenAsync(id, Actor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IRegistryStore> OpenAsync(RegistryOptions options, CancellationToken cancellationToken)
    {
        var store = RegistryStoreFactory.Create(options.DataDirectory, options.Database, options.TimeProvider);
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static RegistryTokenInfo ToInfo(ApiToken token) =>
        new(token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Models, token.CreatedAt, token.RevokedAt);
}
