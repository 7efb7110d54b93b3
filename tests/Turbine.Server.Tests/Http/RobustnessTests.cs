using System.IO.Compression;
using System.Text;

namespace Turbine.Server.Tests.Http;

public sealed class RobustnessTests
{
    [Fact]
    public async Task Infer_BodyOverLimit_Returns413AndServerKeepsServing()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 4096);
        using var big = await h.PostBytesAsync("/v2/models/simple/infer", new byte[10_000]);
        Assert.Equal(413, (int)big.StatusCode);
        Assert.Contains("exceeds the limit of 4096 bytes", (await ServerHarness.ReadJsonAsync(big)).GetProperty("error").GetString());

        // A small gzip body that inflates past the limit is refused the same way (no decompression bomb).
        using var ms = new MemoryStream();
        await using (var z = new GZipStream(ms, CompressionLevel.Optimal, true))
        {
            await z.WriteAsync(new byte[100_000]);
        }

        using var bomb = await h.PostBytesAsync("/v2/models/simple/infer", ms.ToArray(), configure: r => r.Content!.Headers.ContentEncoding.Add("gzip"));
        Assert.Equal(413, (int)bomb.StatusCode);

        var (status, _) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Infer_ThousandsOfRandomAndMutatedBodies_NeverCrashAndValidStillWorks()
    {
        await using var h = await ServerHarness.StartAsync();
        var random = new Random(12345);
        var seeds = new List<(byte[] Body, int? Header, string Model)>
        {
            (Encoding.UTF8.GetBytes(ServerHarness.SimpleJson(id: "x")), null, "simple"),
            (Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[2,2],\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\",\"c\",\"d\"]}]}"), null, "simple_identity"),
            (Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"classification\":2}}]}"), null, "iris"),
        };
        var binaryHeader = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}},{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}]}";
        var (binary, length) = BinaryBody.Build(binaryHeader, new byte[64], new byte[64]);
        seeds.Add((binary, length, "simple"));

        var statuses = new Dictionary<int, int>();
        const int total = 3000;
        for (var i = 0; i < total; i++)
        {
            var (seed, header, model) = seeds[random.Next(seeds.Count)];
            var body = Mutate(seed, random);
            int? headerLength = header;
            if (header is not null && random.Next(4) == 0)
            {
                headerLength = random.Next(-5, body.Length + 5);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = new ByteArrayContent(body) };
            if (headerLength is { } hl)
            {
                request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", hl.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            using var response = await h.Http.SendAsync(request);
            var code = (int)response.StatusCode;
            statuses[code] = statuses.GetValueOrDefault(code) + 1;
            Assert.True(code is 200 or 400 or 404 or 413 or 501 or 503, $"body #{i} got HTTP {code}: {await response.Content.ReadAsStringAsync()}");
            if (code != 200)
            {
                var error = (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString();
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }

        Assert.True(statuses.GetValueOrDefault(400) > total / 4, "most mutations must be rejected as bad requests");
        var (status, json) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        Assert.Equal(1, json.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
        Assert.True((await h.GetJsonAsync("/v2/health/ready")).Body.GetProperty("ready").GetBoolean());
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var body = seed.ToList();
        var kind = random.Next(7);
        var count = 1 + random.Next(8);
        for (var n = 0; n < count && body.Count > 0; n++)
        {
            var at = random.Next(body.Count);
            switch (kind)
            {
                case 0: body[at] = (byte)random.Next(256); break;
                case 1: body.RemoveAt(at); break;
                case 2: body.Insert(at, (byte)"{}[],:\"0-e."[random.Next(11)]); break;
                case 3: body.RemoveRange(at, body.Count - at); break;
                case 4: body.InsertRange(at, body.GetRange(0, Math.Min(body.Count, random.Next(64)))); break;
                case 5: body[at] = (byte)'9'; break;
                default:
                    var junk = new byte[random.Next(1, 40)];
                    random.NextBytes(junk);
                    return junk;
            }
        }

        return [.. body];
    }
}
