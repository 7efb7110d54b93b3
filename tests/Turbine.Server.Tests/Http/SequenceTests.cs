using System.Text.Json;

namespace Turbine.Server.Tests.Http;

/// <summary>The stateful <c>accumulator</c> sample over HTTP with Triton's sequence parameters.</summary>
public sealed class SequenceTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    [Fact]
    public async Task Infer_TwoInterleavedSequences_KeepSeparateRunningSums()
    {
        (string Id, int Value, bool Start, bool End, int Expected)[] steps =
        [
            ("1001", 2, true, false, 2), ("\"walk\"", 50, true, false, 50), ("1001", 3, false, false, 5),
            ("\"walk\"", 5, false, false, 55), ("1001", 4, false, true, 9), ("\"walk\"", -55, false, true, 0),
        ];
        foreach (var (id, value, start, end, expected) in steps)
        {
            var (status, body) = await H.PostJsonAsync("/v2/models/accumulator/infer", Request(id, value, start, end));
            Assert.True(status == 200, body.ToString());
            var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
            Assert.Equal("OUTPUT", output.GetProperty("name").GetString());
            Assert.Equal([expected], output.GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [Fact]
    public async Task Infer_SequenceNotStarted_Returns400NamingTheId()
    {
        var (status, body) = await H.PostJsonAsync("/v2/models/accumulator/infer", Request("424242", 1, false, false));

        Assert.Equal(400, status);
        Assert.StartsWith("sequence 424242 is not active for model 'accumulator'", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerMetadata_ListsSequenceExtension()
    {
        var (status, body) = await H.GetJsonAsync("/v2");

        Assert.Equal(200, status);
        Assert.Contains("sequence", body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    private static string Request(string id, int value, bool start, bool end) =>
        $$"""{"parameters":{"sequence_id":{{id}},"sequence_start":{{Json(start)}},"sequence_end":{{Json(end)}}},"inputs":[{"name":"INPUT","shape":[1,1],"datatype":"INT32","data":[{{value}}]}]}""";

    private static string Json(bool value) => JsonSerializer.Serialize(value);
}
