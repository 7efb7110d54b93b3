using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// Request-body memory (issue 11, item 5): inflating bodies are cut at the per-request limit, all bodies together stay
/// within the server-wide budget (503 beyond it), buffers grow with the bytes that arrive rather than a declared
/// length, and every reserved byte is given back.
/// </summary>
public sealed class BodyBudgetTests
{
    private const int OneMiB = 1 << 20;

    [Fact]
    public async Task Infer_EightConcurrentGzipBombs_Each413AndMemoryBounded()
    {
        const long maxBody = 8 * OneMiB;
        await using var h = await ServerHarness.StartAsync(maxBody: maxBody);
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();
        var bomb = GzipOfZeros(1L << 30); // ~1 MB that inflates to 1 GiB
        Assert.InRange(bomb.Length, 100_000, 2 * OneMiB);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await h.PostBytesAsync("/v2/models/simple/infer", bomb, configure: r => r.Content!.Headers.ContentEncoding.Add("gzip"));
            return ((int)response.StatusCode, (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
        }));

        Assert.All(answers, a =>
        {
            Assert.Equal(413, a.Item1);
            Assert.Equal($"request body exceeds the limit of {maxBody} bytes (--http-max-body-bytes)", a.Item2);
        });

        // Each request held at most its limit plus the half-size buffer it grew from; all of it is back.
        Assert.Equal(0, budget.CurrentBytes);
        Assert.InRange(budget.PeakBytes, maxBody, 8 * (maxBody + (maxBody / 2)));
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) < 1L << 30, "managed heap stays far below what the bombs inflate to");

        var (status, _) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Infer_BodiesBeyondInflightBudget_503NamesOptionAndServerRecovers()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { MaxInflightBodyBytes = 2 * OneMiB });
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();

        // A holds a 1 MiB buffer: it has sent 600 KB and waits.
        var release = new TaskCompletionSource();
        var slow = new PausingContent(new byte[600_000], new byte[100_000], release.Task);
        var a = h.Http.PostAsync("/v2/models/simple/infer", slow);
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(budget.CurrentBytes >= OneMiB), TimeSpan.FromSeconds(30)));

        // B needs another 1 MiB buffer (while growing from 512 KiB): that does not fit in 2 MiB.
        using (var b = await h.PostBytesAsync("/v2/models/simple/infer", new byte[900_000]))
        {
            Assert.Equal(503, (int)b.StatusCode);
            Assert.Contains("limit of 2097152 request-body bytes in flight (--max-inflight-body-bytes)",
                (await ServerHarness.ReadJsonAsync(b)).GetProperty("error").GetString());
        }

        release.SetResult();
        using (var answered = await a)
        {
            Assert.Equal(400, (int)answered.StatusCode); // zeros are not JSON: read whole, then refused
        }

        Assert.Equal(0, budget.CurrentBytes);
        var (status, _) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        Assert.Equal(0, budget.CurrentBytes);
    }

    [Fact]
    public async Task Infer_DeclaredHugeContentLength_BufferGrowsOnlyWithArrivingBytes()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 2L << 30);
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, h.Server.HttpAddress.Port);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
                "POST /v2/models/simple/infer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000000\r\n\r\n{\"inputs\":"));
            Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(budget.CurrentBytes > 0), TimeSpan.FromSeconds(30)));
            Assert.InRange(budget.CurrentBytes, 1, 16 * 1024);
        }

        // The client went away: its buffer and reservation are returned.
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(budget.CurrentBytes == 0), TimeSpan.FromSeconds(30)));
        var (status, _) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Infer_ChunkedBodyOverOddLimitAndTinyBodies_LimitExactAndBudgetBackToZero()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 10_000);
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();

        // No Content-Length: the limit is found while reading, exactly at 10000 bytes (not at a pooled array's size).
        using (var atLimit = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer") { Content = new StreamContent(new MemoryStream(new byte[10_000])) })
        using (var response = await h.Http.SendAsync(atLimit))
        {
            Assert.Equal(400, (int)response.StatusCode); // read whole (zeros are not JSON)
        }

        using (var over = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer") { Content = new StreamContent(new MemoryStream(new byte[10_001])) })
        using (var response = await h.Http.SendAsync(over))
        {
            Assert.Equal(413, (int)response.StatusCode);
        }

        foreach (var tiny in new[] { "", "{", "{}" })
        {
            var (status, _) = await h.PostJsonAsync("/v2/models/simple/infer", tiny);
            Assert.Equal(400, status);
        }

        Assert.Equal(0, budget.CurrentBytes);
    }

    [Fact]
    public void TryReserve_OverLimit_RefusedAndNothingTaken()
    {
        var budget = new RequestBodyBudget(100);
        Assert.True(budget.TryReserve(60));
        Assert.False(budget.TryReserve(41));
        Assert.Equal(60, budget.CurrentBytes);
        Assert.True(budget.TryReserve(40));
        budget.Release(100);
        Assert.Equal(0, budget.CurrentBytes);
        Assert.Equal(100, budget.PeakBytes);
        Assert.False(budget.TryReserve(long.MaxValue));
    }

    private static byte[] GzipOfZeros(long length)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[OneMiB];
            for (long written = 0; written < length; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }

    /// <summary>Sends <c>first</c>, waits for <c>release</c>, then sends <c>rest</c> (a client uploading slowly).</summary>
    private sealed class PausingContent(byte[] first, byte[] rest, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(rest);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = first.Length + rest.Length;
            return true;
        }
    }
}
