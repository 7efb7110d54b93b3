using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

public sealed class LoadRangeTests
{
    [Theory]
    [InlineData("4", new double[] { 4 })]
    [InlineData("1:4", new double[] { 1, 2, 3, 4 })]
    [InlineData("1:8:2", new double[] { 1, 3, 5, 7 })]
    [InlineData("2:2:5", new double[] { 2 })]
    public void Parse_Concurrency_GivesLevels(string text, double[] expected)
    {
        Assert.Equal(expected, LoadRange.Parse(text, "--concurrency-range", integers: true).Levels());
    }

    [Fact]
    public void Parse_RateWithFractionalStep_IncludesEnd()
    {
        Assert.Equal([0.5, 0.6, 0.7], LoadRange.Parse("0.5:0.7:0.1", "--request-rate-range", integers: false).Levels());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1:4")]
    [InlineData("4:1")]
    [InlineData("1:4:0")]
    [InlineData("1:4:1:2")]
    [InlineData("a:b")]
    [InlineData("1.5")]
    [InlineData("1::1")]
    public void Parse_BadConcurrency_ThrowsNamingOptionAndForm(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => LoadRange.Parse(text, "--concurrency-range", integers: true));
        Assert.Contains($"--concurrency-range '{text}'", e.Message);
        Assert.Contains("START[:END[:STEP]]", e.Message);
    }

    [Fact]
    public void Parse_TooManyLevels_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => LoadRange.Parse("1:100000", "--concurrency-range", integers: true));
        Assert.Contains("at most 1000", e.Message);
    }
}
