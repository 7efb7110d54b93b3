using Turbine.Core.Caching;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Caching;

public sealed class ResponseCacheTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Key_SameRequest_SameKey_AnyDifference_DifferentKey()
    {
        using var a = TestEngine.Simple();
        using var b = TestEngine.Simple();
        using var batch2 = TestEngine.Simple(batch: 2);
        using var subset = TestEngine.Simple();
        subset.Outputs.Add(new RequestedOutput("OUTPUT0"));
        using var classified = TestEngine.Simple();
        classified.Outputs.Add(new RequestedOutput("OUTPUT0", new Dictionary<string, InferParameter> { ["classification"] = InferParameter.FromInt64(2) }));

        Assert.Equal(ResponseCache.Key(1, a), ResponseCache.Key(1, b));
        Assert.NotEqual(ResponseCache.Key(1, a), ResponseCache.Key(2, a));
        Assert.NotEqual(ResponseCache.Key(1, a), ResponseCache.Key(1, batch2));
        Assert.NotEqual(ResponseCache.Key(1, a), ResponseCache.Key(1, subset));
        Assert.NotEqual(ResponseCache.Key(1, subset), ResponseCache.Key(1, classified));

        using var changed = new InferenceRequest("simple");
        changed.Inputs.Add(new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 1], new byte[] { 1, 0, 0, 0 }));
        using var changedByte = new InferenceRequest("simple");
        changedByte.Inputs.Add(new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 1], new byte[] { 2, 0, 0, 0 }));
        Assert.NotEqual(ResponseCache.Key(1, changed), ResponseCache.Key(1, changedByte));
    }

    [Fact]
    public void PutAndTryGet_LeastRecentlyUsedIsEvictedFirst()
    {
        // Each entry: 128 overhead + (1000 + 128) for one output = 1256 bytes; two fit in 3000, three do not.
        var cache = new ResponseCache(3000);
        Assert.True(cache.Put(1, [Tensor(1000, 1)]));
        Assert.True(cache.Put(2, [Tensor(1000, 2)]));
        Assert.True(cache.TryGet(1, out _)); // 1 is now the most recently used
        Assert.True(cache.Put(3, [Tensor(1000, 3)]));

        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal(1, one[0].Data[0]);
        Assert.False(cache.TryGet(2, out _));
        Assert.True(cache.TryGet(3, out _));
        Assert.Equal(2, cache.Count);
        Assert.True(cache.SizeBytes <= cache.CapacityBytes);
    }

    [Fact]
    public void Put_LargerThanTheWholeCache_IsNotStored()
    {
        var cache = new ResponseCache(500);
        Assert.False(cache.Put(1, [Tensor(1000, 1)]));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Put_StoresACopy_LaterChangesToTheSourceDoNotLeakIn()
    {
        var cache = new ResponseCache(10_000);
        var bytes = new byte[16];
        cache.Put(7, [new InferenceTensor("OUT", TensorDataType.UInt8, [16], bytes)]);
        bytes[0] = 99;
        Assert.True(cache.TryGet(7, out var outputs));
        Assert.Equal(0, outputs[0].Data[0]);
    }

    [Fact]
    public async Task Engine_SecondIdenticalRequest_IsAHitWithoutExecution()
    {
        _repo.AppendConfig("simple", "response_cache { enable: true }");
        await using var engine = await TestEngine.StartAsync(_repo);

        using (var first = TestEngine.Simple())
        using (var r1 = await TestEngine.InferOkAsync(engine, first))
        using (var second = TestEngine.Simple())
        using (var r2 = await TestEngine.InferOkAsync(engine, second))
        {
            Assert.Equal(TestEngine.ReadInt32s(r1.Outputs[0]), TestEngine.ReadInt32s(r2.Outputs[0]));
            Assert.Equal(TestEngine.ReadInt32s(r1.Outputs[1]), TestEngine.ReadInt32s(r2.Outputs[1]));
        }

        using (var other = TestEngine.Simple(batch: 2))
        using (await TestEngine.InferOkAsync(engine, other))
        {
        }

        var stats = Assert.Single(engine.GetStatistics("simple", null).Value!);
        Assert.Equal(3, stats.InferenceStats.Success.Count);
        Assert.Equal(1, stats.InferenceStats.CacheHit.Count);
        Assert.Equal(2, stats.InferenceStats.CacheMiss.Count);
        Assert.Equal(2, stats.ExecutionCount);
        Assert.Equal(4, stats.InferenceCount);
        Assert.Equal(2, engine.Cache!.Count);
    }

    [Fact]
    public async Task Engine_ModelWithoutResponseCache_NeverUsesIt()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        for (var i = 0; i < 2; i++)
        {
            using var request = TestEngine.Simple();
            using var response = await TestEngine.InferOkAsync(engine, request);
        }

        var stats = Assert.Single(engine.GetStatistics("simple", null).Value!);
        Assert.Equal(0, stats.InferenceStats.CacheHit.Count);
        Assert.Equal(0, stats.InferenceStats.CacheMiss.Count);
        Assert.Equal(2, stats.ExecutionCount);
        Assert.Equal(0, engine.Cache!.Count);
    }

    [Fact]
    public async Task Engine_ReloadedVersion_DoesNotServeTheOldLoadsEntries()
    {
        _repo.AppendConfig("simple", "response_cache { enable: true }");
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple");
        using (var request = TestEngine.Simple())
        using (await TestEngine.InferOkAsync(engine, request))
        {
        }

        // A config change reloads version 1 as a new load.
        _repo.AppendConfig("simple", "parameters { key: \"note\" value: { string_value: \"reloaded\" } }");
        Assert.Null(await engine.LoadModelAsync("simple", null, CancellationToken.None));
        using (var request = TestEngine.Simple())
        using (await TestEngine.InferOkAsync(engine, request))
        {
        }

        var stats = Assert.Single(engine.GetStatistics("simple", null).Value!);
        Assert.Equal(0, stats.InferenceStats.CacheHit.Count);
        Assert.Equal(1, stats.InferenceStats.CacheMiss.Count);
    }

    private static InferenceTensor Tensor(int size, byte fill)
    {
        var data = new byte[size];
        Array.Fill(data, fill);
        return new InferenceTensor("OUT", TensorDataType.UInt8, [size], data);
    }
}
