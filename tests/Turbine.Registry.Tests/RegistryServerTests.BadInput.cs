using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Turbine.Registry.Tests;

public abstract partial class RegistryServerTests
{
    [Fact]
    public async Task CreateModel_DuplicateName_409AndFirstModelKept()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "dup", new { name = "dup", description = "first" });

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models", new { name = "dup", description = "second" });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("already_exists", body.GetProperty("code").GetString());
        Assert.Contains("'dup' already exists", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var model = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/dup", null, HttpStatusCode.OK);
        Assert.Equal("first", model.GetProperty("description").GetString());
        Assert.Single(await AuditActionsAsync(registry, "dup"), "model.create");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public async Task CreateModel_PathTraversalOrBadName_400AndNothingStored(string name)
    {
        await using var registry = await StartAsync();

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models", new { name });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_name", body.GetProperty("code").GetString());
        var models = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models", null, HttpStatusCode.OK);
        Assert.Equal(0, models.GetProperty("models").GetArrayLength());
        Assert.False(File.Exists(Path.Combine(registry.Options.DataDirectory, "..", "x")));
    }

    [Fact]
    public async Task Resolve_PathTraversalReference_400()
    {
        await using var registry = await StartAsync();

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Get, "api/v1/resolve/..%2Fx:1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_name", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task SetStage_UnknownStage_400NamingTheStagesAndStageUnchanged()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "staged");
        await RegistryHarness.PushAsync(registry.Admin, "staged", await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx));

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/staged/versions/1/stage", new { stage = "Live" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_stage", body.GetProperty("code").GetString());
        Assert.Contains("'Live'", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("Production", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var version = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/staged/versions/1", null, HttpStatusCode.OK);
        Assert.Equal("None", version.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task UploadArtifact_DigestMismatch_400AndNothingStored()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "mismatch");
        var bytes = SimpleOnnx;
        var actual = RegistryHarness.Sha256(bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.Add("X-Content-SHA256", new string('a', 64));

        using var response = await registry.Admin.PostAsync("api/v1/artifacts", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("digest_mismatch", body.GetProperty("code").GetString());
        Assert.Contains(actual, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertBlobAbsentAsync(registry, "mismatch", actual);
    }

    [Fact]
    public async Task UploadArtifact_ClientAbortsHalfway_NothingVisibleAndNextUploadWorks()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "interrupted");
        var bytes = new byte[4 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        var sha = RegistryHarness.Sha256(bytes);
        var token = registry.Admin.DefaultRequestHeaders.Authorization!.Parameter;

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(registry.Server.Url.Host, registry.Server.Url.Port);
            var stream = tcp.GetStream();
            var head = $"POST /api/v1/artifacts HTTP/1.1\r\nHost: {registry.Server.Url.Authority}\r\nAuthorization: Bearer {token}\r\n" +
                $"Content-Type: application/octet-stream\r\nContent-Length: {bytes.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            tcp.Client.LingerState = new LingerOption(true, 0); // close with a reset, as a crashed client would
        }

        // The server notices the reset and the store removes its temporary data: poll with a deadline.
        var temp = Path.Combine(registry.ArtifactsDirectory, "tmp");
        await Poll.UntilAsync(() => !(Directory.Exists(temp) && Directory.EnumerateFileSystemEntries(temp).Any()), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

        Assert.False(Directory.Exists(temp) && Directory.EnumerateFileSystemEntries(temp).Any(), "the interrupted upload left temporary data behind");
        await AssertBlobAbsentAsync(registry, "interrupted", sha);
        Assert.Equal(sha, await RegistryHarness.UploadAsync(registry.Admin, bytes));
        var version = await RegistryHarness.PushAsync(registry.Admin, "interrupted", sha, new { artifact = new { sha256 = sha, fileName = "weights.bin" } });
        Assert.Equal("unknown", version.GetProperty("format").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UploadArtifact_LargerThanLimit_413AndNothingStored(bool sendLength)
    {
        await using var registry = await StartAsync(maxArtifactBytes: 64 * 1024);
        await RegistryHarness.CreateModelAsync(registry.Admin, "toolarge");
        var bytes = new byte[200 * 1024];
        new Random(5).NextBytes(bytes);
        HttpContent content = sendLength ? new ByteArrayContent(bytes) : new StreamContent(new MemoryStream(bytes));
        if (!sendLength)
        {
            content.Headers.ContentLength = null; // chunked: the limit is found while streaming
        }

        using (content)
        using (var response = await registry.Admin.PostAsync("api/v1/artifacts", content))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("too_large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await AssertBlobAbsentAsync(registry, "toolarge", RegistryHarness.Sha256(bytes));
    }

    [Fact]
    public async Task Metadata_Oversized_400AndNothingStored()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "limits");
        var sha = await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx);
        var tooManyTags = Enumerable.Range(0, 257).ToDictionary(i => $"k{i}", i => "v");
        var longKey = new Dictionary<string, double> { [new string('m', 300)] = 1 };

        var cases = new (string Path, object Body, string Code)[]
        {
            ("api/v1/models", new { name = "big-description", description = new string('d', 64 * 1024 + 1) }, "too_large"),
            ("api/v1/models", new { name = "many-tags", tags = tooManyTags }, "too_large"),
            ("api/v1/models", $"{{\"name\":\"huge-body\",\"description\":\"{new string('x', 1024 * 1024)}\"}}", "too_large"),
            ("api/v1/models/limits/versions", new { artifact = new { sha256 = sha }, metrics = longKey }, "invalid_metadata"),
        };
        foreach (var (path, body, code) in cases)
        {
            var (status, error) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, path, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{path}: {(int)status} {error}");
            Assert.Equal(code, error.GetProperty("code").GetString());
        }

        var models = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models", null, HttpStatusCode.OK);
        Assert.Equal(["limits"], models.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        var versions = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/limits/versions", null, HttpStatusCode.OK);
        Assert.Equal(0, versions.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task PushVersion_BadArtifactReferenceOrJson_400AndNoVersionNumberUsed()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "strict");

        var unknown = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/strict/versions", new { artifact = new { sha256 = new string('b', 64) } });
        var badJson = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/strict/versions", "{\"artifact\":");
        var badPacking = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/strict/versions", new { artifact = new { sha256 = new string('b', 64), packing = "zip" } });
        var sha = await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx);
        var notTar = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/strict/versions", new { artifact = new { sha256 = sha, packing = "tar" } });
        var badFileName = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/strict/versions", new { artifact = new { sha256 = sha, fileName = "a\"\r\nX-Evil: 1" } });
        var pathFileName = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/strict/versions", new { artifact = new { sha256 = sha, fileName = "../model.onnx" } });

        Assert.Equal((HttpStatusCode.BadRequest, "unknown_artifact"), (unknown.Status, unknown.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (badJson.Status, badJson.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_metadata"), (badPacking.Status, badPacking.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_artifact"), (notTar.Status, notTar.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_name"), (badFileName.Status, badFileName.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_name"), (pathFileName.Status, pathFileName.Body.GetProperty("code").GetString()));
        var version = await RegistryHarness.PushAsync(registry.Admin, "strict", sha);
        Assert.Equal(1, version.GetProperty("version").GetInt64());
    }

    private static async Task AssertBlobAbsentAsync(RegistryHarness registry, string model, string sha)
    {
        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, $"api/v1/models/{model}/versions", new { artifact = new { sha256 = sha } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unknown_artifact", body.GetProperty("code").GetString());
        var blobs = Path.Combine(registry.ArtifactsDirectory, "sha256");
        Assert.False(Directory.Exists(blobs) && Directory.EnumerateFiles(blobs, sha, SearchOption.AllDirectories).Any(), $"blob {sha} was stored");
    }

    private static async Task<string[]> AuditActionsAsync(RegistryHarness registry, string model)
    {
        var audit = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, $"api/v1/audit?model={model}", null, HttpStatusCode.OK);
        return audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray();
    }
}
