using System.Text;
using Microsoft.AspNetCore.Http;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// What the REST front end reuses between requests (issue 22, P7 round 3): the infer endpoint's recyclable request
/// bodies and the shared shape arrays must never hand one request's bytes or dimensions to another.
/// </summary>
public sealed class FrontEndReuseTests
{
    private static readonly RequestBodyBudget Budget = new(1L << 30);

    private static RequestBody ReadBody(byte[] bytes, bool recycle)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        var read = RequestBody.ReadAsync(context.Request, 1L << 20, "test limit", Budget, CancellationToken.None, recycle)
            .AsTask().GetAwaiter().GetResult();
        Assert.True(read.IsOk, read.Error?.Message);
        return read.Value!;
    }

    [Fact]
    public void RecyclableBody_ReusedAfterDispose_WithTheNewBytes()
    {
        var first = ReadBody("first body"u8.ToArray(), recycle: true);
        Assert.Equal("first body", Encoding.UTF8.GetString(first.Memory.Span));
        first.Dispose();
        Assert.Equal(0, first.Length);

        var second = ReadBody("second, longer body"u8.ToArray(), recycle: true);
        Assert.Same(first, second); // the same object, this thread's spare
        Assert.Equal("second, longer body", Encoding.UTF8.GetString(second.Memory.Span));

        var third = ReadBody("third"u8.ToArray(), recycle: true); // the spare is taken: a new object
        Assert.NotSame(second, third);
        Assert.Equal("third", Encoding.UTF8.GetString(third.Memory.Span));
        second.Dispose();
        third.Dispose();
    }

    [Fact]
    public void OrdinaryBody_NeverReused()
    {
        var first = ReadBody("a"u8.ToArray(), recycle: false);
        first.Dispose();
        first.Dispose(); // twice is harmless for an ordinary body
        using var second = ReadBody("b"u8.ToArray(), recycle: true);
        Assert.NotSame(first, second);
        Assert.Equal("b", Encoding.UTF8.GetString(second.Memory.Span));
    }

    [Fact]
    public void SharedShapes_EachRequestGetsItsOwnDimensions()
    {
        var shapes = new[] { "[1,16]", "[2,16]", "[1,16,3]", "[16,1]", "[]", "[0]", "[1,2,3,4,5,6,7,8,9]", "[9223372036854775807]" };
        for (var i = 0; i < 200; i++)
        {
            var shape = shapes[(i * 7) % shapes.Length];
            var json = "{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":" + shape
                + ",\"parameters\":{\"shared_memory_region\":\"r\",\"shared_memory_byte_size\":4}}]}";
            using var body = ReadBody(Encoding.UTF8.GetBytes(json), recycle: false);
            var result = InferRequestReader.Read("m", null, body, null);
            Assert.True(result.IsOk, result.Error?.Message);
            using var request = result.Value!;
            Assert.Equal(shape, "[" + string.Join(",", request.Inputs[0].Shape) + "]");
        }
    }
}
