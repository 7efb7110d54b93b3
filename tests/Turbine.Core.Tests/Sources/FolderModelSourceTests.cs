using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Repository;
using Turbine.Core.Sources;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Sources;

public sealed class FolderModelSourceTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple", "identity_fp32");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void ListModels_RepositoryFolder_ListsModelFoldersSortedAndSkipsHidden()
    {
        Directory.CreateDirectory(Path.Combine(_repo.Root, ".hidden"));
        var source = new FolderModelSource(_repo.Root);

        Assert.Equal(["identity_fp32", "simple"], source.ListModels());
        Assert.True(source.Contains("simple"));
        Assert.False(source.Contains(".."));
        Assert.False(source.Contains("absent"));
    }

    [Fact]
    public void Locate_KnownModel_ResolvesToTheRepositoryWithoutAConfigOverride()
    {
        var source = new FolderModelSource(_repo.Root);

        var located = source.Locate("simple");

        Assert.True(located.IsOk);
        Assert.Equal(Path.GetFullPath(_repo.Root), located.Value.Repository.Root);
        Assert.Equal([1L], located.Value.Repository.ListVersions("simple"));
        Assert.Null(located.Value.ConfigJson);
    }

    [Fact]
    public void Locate_UnknownModel_NotFoundNamingTheRepository()
    {
        var source = new FolderModelSource(_repo.Root);

        var located = source.Locate("absent");

        Assert.False(located.IsOk);
        Assert.Equal(StatusCode.NotFound, located.Error.Code);
        Assert.Equal($"failed to load 'absent': no model folder 'absent' in repository '{Path.GetFullPath(_repo.Root)}'", located.Error.Message);
    }

    [Fact]
    public async Task StartAsync_MissingFolder_ThrowsNamingIt()
    {
        var missing = Path.Combine(_repo.Root, "nowhere");
        var source = new FolderModelSource(missing);

        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => source.StartAsync(new RecordingSink(), CancellationToken.None));
        Assert.Equal($"model repository '{missing}' does not exist", e.Message);
    }

    [Fact]
    public async Task WatchAsync_NoPollInterval_CompletesWithoutSignalling()
    {
        var sink = new RecordingSink();
        var source = new FolderModelSource(_repo.Root);

        await source.WatchAsync(sink, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, sink.Synchronizations);
    }

    [Fact]
    public async Task WatchAsync_PollInterval_SynchronizesOncePerTickUntilCancelled()
    {
        var time = new FakeTimeProvider();
        var sink = new RecordingSink();
        var source = new FolderModelSource(_repo.Root, TimeSpan.FromSeconds(15), time);
        using var stop = new CancellationTokenSource();
        var watching = source.WatchAsync(sink, stop.Token);

        time.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(0, sink.Synchronizations);
        for (var tick = 1; tick <= 2; tick++)
        {
            time.Advance(TimeSpan.FromSeconds(tick == 1 ? 1 : 15));
            await sink.WaitForAsync(tick);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, sink.Synchronizations);
    }

    [Fact]
    public void Constructor_NonPositivePollInterval_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FolderModelSource(_repo.Root, TimeSpan.Zero));
        Assert.Contains("the poll interval must be positive", e.Message);
    }

    /// <summary>Counts the re-reads a source asks for.</summary>
    private sealed class RecordingSink : IModelSourceSink
    {
        private int _synchronizations;

        public ModelFileLimits FileLimits { get; } = new();

        public int Synchronizations => Volatile.Read(ref _synchronizations);

        public Task<InferenceError?> LoadAsync(string model, CancellationToken cancellationToken) => Task.FromResult<InferenceError?>(null);

        public Task<InferenceError?> UnloadAsync(string model, CancellationToken cancellationToken) => Task.FromResult<InferenceError?>(null);

        public Task<IReadOnlyList<string>> SynchronizeAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _synchronizations);
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Synchronizations < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"expected {count} synchronizations, saw {Synchronizations}");
                await Task.Delay(10);
            }
        }
    }
}
