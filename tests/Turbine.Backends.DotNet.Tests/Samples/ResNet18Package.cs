using System.Diagnostics;

namespace Turbine.Backends.DotNet.Tests.Samples;

/// <summary>
/// ResNet-18 from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (the file the benchmarks use),
/// restored into the NuGet cache when it is not there yet.
/// </summary>
internal static class ResNet18Package
{
    private const string Version = "0.23.1";

    public static byte[] Read(string workFolder)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var file = Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", Version, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        if (!File.Exists(file))
        {
            Restore(workFolder);
        }

        return File.ReadAllBytes(file);
    }

    private static void Restore(string workFolder)
    {
        var project = Path.Combine(workFolder, "restore-resnet18");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "restore.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
              <ItemGroup><PackageDownload Include="Microsoft.ML.DnnImageFeaturizer.ResNet18" Version="[{Version}]" /></ItemGroup>
            </Project>
            """);
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["restore", project]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException("restoring Microsoft.ML.DnnImageFeaturizer.ResNet18 failed: " + output.Result);
        }
    }
}
