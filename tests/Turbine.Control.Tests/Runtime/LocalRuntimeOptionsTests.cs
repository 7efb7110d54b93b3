using Turbine.Control.Runtime;

namespace Turbine.Control.Tests.Runtime;

public sealed class LocalRuntimeOptionsTests
{
    private static readonly LocalRuntimeOptions Valid = new() { WorkDirectory = "/tmp/turbine-work" };

    [Fact]
    public void Validate_Defaults_NoProblems() => Assert.Empty(Valid.Validate());

    [Theory]
    [InlineData("WorkDirectory")]
    [InlineData("RegistryCacheDirectory")]
    [InlineData("StartTimeout")]
    [InlineData("ProbeTimeout")]
    [InlineData("MaxStartAttempts")]
    [InlineData("MaxLogBytes")]
    [InlineData("MaxLogTailBytes")]
    [InlineData("MaxLogTailLines")]
    [InlineData("RegistryToken")]
    [InlineData("ServerCommand")]
    public void Validate_OneBadSetting_OneProblemNamingIt(string setting)
    {
        var options = setting switch
        {
            "WorkDirectory" => Valid with { WorkDirectory = "work" },
            "RegistryCacheDirectory" => Valid with { RegistryCacheDirectory = "cache" },
            "StartTimeout" => Valid with { StartTimeout = TimeSpan.Zero },
            "ProbeTimeout" => Valid with { ProbeTimeout = TimeSpan.FromMinutes(5) },
            "MaxStartAttempts" => Valid with { MaxStartAttempts = 11 },
            "MaxLogBytes" => Valid with { MaxLogBytes = 10 },
            "MaxLogTailBytes" => Valid with { MaxLogTailBytes = 10 },
            "MaxLogTailLines" => Valid with { MaxLogTailLines = 0 },
            "RegistryToken" => Valid with { RegistryToken = "line\nbreak" },
            _ => Valid with { ServerCommand = [] },
        };

        var problem = Assert.Single(options.Validate());
        Assert.StartsWith(setting + ":", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--http-port")]
    [InlineData("--host=0.0.0.0")]
    [InlineData("--registry-token")]
    [InlineData("--payload-log-dir=/tmp/shared")]
    public void Validate_ExtraArgumentTheRuntimeSets_Refused(string argument)
    {
        var problem = Assert.Single((Valid with { ExtraServeArguments = ["--exit-timeout-secs", "5", argument] }).Validate());
        Assert.Contains($"'{argument}' is set by the runtime", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveServerCommand_Given_UsedAsIs()
    {
        var (command, problem) = (Valid with { ServerCommand = ["/opt/turbine/turbine"] }).ResolveServerCommand();
        Assert.Null(problem);
        Assert.Equal(["/opt/turbine/turbine"], command);
    }
}
