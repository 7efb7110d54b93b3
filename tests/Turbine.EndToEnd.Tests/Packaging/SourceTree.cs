using System.Xml.Linq;

namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// The repository's own build, packed and published the way a user does it: <c>dotnet pack</c> / <c>dotnet publish</c>
/// with <c>--no-build</c> over the Release build the test run has just made (so each takes seconds, not a rebuild).
/// </summary>
internal static class SourceTree
{
    public static string Root { get; } = S3rverProcess.RepositoryRoot();

    /// <summary>The one version, as written in Directory.Build.props.</summary>
    public static string Version { get; } = XDocument.Load(Path.Combine(Root, "Directory.Build.props"))
        .Descendants("Version").Single().Value.Trim();

    public static string Project(string name) => Path.Combine(Root, "src", name, name + ".csproj");

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in the repository root; fails the test with its output on a non-zero exit.</summary>
    public static async Task<string> DotnetAsync(TimeSpan timeout, params string[] args)
    {
        var (code, output) = await TurbineProcess.RunExecutableAsync("dotnet", args, timeout,
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
        Assert.True(code == 0, $"dotnet {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    /// <summary><c>dotnet pack</c> of a src/ project into <paramref name="output"/>; the package's path.</summary>
    public static async Task<string> PackAsync(string project, string output)
    {
        await DotnetAsync(TimeSpan.FromMinutes(3), "pack", Project(project), "-c", "Release", "--no-build", "-o", output);
        return Directory.GetFiles(output, "*.nupkg").Single(f => Path.GetFileName(f).StartsWith(project + ".", StringComparison.Ordinal));
    }
}
