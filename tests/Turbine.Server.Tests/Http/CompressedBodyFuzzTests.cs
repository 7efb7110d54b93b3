using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// Mutated gzip and deflate bodies (truncated, bit-flipped, spliced, bombs): every answer is a status the protocol
/// names with a JSON error, the body budget is back to zero, and a normal request still works.
/// </summary>
public sealed class CompressedBodyFuzzTests
{
    [Fact]
    public async Task Infer_MutatedCompressedBodies_NeverCrashAndBudgetReturns()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 1 << 20);
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();
        var random = new Random(20261205);
        var json = Encoding.UTF8.GetBytes(ServerHarness.SimpleJson());
        byte[][] seeds = [Compress(json, gzip: true), Compress(json, gzip: false), Compress(new byte[4 << 20], gzip: true)];

        for (var i = 0; i < 600; i++)
        {
            var gzip = random.Next(2) == 0;
            var body = seeds[random.Next(seeds.Length)].ToArray();
            switch (random.Next(4))
            {
                case 0: body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: body = body[..random.Next(body.Length)]; break;
                case 2: body = [.. body, .. seeds[random.Next(seeds.Length)]]; break;
                default: break;
            }

            using var response = await h.PostBytesAsync("/v2/models/simple/infer", body,
                configure: r => r.Content!.Headers.ContentEncoding.Add(gzip ? "gzip" : "deflate"));
            var code = (int)response.StatusCode;
            Assert.True(code is 200 or 400 or 413, $"body #{i} got HTTP {code}: {await response.Content.ReadAsStringAsync()}");
            if (code != 200)
            {
                Assert.False(string.IsNullOrWhiteSpace((await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString()));
            }
        }

        Assert.Equal(0, budget.CurrentBytes);
        var (status, _) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
    }

    private static byte[] Compress(byte[] data, bool gzip)
    {
        using var output = new MemoryStream();
        using (Stream z = gzip ? new GZipStream(output, CompressionLevel.Optimal, true) : new ZLibStream(output, CompressionLevel.Optimal, true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }
}
