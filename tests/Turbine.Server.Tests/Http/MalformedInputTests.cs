using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// Input that makes a parser or the HTTP layer throw (issue 11, item 12): each is a 4xx with a JSON error and at
/// most one log line without a stack trace, and the server keeps serving.
/// </summary>
public sealed class MalformedInputTests : IAsyncLifetime
{
    private readonly LogRecorder _logs = new();
    private ServerHarness _h = null!;

    public async Task InitializeAsync() => _h = await ServerHarness.StartAsync(logging: l =>
    {
        l.SetMinimumLevel(LogLevel.Information);
        l.AddProvider(_logs);
    });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("a\\udc00b")]
    public async Task Infer_LoneSurrogateInJsonBytesString_400NamesInput(string escaped)
    {
        var before = _logs.Snapshot().Length;
        var (status, body) = await _h.PostJsonAsync("/v2/models/simple_identity/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,1],\"datatype\":\"BYTES\",\"data\":[\"" + escaped + "\"]}]}");
        Assert.Equal(400, status);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains("input 'INPUT0': element 0 is not valid text", error);
        Assert.Contains("lone surrogates", error);
        AssertQuiet(before);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Infer_InvalidUtf8BytesInJsonString_400NamesInput()
    {
        var before = _logs.Snapshot().Length;
        var json = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,1],\"datatype\":\"BYTES\",\"data\":[\"a@b\"]}]}");
        json[Array.IndexOf(json, (byte)'@')] = 0xFF;
        using var response = await _h.PostBytesAsync("/v2/models/simple_identity/infer", json);
        Assert.Equal(400, (int)response.StatusCode);
        var error = (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString()!;
        Assert.Contains("input 'INPUT0'", error);
        Assert.Contains("UTF-8", error);
        AssertQuiet(before);
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF")]
    [InlineData("ZZ")]
    [InlineData("-1")]
    public async Task Infer_BadChunkSize_400JsonError(string chunkSize)
    {
        var before = _logs.Snapshot().Length;
        var (statusLine, body) = await RawAsync(
            "POST /v2/models/simple/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
            "Transfer-Encoding: chunked\r\n\r\n" + chunkSize + "\r\n{}\r\n0\r\n\r\n");
        Assert.True(statusLine.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), statusLine + "\n" + body + string.Join("\n", _logs.Since(before).Select(e => e.Exception?.ToString())));
        Assert.Contains("\"error\":", body);
        Assert.Contains("malformed request body", body);
        AssertQuiet(before);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task RepositoryLoad_BadChunkSize_400JsonError()
    {
        var (statusLine, body) = await RawAsync(
            "POST /v2/repository/index HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", statusLine);
        Assert.Contains("malformed request body", body);
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("/v2/repository/models/simple/load", "{\"parameters\":{\"config\":\"\\ud800\"}}")]
    [InlineData("/v2/logging", "{\"\\udc00\":true}")]
    [InlineData("/v2/repository/index", "{\"\\ud800x\":true}")]
    public async Task ControlEndpoints_LoneSurrogateInJson_400JsonError(string path, string json)
    {
        var before = _logs.Snapshot().Length;
        var (status, body) = await _h.PostJsonAsync(path, json);
        Assert.Equal(400, status);
        Assert.Contains("surrogate", body.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        AssertQuiet(before);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Infer_CorruptGzipBody_400NamesEncoding()
    {
        using var response = await _h.PostBytesAsync("/v2/models/simple/infer", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF],
            configure: r => r.Content!.Headers.ContentEncoding.Add("gzip"));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("not valid gzip data", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
        await AssertHealthyAsync();
    }

    [Fact]
    public void ClientError_FrameworkParseExceptions_Map4xxOthersNull()
    {
        Assert.Equal(400, Turbine.Server.Http.LastResortErrors.ClientError(new System.Text.Json.JsonException("x")));
        Assert.Equal(400, Turbine.Server.Http.LastResortErrors.ClientError(new DecoderFallbackException("x")));
        Assert.Equal(400, Turbine.Server.Http.LastResortErrors.ClientError(new InvalidDataException("x")));
        Assert.Null(Turbine.Server.Http.LastResortErrors.ClientError(new NullReferenceException()));
    }

    /// <summary>
    /// Since <paramref name="before"/>: nothing logged at warning or above, no stack trace, and at most one line from
    /// Turbine (the framework's per-request information lines are filtered out by the server's own console setup).
    /// </summary>
    private void AssertQuiet(int before)
    {
        var entries = _logs.Since(before);
        var ours = entries.Where(e => e.Category.StartsWith("Turbine", StringComparison.Ordinal)).ToArray();
        Assert.True(ours.Length <= 1, string.Join("\n", ours.Select(e => $"{e.Category} {e.Level} {e.Message}")));
        Assert.All(entries, e =>
        {
            Assert.True(e.Level < LogLevel.Warning, $"{e.Level} {e.Message}");
            Assert.Null(e.Exception);
        });
    }

    private async Task AssertHealthyAsync()
    {
        var (status, json) = await _h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        Assert.Equal(1, json.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
    }

    /// <summary>Sends raw bytes on a new connection; returns the status line and the body (read to the close or the length).</summary>
    private async Task<(string StatusLine, string Body)> RawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_h.Server.HttpAddress.Host, _h.Server.HttpAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var headers = text[..end];
                var length = headers.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                if (length is not null && text.Length - end - 4 >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                {
                    return (headers.Split("\r\n")[0], text[(end + 4)..]);
                }
            }

            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                var all = Encoding.UTF8.GetString(received.ToArray());
                var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                return split < 0 ? (all, "") : (all[..all.IndexOf("\r\n", StringComparison.Ordinal)], all[(split + 4)..]);
            }

            received.Write(buffer, 0, read);
        }
    }
}
