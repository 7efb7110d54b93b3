using System.Formats.Tar;
using System.Text.RegularExpressions;
using Turbine.Client.Registry;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>
/// Issue 11 item 8 as a fuzzer: tar artifacts with random entry types (devices, FIFOs, links) and hostile names
/// (absolute, <c>..</c>) pushed to a real <c>turbine registry</c> process, then pulled with a real
/// <c>turbine models pull</c>. Either side may refuse a tar; whatever is pulled holds only regular files and folders,
/// all inside the target folder, and the registry stays healthy.
/// </summary>
public sealed partial class RegistryTarFuzzTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e-adv-tar", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Fuzz_HostileTars_PullWritesOnlyRegularFilesInsideTheFolder()
    {
        Directory.CreateDirectory(_root);
        await using var registry = TurbineProcess.Start(["registry", "--dev", "--data", Path.Combine(_root, "data"), "--port", "0"]);
        var url = new Uri((await registry.WaitForLineAsync(RegistryReadyLine(), TimeSpan.FromSeconds(60))).Groups[1].Value);
        using var client = new RegistryClient(url);
        await client.CreateModelAsync(new NewRegisteredModel { Name = "fuzz" });
        var model = await File.ReadAllBytesAsync(AddModel.Write(Path.Combine(_root, "model"), 1f));

        var random = new Random(8);
        var refusedAtPush = 0;
        var refusedAtPull = 0;
        var pulled = 0;
        for (var i = 0; i < 24; i++)
        {
            var (tar, hostile) = HostileTar(random, model, i);
            RegistryModelVersion version;
            try
            {
                var upload = await client.UploadFileAsync(tar);
                version = await client.CreateVersionAsync("fuzz", new NewModelVersion
                {
                    Artifact = new RegistryArtifact { Sha256 = upload.Sha256, Packing = RegistryArtifact.TarPacking },
                });
            }
            catch (RegistryException e)
            {
                Assert.InRange(e.StatusCode, 400, 499);
                refusedAtPush++;
                continue;
            }

            var target = Path.Combine(_root, "pull-" + i, "target");
            var (code, output) = await TurbineProcess.RunAsync("models", "pull", $"fuzz:{version.Version}", target, "--registry", url.ToString());
            var outside = Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!).Where(p => p != target)
                .Concat(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "turbine-abs-*")).ToList();
            Assert.True(outside.Count == 0, $"case {i}: the pull wrote outside its folder: {string.Join(", ", outside)}");
            AssertOnlyRegularFilesAndFolders(target, i);
            if (code == 0)
            {
                Assert.False(hostile, $"case {i}: a tar with a special or escaping entry was pulled:\n{output}");
                Assert.True(File.Exists(Path.Combine(target, "m", "1", "model.onnx")), $"case {i}: {output}");
                pulled++;
            }
            else
            {
                Assert.Contains("entry", output, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // a clear error, not a stack trace
                refusedAtPull++;
            }
        }

        Assert.True(pulled > 0, "no benign tar was pulled");
        Assert.True(refusedAtPush + refusedAtPull > 0, "no hostile tar was refused");
        using var http = new HttpClient { BaseAddress = url };
        using var health = await http.GetAsync("api/v1/models");
        Assert.True(health.IsSuccessStatusCode, $"the registry answered {(int)health.StatusCode} after the fuzz");
    }

    /// <summary>A tar holding a valid model at m/1/model.onnx, plus (usually) one or more hostile entries.</summary>
    private (string Path, bool Hostile) HostileTar(Random random, byte[] model, int index)
    {
        var path = Path.Combine(_root, $"case-{index}.tar");
        var hostile = false;
        using (var stream = File.Create(path))
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "m/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "m/1/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "m/1/model.onnx") { DataStream = new MemoryStream(model) });
            var extra = index % 4 == 0 ? 0 : random.Next(1, 4); // every fourth tar is benign
            for (var e = 0; e < extra; e++)
            {
                var names = new[] { "m/labels.txt", "../escape.txt", "/tmp/turbine-abs-" + index, "m/1/../../../up.txt", "m/link", "m/dev" };
                var types = new[] { TarEntryType.Fifo, TarEntryType.CharacterDevice, TarEntryType.BlockDevice, TarEntryType.SymbolicLink, TarEntryType.HardLink, TarEntryType.RegularFile };
                var name = names[random.Next(names.Length)];
                var type = types[random.Next(types.Length)];
                var entry = new PaxTarEntry(type, name + "-" + e);
                switch (type)
                {
                    case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                        entry.DeviceMajor = 1;
                        entry.DeviceMinor = 5; // /dev/zero
                        break;
                    case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                        entry.LinkName = random.Next(3) switch { 0 => "/etc/passwd", 1 => "../../../outside", _ => "m/1/model.onnx" };
                        break;
                    case TarEntryType.RegularFile:
                        entry.DataStream = new MemoryStream("label\n"u8.ToArray());
                        break;
                }

                hostile |= type != TarEntryType.RegularFile || name.StartsWith('/') || name.Contains("..", StringComparison.Ordinal);
                writer.WriteEntry(entry);
            }
        }

        return (path, hostile);
    }

    private static void AssertOnlyRegularFilesAndFolders(string target, int index)
    {
        if (!Directory.Exists(target))
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(target).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            Assert.True(entry.LinkTarget is null, $"case {index}: {entry.FullName} is a link");
            Assert.True(entry is DirectoryInfo || StatIsRegular(entry.FullName), $"case {index}: {entry.FullName} is not a regular file");
        }
    }

    private static bool StatIsRegular(string path) => LStat(path) == 0x8000;

    private static int LStat(string path)
    {
        // File type bits of st_mode (S_IFMT) via stat(1): portable enough on the Linux test machines.
        var info = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%f", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(info)!;
        var hex = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return Convert.ToInt32(hex, 16) & 0xF000;
    }

    [GeneratedRegex(@"turbine registry ready: (\S+) \(metadata sqlite:")]
    private static partial Regex RegistryReadyLine();
}
