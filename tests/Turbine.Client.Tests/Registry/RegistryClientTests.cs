using System.Net;
using System.Net.Sockets;
using Turbine.Client.Registry;
using Turbine.Samples;

namespace Turbine.Client.Tests.Registry;

/// <summary>RegistryClient against a real registry server on loopback, with real ONNX models from the samples.</summary>
public sealed class RegistryClientTests : IAsyncLifetime
{
    private RegistryHarness _registry = null!;
    private RegistryClient _client = null!;
    private string _samples = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryHarness.StartAsync();
        _client = new RegistryClient(_registry.Url);
        _samples = Path.Combine(_registry.Directory, "samples");
        SampleRepository.CreateModel(_samples, "identity_fp32");
        SampleRepository.CreateModel(_samples, "iris");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _registry.DisposeAsync();
    }

    private string ModelFile(string model) => Path.Combine(_samples, model, "1", "model.onnx");

    [Fact]
    public async Task UploadFileAsync_ThenCreateVersion_VersionRecordsDigestAndSignature()
    {
        var file = ModelFile("identity_fp32");
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "ident", Description = "identity" });
        var artifact = await _client.UploadAsync(file);
        Assert.Equal(await RegistryClient.ComputeSha256Async(file), artifact.Sha256);
        Assert.Equal(new FileInfo(file).Length, artifact.Size);

        var created = await _client.CreateVersionAsync("ident", new NewModelVersion
        {
            Artifact = artifact,
            Metrics = new Dictionary<string, double> { ["auc"] = 0.93 },
            Params = new Dictionary<string, string> { ["lr"] = "0.1" },
            Lineage = new RegistryLineage { DatasetUri = "s3://data/train.csv", RunId = "run-7" },
        });
        Assert.Equal(1, created.Version);

        var version = await _client.GetVersionAsync("ident", 1);
        Assert.Equal(artifact.Sha256, version.Artifact.Sha256);
        Assert.Equal("model.onnx", version.Artifact.FileName);
        Assert.Equal("onnx", version.Format);
        Assert.Equal("INPUT0", Assert.Single(version.Signature!.Inputs).Name);
        Assert.Equal(0.93, version.Metrics["auc"]);
        Assert.Equal("run-7", version.Lineage!.RunId);
        var found = Assert.Single(await _client.FindLineageAsync(LineageQuery.DatasetUri, "s3://data/train.csv"));
        Assert.Equal(("ident", 1L), (found.Model, found.Version));
    }

    [Fact]
    public async Task UploadDirectoryAsync_TarOfFolder_PullExtractsTheSameFiles()
    {
        var folder = Path.Combine(_samples, "iris");
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "iris" });
        var artifact = await _client.UploadAsync(folder);
        Assert.Equal(RegistryArtifact.TarPacking, artifact.Packing);
        var version = await _client.CreateVersionAsync("iris", new NewModelVersion { Artifact = artifact });

        var target = Path.Combine(_registry.Directory, "pulled");
        var written = await _client.PullAsync(await _client.ResolveAsync("iris"), target);
        Assert.NotEmpty(written);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(folder, file));
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(copy));
        }

        Assert.Empty(Directory.EnumerateDirectories(target, ".turbine-pull-*"));
        Assert.Equal(1, version.Version);
    }

    [Fact]
    public async Task UploadAsync_SameBytesTwice_SecondReportsExisting()
    {
        var first = await _client.UploadFileAsync(ModelFile("iris"));
        var second = await _client.UploadFileAsync(ModelFile("iris"));
        Assert.False(first.AlreadyExisted);
        Assert.True(second.AlreadyExisted);
        Assert.Equal(first.Sha256, second.Sha256);
    }

    [Fact]
    public async Task StageAndAlias_ResolveFollowsThem()
    {
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "m" });
        var artifact = await _client.UploadAsync(ModelFile("identity_fp32"));
        await _client.CreateVersionAsync("m", new NewModelVersion { Artifact = artifact });
        await _client.CreateVersionAsync("m", new NewModelVersion { Artifact = artifact });

        var promoted = await _client.TransitionStageAsync("m", 1, "Production");
        Assert.Equal("Production", promoted.Stage);
        Assert.Equal(1, (await _client.ResolveAsync("m@production")).Version);
        Assert.Equal(2, (await _client.ResolveAsync("m")).Version);

        await _client.TransitionStageAsync("m", 2, "Production", archiveExisting: true);
        Assert.Equal(2, (await _client.ResolveAsync("m@Production")).Version);
        Assert.Equal("Archived", (await _client.GetVersionAsync("m", 1)).Stage);

        Assert.Equal(1, await _client.SetAliasAsync("m", "champion", 1));
        Assert.Equal(1, (await _client.ResolveAsync("m@champion")).Version);
        var model = await _client.GetModelAsync("m");
        Assert.Equal(1, model.Aliases["champion"]);
        Assert.Equal(2, model.LatestVersion);
        Assert.Equal(2, (await _client.ListVersionsAsync("m")).Count);
    }

    [Fact]
    public async Task ListModelsAsync_Filters_AreAppliedTogether()
    {
        var artifact = await _client.UploadAsync(ModelFile("identity_fp32"));
        foreach (var (name, auc, team) in new[] { ("good", 0.95, "risk"), ("weak", 0.7, "risk"), ("other", 0.99, "growth") })
        {
            await _client.CreateModelAsync(new NewRegisteredModel { Name = name, Tags = new Dictionary<string, string> { ["team"] = team } });
            await _client.CreateVersionAsync(name, new NewModelVersion { Artifact = artifact, Metrics = new Dictionary<string, double> { ["auc"] = auc } });
        }

        await _client.TransitionStageAsync("good", 1, "Production");
        await _client.TransitionStageAsync("weak", 1, "Production");
        Assert.Equal(["good"], (await _client.ListModelsAsync(new ModelSearch(Tag: "team=risk", Metric: "auc>=0.9"))).Select(m => m.Name));
        Assert.Equal(["good", "weak"], (await _client.ListModelsAsync(new ModelSearch(Stage: "Production"))).Select(m => m.Name).Order());
        Assert.Equal(3, (await _client.ListModelsAsync()).Count);
    }

    [Fact]
    public async Task CardsAndParentLineage_RoundTrip()
    {
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "c" });
        var artifact = await _client.UploadAsync(ModelFile("identity_fp32"));
        await _client.CreateVersionAsync("c", new NewModelVersion { Artifact = artifact });
        await _client.CreateVersionAsync("c", new NewModelVersion { Artifact = artifact, Lineage = new RegistryLineage { ParentVersion = 1 } });

        await _client.SetCardAsync("c", "# Model c\nIntended use: tests.");
        await _client.SetCardAsync("c", "version two", version: 2);
        Assert.Equal("# Model c\nIntended use: tests.", await _client.GetCardAsync("c"));
        Assert.Equal("version two", await _client.GetCardAsync("c", 2));

        var lineage = await _client.GetVersionLineageAsync("c", 2);
        Assert.Equal(1, Assert.Single(lineage.Ancestors).Version);
        Assert.Empty(lineage.Descendants);
        Assert.Equal(2, Assert.Single((await _client.GetVersionLineageAsync("c", 1)).Descendants).Version);
    }

    [Fact]
    public async Task CreateModelAsync_Twice_ThrowsConflictWithServerCode()
    {
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "dup" });
        var e = await Assert.ThrowsAsync<RegistryException>(() => _client.CreateModelAsync(new NewRegisteredModel { Name = "dup" }));
        Assert.Equal(409, e.StatusCode);
        Assert.Equal("already_exists", e.Code);
        Assert.Contains("dup", e.Message);
    }

    [Fact]
    public async Task GetModelAsync_Unknown_ThrowsNotFoundAndFindReturnsNull()
    {
        var e = await Assert.ThrowsAsync<RegistryException>(() => _client.GetModelAsync("nosuch"));
        Assert.Equal(404, e.StatusCode);
        Assert.Equal("not_found", e.Code);
        Assert.Null(await _client.FindModelAsync("nosuch"));
    }

    [Fact]
    public async Task DownloadArtifactAsync_WrongExpectedDigest_ThrowsAndLeavesNoFile()
    {
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "d" });
        await _client.CreateVersionAsync("d", new NewModelVersion { Artifact = await _client.UploadAsync(ModelFile("iris")) });
        var target = Path.Combine(_registry.Directory, "download", "model.onnx");
        await Assert.ThrowsAsync<InvalidDataException>(() => _client.DownloadArtifactAsync("d", 1, target, new string('0', 64)));
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(target)!));

        var digest = await _client.DownloadArtifactAsync("d", 1, target);
        Assert.Equal(await RegistryClient.ComputeSha256Async(ModelFile("iris")), digest);
        Assert.Equal(await File.ReadAllBytesAsync(ModelFile("iris")), await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task BearerToken_IsSentAndRoleErrorsCarryTheirCodes()
    {
        await using var secured = await RegistryHarness.StartAsync(("ci", "writer"), ("dash", "reader"));
        using var anonymous = new RegistryClient(secured.Url);
        var unauthenticated = await Assert.ThrowsAsync<RegistryException>(() => anonymous.ListModelsAsync());
        Assert.Equal((401, "unauthenticated"), (unauthenticated.StatusCode, unauthenticated.Code));

        using var writer = new RegistryClient(secured.Url, secured.Tokens["ci"]);
        await writer.CreateModelAsync(new NewRegisteredModel { Name = "secured" });
        using var reader = new RegistryClient(secured.Url, secured.Tokens["dash"]);
        Assert.Equal("secured", Assert.Single(await reader.ListModelsAsync()).Name);
        var forbidden = await Assert.ThrowsAsync<RegistryException>(() => reader.CreateModelAsync(new NewRegisteredModel { Name = "other" }));
        Assert.Equal((403, "forbidden"), (forbidden.StatusCode, forbidden.Code));
    }

    [Fact]
    public async Task UploadFileAsync_BytesChangedInTransit_RegistryRejectsThemByTheDigestHeader()
    {
        using var client = new RegistryClient(_registry.Url, handler: new CorruptingHandler { InnerHandler = new HttpClientHandler() });
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.UploadFileAsync(ModelFile("iris")));
        Assert.Equal((400, "digest_mismatch"), (e.StatusCode, e.Code));
        Assert.False((await _client.UploadFileAsync(ModelFile("iris"))).AlreadyExisted);
    }

    [Fact]
    public async Task AnyCall_NothingListening_ThrowsUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RegistryClient(new Uri($"http://127.0.0.1:{port}/"));
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.ListModelsAsync());
        Assert.Equal(0, e.StatusCode);
        Assert.Equal(RegistryException.UnreachableCode, e.Code);
    }

    /// <summary>Flips one byte of an artifact upload's body and keeps its headers, as a faulty network path would.</summary>
    private sealed class CorruptingHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content && request.RequestUri!.AbsolutePath.EndsWith("/artifacts", StringComparison.Ordinal))
            {
                var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
                bytes[bytes.Length / 2] ^= 0xFF;
                var corrupted = new ByteArrayContent(bytes);
                foreach (var header in content.Headers)
                {
                    corrupted.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = corrupted;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
