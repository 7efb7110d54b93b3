using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

public sealed class InferResponseWriterTests
{
    [Theory]
    [InlineData("", null)]
    [InlineData("gzip", "gzip")]
    [InlineData("deflate", "deflate")]
    [InlineData("GZip", "gzip")]
    [InlineData("deflate, gzip", "gzip")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("deflate;q=0.5, gzip;q=0.5", "gzip")]
    [InlineData("deflate;q=1.0, gzip;q=0.9", "deflate")]
    [InlineData("gzip;q=0.2, deflate;q=0.8", "deflate")]
    [InlineData("gzip;q=0", null)]
    [InlineData("gzip;q=0, deflate", "deflate")]
    [InlineData("gzip ; q=0.000, deflate;q=0", null)]
    [InlineData("br, zstd", null)]
    [InlineData("br;q=1, gzip;q=0.1", "gzip")]
    [InlineData("identity", null)]
    [InlineData("*", null)]
    [InlineData(" , gzip ,", "gzip")]
    public void ChooseEncoding_HonoursQValuesAndPrefersGzip(string accept, string? expected)
    {
        Assert.Equal(expected, InferResponseWriter.ChooseEncoding(accept));
    }
}
