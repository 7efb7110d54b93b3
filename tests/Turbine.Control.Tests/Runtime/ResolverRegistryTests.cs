using System.Text.RegularExpressions;
using Turbine.Client.Registry;
using Turbine.Control.Runtime;
using Turbine.Control.Storage;
using static Turbine.Control.Tests.Runtime.ResolverTestKit;

namespace Turbine.Control.Tests.Runtime;

/// <summary>registry:// URIs against a real registry on loopback.</summary>
public sealed class ResolverRegistryTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new("turbine-resolver-registry");
    private RegistryHarness _registry = null!;
    private RegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryHarness.StartAsync();
        _client = new RegistryClient(_registry.Url);
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "fraud" });
        for (var i = 1; i <= 3; i++)
        {
            var file = _folder.Write($"model{i}.onnx", [1, 2, 3, (byte)i]);
            await _client.CreateVersionAsync("fraud", new NewModelVersion { Artifact = await _client.UploadAsync(file) });
        }

        await _client.TransitionStageAsync("fraud", 2, "Production");
        await _client.SetAliasAsync("fraud", "champion", 3);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _registry.DisposeAsync();
        _folder.Dispose();
    }

    private RevisionResolver Resolver(Uri? registry = null, string? token = null) => new(new ResolverOptions
    {
        RegistryUrl = registry ?? _registry.Url,
        RegistryToken = token,
        CacheDirectory = _folder.File("cache"),
        RegistryTimeout = TimeSpan.FromSeconds(20),
    });

    [Theory]
    [InlineData("registry://fraud@production", 2)]
    [InlineData("registry://fraud@Staging2", -1)]
    [InlineData("registry://fraud@champion", 3)]
    [InlineData("registry://fraud:1", 1)]
    public async Task ResolveAsync_RegistryReference_ResolvesToTheConcreteVersion(string uri, long expected)
    {
        using var resolver = Resolver();

        var result = await resolver.ResolveAsync(Spec(uri), CancellationToken.None);

        if (expected < 0)
        {
            AssertFails(result, ControlErrorKind.NotFound, "fraud@Staging2");
            return;
        }

        var revision = AssertOk(result);
        Assert.Equal($"fraud-v{expected}", revision.RevisionId);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), revision.Version);
        Assert.Equal(["fraud"], revision.ModelNames);
        var location = Assert.IsType<RegistryModelLocation>(revision.Location);
        Assert.Equal(("fraud", expected), (location.Model, location.Version));
        Assert.Equal(_registry.Url.AbsoluteUri.TrimEnd('/'), location.Registry.AbsoluteUri.TrimEnd('/'));
        Assert.Null(revision.FetchDuration);
    }

    [Fact]
    public async Task ResolveAsync_StageMoves_ResolvesToTheNewVersion()
    {
        using var resolver = Resolver();
        Assert.Equal("fraud-v2", AssertOk(await resolver.ResolveAsync(Spec("registry://fraud@production"), CancellationToken.None)).RevisionId);

        await _client.TransitionStageAsync("fraud", 3, "Production", archiveExisting: true);

        Assert.Equal("fraud-v3", AssertOk(await resolver.ResolveAsync(Spec("registry://fraud@production"), CancellationToken.None)).RevisionId);
    }

    [Theory]
    [InlineData("registry://nosuch@production", "nosuch@Production")]
    [InlineData("registry://fraud:99", "fraud:99")]
    [InlineData("registry://fraud@nosuchalias", "fraud@nosuchalias")]
    [InlineData("registry://fraud@archived", "fraud@Archived")]
    public async Task ResolveAsync_UnknownReference_FailsNotFoundNamingIt(string uri, string reference)
    {
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(uri), CancellationToken.None), ControlErrorKind.NotFound, $"'{reference}'");
    }

    [Fact]
    public async Task ResolveAsync_RegistryDown_FailsUnavailableWithoutTheToken()
    {
        const string token = "tbn_secret_token_value_1234567890";
        using var resolver = Resolver(new Uri($"http://127.0.0.1:{Loopback.FreePort()}/"), token);

        var error = AssertFails(await resolver.ResolveAsync(Spec("registry://fraud@production"), CancellationToken.None), ControlErrorKind.Unavailable, "'fraud@Production'");

        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_RegistryWithTokens_UsesTheTokenAndNeverShowsIt()
    {
        await using var secured = await RegistryHarness.StartAsync(("controller", "reader"));
        using var good = Resolver(secured.Url, secured.Tokens["controller"]);
        using var bad = Resolver(secured.Url, "tbn_wrong_secret_0123456789");

        // The secured registry is empty: a valid token gets "not found", a wrong one is refused (401).
        AssertFails(await good.ResolveAsync(Spec("registry://fraud:1"), CancellationToken.None), ControlErrorKind.NotFound, "'fraud:1'");
        var refused = AssertFails(await bad.ResolveAsync(Spec("registry://fraud:1"), CancellationToken.None), ControlErrorKind.Unavailable, "'fraud:1'", "401");
        Assert.DoesNotContain("tbn_wrong_secret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NoRegistryConfigured_FailsNamingTheOption()
    {
        using var resolver = new RevisionResolver(new ResolverOptions { CacheDirectory = _folder.File("cache") });

        AssertFails(await resolver.ResolveAsync(Spec("registry://fraud:1"), CancellationToken.None), ControlErrorKind.Invalid, "RegistryUrl");
    }

    [Theory]
    [InlineData("fraud", 3, "fraud-v3")]
    [InlineData("fraud-detector", 12, "fraud-detector-v12")]
    public void RegistryRevisionId_CleanName_IsNameAndVersion(string model, long version, string expected) =>
        Assert.Equal(expected, RevisionResolver.RegistryRevisionId(model, version));

    [Fact]
    public void RegistryRevisionId_NamesNeedingSanitising_StayDistinctShortAndSafe()
    {
        string[] names =
        [
            "fraud", "Fraud", "FRAUD", "fraud_v2", "fraud.v2", "fraud-v2", "fraud--x", "_fraud", "a", "A",
            new string('x', 128), new string('x', 127) + "y", "fraud-v3", "9", "...", "___",
        ];
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            foreach (var version in new long[] { 1, 3, long.MaxValue })
            {
                var id = RevisionResolver.RegistryRevisionId(name, version);
                Assert.Matches(new Regex("^[a-z0-9][a-z0-9-]*$"), id);
                Assert.True(id.Length <= 40, $"{id} is longer than 40");
                Assert.True(ids.Add(id), $"{name} v{version} collides on {id}");
            }
        }

        Assert.Equal("fraud-v3", RevisionResolver.RegistryRevisionId("fraud", 3));
        Assert.StartsWith("fraud--", RevisionResolver.RegistryRevisionId("Fraud", 3), StringComparison.Ordinal);
    }
}
