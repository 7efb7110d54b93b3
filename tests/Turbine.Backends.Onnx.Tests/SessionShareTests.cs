using System.Collections.Immutable;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>Weights once: the CPU instances of one loaded version run on one ONNX Runtime session.</summary>
public sealed class SessionShareTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Model()
    {
        var path = _dir.File("identity.onnx");
        File.WriteAllBytes(path, TestGraph.Identity(TensorDataType.FP32, "n"));
        return path;
    }

    private static ModelInstanceSpec Spec(ModelConfig config, string file, int index, ModelInstanceKind kind = ModelInstanceKind.Cpu) =>
        new(config, file, 1, $"test_{index}", kind, 0, 1);

    [Fact]
    public async Task InstancesOfOneVersion_ShareOneSession_RunConcurrently_FreedWithTheLast()
    {
        var backend = new OnnxBackend();
        var file = Model();
        var config = new ModelConfig { Name = "test" };
        var instances = Enumerable.Range(0, 3).Select(i => backend.CreateInstance(Spec(config, file, i))).ToList();
        Assert.Equal(1, backend.Sessions.Count);

        // Concurrent runs on the one session, each instance with its own buffers, every answer its own.
        await Task.WhenAll(instances.Select((instance, i) => Task.Run(() =>
        {
            for (var r = 0; r < 50; r++)
            {
                var data = BitConverter.GetBytes((float)(i * 1000 + r));
                var (_, _, output) = TestInstances.RunIdentity(instance, TensorDataType.FP32, [1], data);
                Assert.Equal(data, output);
            }
        })));

        instances[0].Dispose();
        instances[1].Dispose();
        Assert.Equal(1, backend.Sessions.Count);
        var (_, _, still) = TestInstances.RunIdentity(instances[2], TensorDataType.FP32, [1], BitConverter.GetBytes(7f));
        Assert.Equal(BitConverter.GetBytes(7f), still);
        instances[2].Dispose();
        Assert.Equal(0, backend.Sessions.Count);
    }

    [Fact]
    public void AnotherLoad_GetsItsOwnSession()
    {
        var backend = new OnnxBackend();
        var file = Model();
        using var first = backend.CreateInstance(Spec(new ModelConfig { Name = "test" }, file, 0));
        using var reloaded = backend.CreateInstance(Spec(new ModelConfig { Name = "test" }, file, 0));
        Assert.Equal(2, backend.Sessions.Count);
    }

    [Fact]
    public void ShareSessionFalse_OneSessionPerInstance()
    {
        var backend = new OnnxBackend();
        var file = Model();
        var config = new ModelConfig { Name = "test", Parameters = ImmutableDictionary<string, string>.Empty.Add(SessionShare.Parameter, "false") };
        using var a = backend.CreateInstance(Spec(config, file, 0));
        using var b = backend.CreateInstance(Spec(config, file, 1));
        Assert.Equal(0, backend.Sessions.Count);
        Assert.Equal(BitConverter.GetBytes(3f), TestInstances.RunIdentity(b, TensorDataType.FP32, [1], BitConverter.GetBytes(3f)).Data);
    }

    [Fact]
    public void GpuInstances_AreNotShared()
    {
        var config = new ModelConfig { Name = "test" };
        Assert.True(SessionShare.Shares(Spec(config, "m.onnx", 0)));
        Assert.False(SessionShare.Shares(Spec(config, "m.onnx", 0, ModelInstanceKind.Gpu)));
    }
}
