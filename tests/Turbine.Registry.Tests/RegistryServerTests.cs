using System.Formats.Tar;
using System.Net;
using System.Text.Json;
using Turbine.Samples;

namespace Turbine.Registry.Tests;

/// <summary>
/// The registry's behaviour over real HTTP against a <see cref="RegistryServer"/> on port 0. Runs once per metadata
/// store: <see cref="SqliteRegistryServerTests"/> and <see cref="PostgresRegistryServerTests"/>. Partial files group
/// the cases (bad input, stages and references, search and lineage, access control).
/// </summary>
public abstract partial class RegistryServerTests : IDisposable
{
    private readonly List<string> _directories = [];
    private readonly string _samples;

    protected RegistryServerTests()
    {
        _samples = Path.Combine(Path.GetTempPath(), "turbine-tests", "registry-samples-" + Guid.NewGuid().ToString("N"));
        _directories.Add(_samples);
        SampleRepository.CreateModel(_samples, "simple");
        SimpleOnnx = File.ReadAllBytes(Path.Combine(_samples, "simple", "1", "model.onnx"));
    }

    /// <summary>The sample <c>simple</c> model (INPUT0/INPUT1 INT32 [-1,16] → OUTPUT0/OUTPUT1).</summary>
    protected byte[] SimpleOnnx { get; }

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Options for a fresh, empty registry whose data folder is <paramref name="dataDirectory"/>.</summary>
    protected abstract Task<RegistryOptions> CreateOptionsAsync(string dataDirectory);

    /// <summary>Runs SQL straight on the registry's database, as an operator with a database client would.</summary>
    protected abstract Task ExecuteSqlAsync(RegistryOptions options, string sql);

    private protected async Task<RegistryHarness> StartAsync(bool dev = false, long? maxArtifactBytes = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "turbine-tests", "registry-" + Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        var options = await CreateOptionsAsync(directory);
        return await RegistryHarness.StartAsync(options with { Dev = dev, MaxArtifactBytes = maxArtifactBytes ?? options.MaxArtifactBytes });
    }

    /// <summary>The sample's Triton folder (config.pbtxt, 1/model.onnx) as a tar.</summary>
    protected byte[] TritonFolderTar()
    {
        using var buffer = new MemoryStream();
        TarFile.CreateFromDirectory(Path.Combine(_samples, "simple"), buffer, includeBaseDirectory: true);
        return buffer.ToArray();
    }

