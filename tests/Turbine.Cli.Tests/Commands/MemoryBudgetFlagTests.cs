using System.CommandLine;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>serve --model-memory-budget</c> (issue 17): byte sizes with units, refused when not one.</summary>
public sealed class MemoryBudgetFlagTests
{
    private static ParseResult Parse(params string[] args) => CliParser.Parse(CliParser.CreateRoot(), args);

    [Theory]
    [InlineData("2Gi")]
    [InlineData("500000000")]
    [InlineData("0")]
    public void Serve_MemoryBudget_Parses(string value)
    {
        Assert.Empty(Parse("serve", "--model-repository", "/models", "--model-memory-budget", value).Errors);
    }

    [Fact]
    public void Serve_MemoryBudgetNotASize_ErrorNamesFlagAndValue()
    {
        var parsed = Parse("serve", "--model-repository", "/models", "--model-memory-budget", "lots");

        Assert.Equal(
            "turbine: error: --model-memory-budget: 'lots' is not a byte size (a number of bytes, optionally with a unit: K, M, G, T or Ki, Mi, Gi, Ti) (see 'turbine serve --help')",
            CliParser.ErrorLine(parsed, CliParser.CreateRoot()));
    }
}
