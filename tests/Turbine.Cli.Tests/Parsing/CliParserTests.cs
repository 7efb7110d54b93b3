using System.CommandLine;
using Turbine.Cli;

namespace Turbine.Cli.Tests.Parsing;

/// <summary>The parsing rules every <c>turbine</c> command shares (<see cref="CliParser"/>), checked on the real command tree.</summary>
public sealed class CliParserTests
{
    /// <summary>Every numeric option and argument of every command, found by walking the tree (so new ones are covered).</summary>
    public static TheoryData<string[], string> NumericSymbols()
    {
        var data = new TheoryData<string[], string>();
        void Walk(Command command, List<string> path, List<Option> inherited)
        {
            var options = inherited.Concat(command.Options).ToList();
            foreach (var option in options.Where(o => IsNumeric(o.ValueType)))
            {
                data.Add([.. path, option.Name, "abc"], option.Name);
            }

            foreach (var argument in command.Arguments.Where(a => IsNumeric(a.ValueType)))
            {
                data.Add([.. path, .. command.Arguments.TakeWhile(a => a != argument).Select(_ => "x"), "abc"], argument.Name);
            }

            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name], [.. inherited, .. command.Options.Where(o => o.Recursive)]);
            }
        }

        Walk(CliParser.CreateRoot(), [], []);
        return data;
    }

    /// <summary>Any numeric type, not only those CliParser handles today: a new one fails the theory below until it does.</summary>
    private static bool IsNumeric(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t && ((t.IsPrimitive && t != typeof(bool) && t != typeof(char)) || t == typeof(decimal));

    [Fact]
    public void NumericSymbols_CoverTheCommandsTheIssueNames()
    {
        var commands = NumericSymbols().Select(row => string.Join(' ', ((string[])row[0]).TakeWhile(a => !a.StartsWith('-') && a != "abc" && a != "x"))).ToHashSet();
        Assert.Superset(new HashSet<string> { "serve", "up", "gateway", "registry", "bench", "infer", "models pull", "registry token revoke" }, commands);
        Assert.True(NumericSymbols().Count() >= 40, $"only {NumericSymbols().Count()} numeric options found");
    }

    [Theory]
    [MemberData(nameof(NumericSymbols))]
    public void Parse_NonNumericValue_OneLineNamingOptionAndValue(string[] args, string name)
    {
        var root = CliParser.CreateRoot();
        var parsed = CliParser.Parse(root, args);
        Assert.NotEmpty(parsed.Errors);
        var line = CliParser.ErrorLine(parsed, root);
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("turbine: error: ", line, StringComparison.Ordinal);
        Assert.Contains($"{name} 'abc': expected a", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "serve", "--http-port", "99999999999" }, "--http-port '99999999999': out of range")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--trace-sampling-rate", "NaN" }, "--trace-sampling-rate 'NaN': expected a number")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--model-control-mode", "sometimes" }, "--model-control-mode: Argument 'sometimes' not recognized")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--log-format", "xml" }, "--log-format: Argument 'xml' not recognized")]
    [InlineData(new[] { "bench", "-m", "simple", "--protocol", "ftp" }, "--protocol: Argument 'ftp' not recognized")]
    [InlineData(new[] { "models", "list", "--format", "yaml" }, "--format: Argument 'yaml' not recognized")]
    [InlineData(new[] { "models", "promote", "m:1", "--stage", "live" }, "--stage 'live': expected one of None, Staging, Production, Archived")]
    [InlineData(new[] { "gateway", "--config", "g.yaml", "--port", "70000" }, "--http-port must be between 0 and 65535, got 70000")]
    [InlineData(new[] { "registry", "--port", "-1" }, "--http-port must be between 0 and 65535, got -1")]
    public void Parse_BadValue_OneLineNamingTheOption(string[] args, string expected)
    {
        var root = CliParser.CreateRoot();
        var parsed = CliParser.Parse(root, args);
        var line = CliParser.ErrorLine(parsed, root);
        Assert.DoesNotContain('\n', line);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadNumberAndMissingRequiredFlag_NamesTheBadNumber()
    {
        var root = CliParser.CreateRoot();
        var parsed = CliParser.Parse(root, ["serve", "--http-port", "abc"]); // --model-repository missing too
        Assert.Contains("--http-port 'abc': expected a whole number", CliParser.ErrorLine(parsed, root), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Defaults_ConvertWithoutErrors()
    {
        var parsed = CliParser.Parse(CliParser.CreateRoot(), ["serve", "--model-repository", "/tmp", "--http-port", "0", "--trace-sampling-rate", "0.5"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(8001, parsed.GetValue<int>("--grpc-port"));
        Assert.Equal(0, parsed.GetValue<int>("--http-port"));
        Assert.Equal(0.5, parsed.GetValue<double>("--trace-sampling-rate"));
    }

    [Theory]
    [InlineData("gateway", "--port", "--http-port")]
    [InlineData("registry", "--port", "--http-port")]
    public void Parse_OldPortSpelling_SetsTheHttpPort(string command, string old, string canonical)
    {
        string[] extra = command == "gateway" ? ["--config", "g.yaml"] : [];
        var parsed = CliParser.Parse(CliParser.CreateRoot(), [command, .. extra, old, "9123"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(9123, parsed.GetValue<int>(canonical));
    }

    [Theory]
    [InlineData("Production", "Production")]
    [InlineData("production", "Production")]
    [InlineData("@production", "Production")]
    [InlineData("@STAGING", "Staging")]
    [InlineData("archived", "Archived")]
    public void Parse_StageInAnySpelling_YieldsTheRegistrySpelling(string given, string expected)
    {
        var parsed = CliParser.Parse(CliParser.CreateRoot(), ["models", "promote", "m:1", "--stage", given]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(expected, parsed.GetValue<string?>("--stage"));
    }

    [Theory]
    [InlineData("logs")]
    [InlineData("payload-logs")]
    public void Parse_PayloadLogsOrOldName_SameCommand(string name)
    {
        var parsed = CliParser.Parse(CliParser.CreateRoot(), [name, "query", "--dir", "/tmp"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal("query", parsed.CommandResult.Command.Name);
        Assert.Equal("payload-logs", ((System.CommandLine.Parsing.CommandResult)parsed.CommandResult.Parent!).Command.Name);
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--format")]
    [InlineData("--registry-token")]
    [InlineData("--token")]
    public void Parse_ModelsFormatAndTokenSpellings_Accepted(string flag)
    {
        var value = flag.Contains("token", StringComparison.Ordinal) ? "t0ken" : "json";
        var parsed = CliParser.Parse(CliParser.CreateRoot(), ["models", "list", flag, value]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(value, parsed.GetValue<string?>(flag.Contains("token", StringComparison.Ordinal) ? "--token" : "--format"));
    }
}
