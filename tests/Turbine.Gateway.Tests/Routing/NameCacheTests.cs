using System.Text;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Tests.Routing;

public sealed class NameCacheTests
{
    [Fact]
    public void Of_SameNameTwice_TheKeptStringBothTimes()
    {
        var cache = new NameCache(8);
        var first = cache.Of("simple".AsSpan());
        var second = cache.Of("simple/infer".AsSpan(0, 6));
        Assert.Equal("simple", second);
        Assert.Same(first, second);
    }

    [Fact]
    public void Of_MoreNamesThanTheCap_CacheBoundedAndEveryNameStillRight()
    {
        var cache = new NameCache(16);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal($"model-{i}", cache.Of($"model-{i}".AsSpan()));
        }

        Assert.Equal(16, cache.Count);
        // Past the cap a name is made per call: equal, but not kept.
        Assert.NotSame(cache.Of("model-499".AsSpan()), cache.Of("model-499".AsSpan()));
        Assert.Same(cache.Of("model-3".AsSpan()), cache.Of("model-3".AsSpan()));
    }

    [Theory]
    [InlineData(new byte[] { 0x73, 0x69, 0x6d, 0x70, 0x6c, 0x65 })]
    [InlineData(new byte[] { 0xc3, 0xa9, 0x74, 0xc3, 0xa9 })]
    [InlineData(new byte[] { 0x61, 0xff, 0xfe, 0x62, 0xc3 })]
    public void OfUtf8_AnyBytes_WhatEncodingGetStringMakes(byte[] utf8)
    {
        var cache = new NameCache(8);
        Assert.Equal(Encoding.UTF8.GetString(utf8), cache.OfUtf8(utf8));
    }

    [Fact]
    public void OfUtf8_LongerThanTheStackBuffer_Decoded()
    {
        var name = new string('m', 1000) + "é";
        Assert.Equal(name, new NameCache(8).OfUtf8(Encoding.UTF8.GetBytes(name)));
    }
}
