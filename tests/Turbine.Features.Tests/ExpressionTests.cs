using Turbine.Features.Expressions;

namespace Turbine.Features.Tests;

public sealed class ExpressionTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("-2 ^ 0 == 0 ? 1 : 2", double.NaN)]
    [InlineData("a / b", 0.5)]
    [InlineData("a / 0", double.NaN)]
    [InlineData("coalesce(n, 4) + 1", 5)]
    [InlineData("is_null(n)", 1)]
    [InlineData("a > b || a == 1", 1)]
    [InlineData("max(a, b) - min(a, b)", 1)]
    [InlineData("clamp(10, a, b)", 2)]
    [InlineData("log(exp(2))", 2)]
    [InlineData("a < b ? 10 : 20", 10)]
    [InlineData("1e3 + 0.5", 1000.5)]
    public void Eval_ComputesValue(string text, double expected)
    {
        var names = new[] { "a", "b", "n" };
        double[] vars = [1, 2, double.NaN];
        double result;
        try
        {
            result = ExpressionParser.Parse(text, n => Array.IndexOf(names, n) is >= 0 and var i ? i : throw new FormatException($"unknown {n}")).Eval(vars);
        }
        catch (FormatException)
        {
            result = double.NaN;
        }

        Assert.Equal(expected, result, 9);
    }

    [Fact]
    public void Parse_TooDeep_IsRefused()
    {
        var text = new string('(', 100) + "1" + new string(')', 100);
        var e = Assert.Throws<FormatException>(() => ExpressionParser.Parse(text, _ => 0));
        Assert.Contains("nesting deeper", e.Message, StringComparison.Ordinal);
    }
}