    [Fact]
    public async Task PushVersion_TwentyConcurrentPushes_NumbersOneToTwentyExactlyOnce()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "busy");
        var sha = await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx);

        var pushes = Enumerable.Range(0, 20).Select(_ => Task.Run(() => RegistryHarness.PushAsync(registry.Admin, "busy", sha)));
        var versions = (await Task.WhenAll(pushes)).Select(v => v.GetProperty("version").GetInt64()).Order().ToArray();

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), versions);
        var listed = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/busy/versions", null, HttpStatusCode.OK);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), listed.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        var model = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/busy", null, HttpStatusCode.OK);
        Assert.Equal(20, model.GetProperty("latestVersion").GetInt64());
    }

    [Fact]
    public async Task PushVersion_SimpleOnnxFile_SignatureFormatMetricsAndDownloadRoundTrip()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "simple", new { name = "simple", description = "adds and subtracts", owner = "ml-team", tags = new { team = "core" } });
        var bytes = SimpleOnnx;
        var sha = await RegistryHarness.UploadAsync(registry.Admin, bytes);

        var version = await RegistryHarness.PushAsync(registry.Admin, "simple", sha, new
        {
            artifact = new { sha256 = sha, packing = "file", fileName = "model.onnx" },
            description = "first",
            metrics = new { auc = 0.93 },
            @params = new { lr = "0.1" },
        });

        Assert.Equal(1, version.GetProperty("version").GetInt64());
        Assert.Equal("onnx", version.GetProperty("format").GetString());
        Assert.Equal("root", version.GetProperty("createdBy").GetString());
        Assert.Equal(0.93, version.GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal("0.1", version.GetProperty("params").GetProperty("lr").GetString());
        AssertSimpleSignature(version.GetProperty("signature"));
        using var response = await registry.Admin.GetAsync("api/v1/models/simple/versions/1/artifact");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sha, response.Headers.GetValues("X-Content-SHA256").Single());
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PushVersion_TarOfTritonFolder_SignatureReadFromTheOnnxInside()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "triton");
        var tar = TritonFolderTar();
        var sha = await RegistryHarness.UploadAsync(registry.Admin, tar, "application/x-tar");

        var version = await RegistryHarness.PushAsync(registry.Admin, "triton", sha, packing: "tar");

        Assert.Equal("tar", version.GetProperty("artifact").GetProperty("packing").GetString());
        Assert.Equal(tar.Length, version.GetProperty("artifact").GetProperty("size").GetInt64());
        Assert.Equal("onnx", version.GetProperty("format").GetString());
        AssertSimpleSignature(version.GetProperty("signature"));
        using var response = await registry.Admin.GetAsync("api/v1/models/triton/versions/1/artifact");
        Assert.Equal("application/x-tar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(tar, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UploadAndDownload_64MiBStreamedChunked_DigestsMatch()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "large");
        const long size = 64L * 1024 * 1024;
        string expected;
        using (var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256))
        {
            var source = new Artifacts.GeneratedStream(size, 11);
            var buffer = new byte[1 << 20];
            int n;
            while ((n = await source.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }

            expected = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        using var content = new StreamContent(new Artifacts.GeneratedStream(size, 11));
        content.Headers.Add("X-Content-SHA256", expected);
        using (var upload = await registry.Admin.PostAsync("api/v1/artifacts", content))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }

        await RegistryHarness.PushAsync(registry.Admin, "large", expected, new { artifact = new { sha256 = expected, fileName = "weights.bin" } });
        using var response = await registry.Admin.GetAsync("api/v1/models/large/versions/1/artifact", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        using var download = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        await using var body = await response.Content.ReadAsStreamAsync();
        var chunk = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(chunk)) > 0)
        {
            download.AppendData(chunk, 0, read);
            total += read;
        }

        Assert.Equal(size, total);
        Assert.Equal(expected, Convert.ToHexStringLower(download.GetHashAndReset()));
    }

    [Fact]
    public async Task UploadArtifact_SameBytesTwiceWithDigest_SecondAnswers200()
    {
        await using var registry = await StartAsync();
        var bytes = SimpleOnnx;
        using var first = new ByteArrayContent(bytes);
        first.Headers.Add("X-Content-SHA256", RegistryHarness.Sha256(bytes));
        using var again = new ByteArrayContent(bytes);
        again.Headers.Add("X-Content-SHA256", RegistryHarness.Sha256(bytes));

        using var created = await registry.Admin.PostAsync("api/v1/artifacts", first);
        using var existing = await registry.Admin.PostAsync("api/v1/artifacts", again);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, existing.StatusCode);
    }

    [Fact]
    public async Task Cards_ModelAndVersion_RoundTripMarkdown()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "carded");
        await RegistryHarness.PushAsync(registry.Admin, "carded", await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx));

        using (var put = await registry.Admin.PutAsync("api/v1/models/carded/card", new StringContent("# Carded\nAll about it.")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        using (var put = await registry.Admin.PutAsync("api/v1/models/carded/versions/1/card", new StringContent("## v1\ntrained on X")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        Assert.Equal("# Carded\nAll about it.", await registry.Admin.GetStringAsync("api/v1/models/carded/card"));
        Assert.Equal("## v1\ntrained on X", await registry.Admin.GetStringAsync("api/v1/models/carded/versions/1/card"));
        using var missing = await registry.Admin.GetAsync("api/v1/models/carded/versions/9/card");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task PatchModel_DescriptionAndTags_Replaced()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "patched", new { name = "patched", description = "old", tags = new { a = "1", b = "2" } });

        var model = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Patch, "api/v1/models/patched", new { description = "new", tags = new { c = "3" } }, HttpStatusCode.OK);

        Assert.Equal("new", model.GetProperty("description").GetString());
        Assert.Equal(["c"], model.GetProperty("tags").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheRegistryPaths()
    {
        await using var registry = await StartAsync();

        var document = JsonDocument.Parse(await registry.Admin.GetStringAsync("openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("/api/v1/models", paths);
        Assert.Contains("/api/v1/models/{name}/versions", paths);
        Assert.Contains("/api/v1/artifacts", paths);
        Assert.Contains("/api/v1/resolve/{reference}", paths);
        var createModel = document.GetProperty("paths").GetProperty("/api/v1/models").GetProperty("post");
        Assert.True(createModel.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), createModel.ToString());
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    private static void AssertSimpleSignature(JsonElement signature)
    {
        static string Describe(JsonElement t) =>
            $"{t.GetProperty("name").GetString()}:{t.GetProperty("datatype").GetString()}:[{string.Join(',', t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()))}]";
        Assert.Equal(["INPUT0:INT32:[-1,16]", "INPUT1:INT32:[-1,16]"], signature.GetProperty("inputs").EnumerateArray().Select(Describe));
        Assert.Equal(["OUTPUT0:INT32:[-1,16]", "OUTPUT1:INT32:[-1,16]"], signature.GetProperty("outputs").EnumerateArray().Select(Describe));
    }
}
