using System.Formats.Tar;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Turbine.Backends.Onnx;
using Turbine.Client.Registry;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Server.Registry;
using Turbine.TestSupport;

namespace Turbine.Server.Tests.Registry;

/// <summary>
/// Issue 11 items 8 and 1 on the registry path: a registry writer pushes a tar artifact holding a FIFO, a device, a
/// link or an escaping name, or a config.pbtxt whose label_filename names a file outside the folder. The reference is
/// refused with a message naming the entry and its type (or the field); a good reference beside it is served and
/// still follows the registry; nothing special is created in the cache.
/// </summary>
public sealed class RegistryArtifactAttackTests : RegistrySyncTestBase
{
    private const string GoodConfig = "max_batch_size: 8\ninput [ { name: \"INPUT0\" data_type: TYPE_FP32 dims: [ 4 ] } ]\n";

    public static TheoryData<string, string> Attacks => new()
    {
        { "fifo", "tar entry 'labels.txt' is a FIFO; artifacts may hold only regular files and directories" },
        { "chardev", "tar entry 'zero' is a character device" },
        { "blockdev", "tar entry 'disk' is a block device" },
        { "symlink", "tar entry 'labels.txt' is a symbolic link" },
        { "hardlink", "tar entry 'passwd' is a hard link" },
        { "dotdot", "tar entry '../escape.txt' has a '..' path" },
        { "absolute", "tar entry '/tmp/abs.txt' has an absolute or unusable path" },
        { "labels-outside", "label_filename '/etc/passwd' must be a relative path inside the model folder" },
        { "labels-dotdot", "label_filename '../../../../../../etc/passwd' must be a relative path inside the model folder" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task StartAsync_HostileArtifactBesideGoodOne_RefusedNamingTheEntryAndGoodOneServedAndUpdated(string attack, string expected)
    {
        await PushFileAsync("good", 1f);
        await PushTarAsync("bad", Hostile(attack));

        var (engine, sync) = await StartSyncAsync(["good", "bad"]);

        Assert.Equal([1L], Serving(engine, "good"));
        Assert.Empty(engine.GetServingVersions("bad"));
        Assert.Equal(1, sync.FailuresOf("bad"));
        Assert.Equal(0, sync.FailuresOf("good"));
        var failure = Assert.Single(await sync.SyncOnceAsync(CancellationToken.None));
        Assert.Equal("bad", failure.Reference);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", failure.Message, StringComparison.Ordinal);

        // The good reference still follows the registry.
        await PushFileAsync("good", 2f);
        Assert.Equal("bad", Assert.Single(await sync.SyncOnceAsync(CancellationToken.None)).Reference);
        Assert.Equal([2L], Serving(engine, "good"));
        Assert.False(File.Exists(Path.Combine(Registry.Directory, "escape.txt")));
        Assert.False(File.Exists("/tmp/abs.txt") && File.GetLastWriteTimeUtc("/tmp/abs.txt") > DateTime.UtcNow.AddMinutes(-5));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Cache, "*", SearchOption.AllDirectories),
            p => File.GetAttributes(p).HasFlag(FileAttributes.ReparsePoint));
    }

    [Fact]
    public async Task PollLoops_OneReferenceKeepsFailing_ItBacksOffAloneAndTheOtherFollowsTheRegistry()
    {
        await PushFileAsync("good", 1f);
        await PushTarAsync("bad", Hostile("fifo"));
        var time = new FakeTimeProvider();
        var (engine, sync) = await StartSyncAsync(["bad", "good"], time);
        sync.StartPolling();

        // Let the bad reference back off far beyond the poll interval (2^4 s, jittered, at least 8 s)...
        await Poll.UntilOrFailAsync(() =>
        {
            if (sync.FailuresOf("bad") >= 4)
            {
                return true;
            }

            time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, TimeSpan.FromSeconds(60), () => $"bad failures {sync.FailuresOf("bad")}");

        // ...then the good reference still picks up a new version within a few poll intervals of (fake) time.
        await PushFileAsync("good", 2f);
        var served = false;
        for (var step = 0; step < 3 && !served; step++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            served = await ServerHarness.EventuallyAsync(() => Task.FromResult(Serving(engine, "good") is [2L]), TimeSpan.FromSeconds(15));
        }

        Assert.True(served, $"good was not updated within 3 s of poll time while bad backed off ({sync.FailuresOf("bad")} failures)");

        // The failing reference's backoff is its own: the good one never counted a failure.
        Assert.Equal(0, sync.FailuresOf("good"));
        Assert.Equal(sync.FailuresOf("bad"), sync.ConsecutiveFailures);
    }

    private TarEntry[] Hostile(string attack) => attack switch
    {
        "fifo" => [HostileTar.Text("config.pbtxt", Labelled("labels.txt")), HostileTar.Fifo("labels.txt")],
        "chardev" => [HostileTar.CharacterDevice("zero")],
        "blockdev" => [HostileTar.BlockDevice("disk")],
        "symlink" => [HostileTar.Text("config.pbtxt", Labelled("labels.txt")), HostileTar.SymbolicLink("labels.txt", "/etc/passwd")],
        "hardlink" => [HostileTar.HardLink("passwd", "/etc/passwd")],
        "dotdot" => [HostileTar.Text("../escape.txt", "x")],
        "absolute" => [HostileTar.Text("/tmp/abs.txt", "x")],
        "labels-outside" => [HostileTar.Text("config.pbtxt", Labelled("/etc/passwd"))],
        "labels-dotdot" => [HostileTar.Text("config.pbtxt", Labelled("../../../../../../etc/passwd"))],
        _ => throw new ArgumentOutOfRangeException(nameof(attack)),
    };

    private static string Labelled(string labels) =>
        GoodConfig + $"output [ {{ name: \"OUTPUT0\" data_type: TYPE_FP32 dims: [ 4 ] label_filename: \"{labels}\" }} ]\n";

    private async Task PushFileAsync(string model, float addend)
    {
        if (await Client.FindModelAsync(model) is null)
        {
            await Client.CreateModelAsync(new NewRegisteredModel { Name = model });
        }

        var file = AddModel.Write(Path.Combine(Registry.Directory, "models", Guid.NewGuid().ToString("N")), addend);
        await Client.CreateVersionAsync(model, new NewModelVersion { Artifact = await Client.UploadAsync(file) });
    }

    private async Task PushTarAsync(string model, TarEntry[] entries)
    {
        await Client.CreateModelAsync(new NewRegisteredModel { Name = model });
        var tar = HostileTar.Write(Path.Combine(Registry.Directory, "tars", Guid.NewGuid().ToString("N") + ".tar"), AddModel.Bytes(0f), entries);
        var upload = await Client.UploadFileAsync(tar);
        await Client.CreateVersionAsync(model, new NewModelVersion
        {
            Artifact = new RegistryArtifact { Sha256 = upload.Sha256, Size = upload.Size, Packing = RegistryArtifact.TarPacking },
        });
    }

}
