using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Tensors;

public sealed class TensorShapeTests
{
    [Theory]
    [InlineData(new long[] { }, 1)]
    [InlineData(new long[] { 2, 3, 4 }, 24)]
    [InlineData(new long[] { 5, 0, 7 }, 0)]
    [InlineData(new long[] { 2, -1 }, -1)]
    [InlineData(new long[] { long.MaxValue, 2 }, -1)]
    public void ElementCount_Shape_ProductOrMinusOne(long[] shape, long expected) =>
        Assert.Equal(expected, TensorShape.ElementCount(shape));

    [Theory]
    [InlineData(new long[] { }, "[]")]
    [InlineData(new long[] { 7 }, "[7]")]
    [InlineData(new long[] { -1, 16 }, "[-1,16]")]
    public void Format_Shape_Bracketed(long[] shape, string expected) => Assert.Equal(expected, TensorShape.Format(shape));

    [Theory]
    [InlineData(new long[] { -1, 4 }, new long[] { 9, 4 }, true)]
    [InlineData(new long[] { 3, 4 }, new long[] { 3, 4 }, true)]
    [InlineData(new long[] { 3, 4 }, new long[] { 3, 5 }, false)]
    [InlineData(new long[] { 3 }, new long[] { 3, 1 }, false)]
    [InlineData(new long[] { }, new long[] { }, true)]
    public void Matches_PatternAndShape_Expected(long[] pattern, long[] actual, bool expected) =>
        Assert.Equal(expected, TensorShape.Matches(pattern, actual));
}
