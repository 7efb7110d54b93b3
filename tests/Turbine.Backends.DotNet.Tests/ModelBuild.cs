using System.Diagnostics;

namespace Turbine.Backends.DotNet.Tests;

/// <summary>
/// Builds a model project of the repository with <c>dotnet build</c> into a temp folder (a copy of the project, so
/// builds never write into the source tree), referencing the <c>Turbine.Backend.dll</c> the tests run with.
/// </summary>
internal static class ModelBuild
{
    /// <summary>Builds the project folder <paramref name="relativeFolder"/> (from the repository root); returns the output folder.</summary>
    public static string Build(string relativeFolder, string workFolder)
    {
        var root = RepositoryRoot();
        var source = Path.Combine(root, relativeFolder);
        var copy = Path.Combine(workFolder, "src", relativeFolder);
        CopyFolder(source, copy);

        // The nearest Directory.Build.props above the project (its build settings) goes to the same place in the copy.
        for (var dir = Directory.GetParent(source); dir is not null && dir.FullName != root; dir = dir.Parent)
        {
            var props = Path.Combine(dir.FullName, "Directory.Build.props");
            if (File.Exists(props))
            {
                File.Copy(props, Path.Combine(workFolder, "src", Path.GetRelativePath(root, props)), overwrite: true);
                break;
            }
        }

        var output = Path.Combine(workFolder, "out");
        var sdk = typeof(Turbine.Backend.ITurbineModel).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", copy, "-c", "Release", "-o", output, "--nologo", "-v", "q", $"-p:TurbineBackendPath={sdk}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = copy,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["MSBUILDNOINPROCNODE"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet build of {relativeFolder} took more than 8 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build of {relativeFolder} failed:\n{stdout.Result}\n{stderr.Result}");
        }

        return output;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Turbine.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Turbine.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Copies the files an assembly folder holds into a model version folder.</summary>
    public static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
