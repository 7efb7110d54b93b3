using Turbine.Core.SharedMemory;

namespace Turbine.Core.Tests.SharedMemory;

/// <summary>The region manager against real POSIX shared memory objects in /dev/shm.</summary>
public sealed class SharedMemoryManagerTests : IDisposable
{
    private readonly string _key = "/turbine-test-" + Guid.NewGuid().ToString("N");
    private readonly List<string> _created = [];

    public SharedMemoryManagerTests() => CreateObject(_key, 4096);

    public void Dispose()
    {
        foreach (var path in _created)
        {
            File.Delete(path);
        }
    }

    private string CreateObject(string key, int size)
    {
        var path = "/dev/shm" + key;
        File.WriteAllBytes(path, new byte[size]);
        _created.Add(path);
        return path;
    }

    private static SharedMemoryManager Manager(int regions = 8, long bytes = 1 << 20) => new(new SharedMemoryLimits { MaxRegions = regions, MaxBytes = bytes });

    [Fact]
    public void Register_ThenStatus_ListsRegionAsRegistered()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 1024, 2048));

        var status = manager.Status("r");
        Assert.True(status.IsOk);
        Assert.Equal(new SharedMemoryRegionStatus("r", _key, 1024, 2048), Assert.Single(status.Value));
        Assert.Equal(1, manager.MappedRegions);
        Assert.Equal(2048, manager.MappedBytes);
    }

    [Fact]
    public void Status_UnknownRegion_NotFoundWithTritonText()
    {
        using var manager = Manager();
        var status = manager.Status("nope");
        Assert.Equal(StatusCode.NotFound, status.Error!.Code);
        Assert.Equal("Unable to find system shared memory region: 'nope'", status.Error.Message);
    }

    [Fact]
    public void Register_SameNameTwice_AlreadyExists()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 0, 64));
        var error = manager.Register("r", _key, 64, 64);
        Assert.Equal(StatusCode.AlreadyExists, error!.Code);
        Assert.Equal("shared memory region 'r' already in manager", error.Message);
        Assert.Equal(1, manager.MappedRegions);
    }

    [Theory]
    [InlineData("/../etc/passwd")]
    [InlineData("/a/b")]
    [InlineData("/..")]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("/x\0y")]
    public void Register_KeyNamingAnotherFile_InvalidArgument(string key)
    {
        using var manager = Manager();
        var error = manager.Register("r", key, 0, 1);
        Assert.Equal(StatusCode.InvalidArgument, error!.Code);
        Assert.Contains("invalid key", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, manager.MappedRegions);
    }

    [Fact]
    public void Register_SymbolicLinkToObject_Refused()
    {
        var link = "/turbine-test-link-" + Guid.NewGuid().ToString("N");
        File.CreateSymbolicLink("/dev/shm" + link, "/dev/shm" + _key);
        _created.Add("/dev/shm" + link);
        using var manager = Manager();

        var error = manager.Register("r", link, 0, 64);
        Assert.Equal(StatusCode.InvalidArgument, error!.Code);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_MissingObject_TritonUnableToOpen()
    {
        using var manager = Manager();
        var error = manager.Register("r", "/turbine-test-missing-" + Guid.NewGuid().ToString("N"), 0, 64);
        Assert.Equal(StatusCode.Internal, error!.Code);
        Assert.StartsWith("Unable to open shared memory region: '/turbine-test-missing-", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 4097)]
    [InlineData(4096, 1)]
    [InlineData(1, long.MaxValue)]
    [InlineData(long.MaxValue, 1)]
    [InlineData(0, 0)]
    [InlineData(-1, 8)]
    public void Register_RangePastObjectOrEmpty_InvalidArgument(long offset, long size)
    {
        using var manager = Manager(bytes: long.MaxValue);
        var error = manager.Register("r", _key, offset, size);
        Assert.Equal(StatusCode.InvalidArgument, error!.Code);
        Assert.StartsWith("failed to register shared memory region 'r': invalid args", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, manager.MappedRegions);
    }

    [Fact]
    public void Register_OverRegionLimit_ResourceExhaustedNamingFlag()
    {
        using var manager = Manager(regions: 2);
        Assert.Null(manager.Register("a", _key, 0, 64));
        Assert.Null(manager.Register("b", _key, 64, 64));

        var error = manager.Register("c", _key, 128, 64);
        Assert.Equal(StatusCode.ResourceExhausted, error!.Code);
        Assert.Contains("--max-shm-regions", error.Message, StringComparison.Ordinal);

        manager.Unregister("a");
        Assert.Null(manager.Register("c", _key, 128, 64));
    }

    [Fact]
    public void Register_OverByteLimit_ResourceExhaustedNamingFlag()
    {
        using var manager = Manager(bytes: 1000);
        Assert.Null(manager.Register("a", _key, 0, 600));
        var error = manager.Register("b", _key, 600, 401);
        Assert.Equal(StatusCode.ResourceExhausted, error!.Code);
        Assert.Contains("--max-shm-bytes", error.Message, StringComparison.Ordinal);
        Assert.Null(manager.Register("b", _key, 600, 400));
    }

    [Fact]
    public void Register_RegionsTurnedOff_Unsupported()
    {
        using var manager = Manager(regions: 0);
        Assert.Equal(StatusCode.Unsupported, manager.Register("a", _key, 0, 64)!.Code);
    }

    [Fact]
    public void Lease_ReadsWhatTheClientWroteAndWritesBack()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 1024, 1024));
        using (var stream = new FileStream("/dev/shm" + _key, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 1024 + 16;
            stream.Write([1, 2, 3, 4]);
        }

        var lease = manager.Lease("r", 16, 4);
        using (var owner = lease.Value!)
        {
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, owner.Memory.ToArray());
            owner.GetSpan().Fill(9);
        }

        var bytes = File.ReadAllBytes("/dev/shm" + _key);
        Assert.Equal(new byte[] { 9, 9, 9, 9 }, bytes[(1024 + 16)..(1024 + 20)]);
    }

    [Theory]
    [InlineData(1024, 0, "Invalid offset for shared memory region: 'r'")]
    [InlineData(-1, 1, "Invalid offset for shared memory region: 'r'")]
    [InlineData(1000, 25, "Invalid offset + byte size for shared memory region: 'r'")]
    [InlineData(8, long.MaxValue, "Invalid offset + byte size for shared memory region: 'r'")]
    [InlineData(0, -1, "Invalid offset + byte size for shared memory region: 'r'")]
    public void Lease_OutsideRegion_InvalidArgumentWithTritonText(long offset, long size, string message)
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 0, 1024));
        var lease = manager.Lease("r", offset, size);
        Assert.Equal(StatusCode.InvalidArgument, lease.Error!.Code);
        Assert.Equal(message, lease.Error.Message);
    }

    [Fact]
    public void Lease_UnknownRegion_NotFound()
    {
        using var manager = Manager();
        var lease = manager.Lease("nope", 0, 1);
        Assert.Equal(StatusCode.NotFound, lease.Error!.Code);
        Assert.Equal("Unable to find shared memory region: 'nope'", lease.Error.Message);
    }

    [Fact]
    public void Lease_ObjectShrunkAfterRegistration_RefusedInsteadOfFaulting()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 0, 4096));
        using (var stream = new FileStream("/dev/shm" + _key, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(100);
        }

        var lease = manager.Lease("r", 64, 64);
        Assert.Equal(StatusCode.InvalidArgument, lease.Error!.Code);
        Assert.Contains("was shrunk to 100 bytes", lease.Error.Message, StringComparison.Ordinal);
        var inside = manager.Lease("r", 0, 100);
        Assert.True(inside.IsOk);
        ((IDisposable)inside.Value).Dispose();
    }

    [Fact]
    public void Covered_ObjectShrunkWhileLeased_ErrorBeforeWriting()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 0, 4096));
        var lease = manager.Lease("r", 2048, 64).Value!;
        Assert.Null(lease.Covered());
        using (var stream = new FileStream("/dev/shm" + _key, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(2048);
        }

        Assert.Contains("was shrunk to 2048 bytes", lease.Covered()!.Message, StringComparison.Ordinal);
        ((IDisposable)lease).Dispose();
    }

    [Fact]
    public void Unregister_WhileLeased_AnswersAtOnceAndUnmapsAfterLastLease()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 0, 4096));
        var first = manager.Lease("r", 0, 8).Value!;
        var second = manager.Lease("r", 8, 8).Value!;

        manager.Unregister("r");
        Assert.Equal(StatusCode.NotFound, manager.Status("r").Error!.Code);
        Assert.Equal(StatusCode.NotFound, manager.Lease("r", 0, 8).Error!.Code);
        Assert.Equal(1, manager.MappedRegions);

        ((IDisposable)first).Dispose();
        Assert.Throws<ObjectDisposedException>(() => first.GetSpan()); // a disposed lease never reaches the mapping
        second.GetSpan()[0] = 5;   // still mapped: the other lease holds it
        Assert.Equal(1, manager.MappedRegions);

        ((IDisposable)second).Dispose();
        Assert.Equal(0, manager.MappedRegions);
        Assert.Equal(0, manager.MappedBytes);
        Assert.Null(manager.Register("r", _key, 0, 4096));
    }

    [Fact]
    public void Unregister_UnknownName_DoesNothing()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("r", _key, 0, 64));
        manager.Unregister("other");
        Assert.True(manager.Status("r").IsOk);
    }

    [Fact]
    public void UnregisterAll_RemovesEveryRegion()
    {
        using var manager = Manager();
        Assert.Null(manager.Register("a", _key, 0, 64));
        Assert.Null(manager.Register("b", _key, 64, 64));
        manager.UnregisterAll();
        Assert.Empty(manager.Status("").Value!);
        Assert.Equal(0, manager.MappedRegions);
    }

    [Fact]
    public void Limits_Invalid_RefusedAtConstruction()
    {
        Assert.Throws<ArgumentException>(() => new SharedMemoryManager(new SharedMemoryLimits { MaxRegions = -1 }));
        Assert.Throws<ArgumentException>(() => new SharedMemoryManager(new SharedMemoryLimits { MaxBytes = 0 }));
    }
}
