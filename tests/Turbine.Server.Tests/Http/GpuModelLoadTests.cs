using System.Text.Json;
using Turbine.Core.Lifecycle;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// A model whose config asks for a GPU, loaded through the server on a machine without one (real ONNX Runtime, the
/// sample repository's real ONNX model): the load fails with a message naming the instance, the device and the
/// provider, and the model is not served on the CPU instead.
/// </summary>
public sealed class GpuModelLoadTests
{
    [Theory]
    [InlineData("", "CUDAExecutionProvider")]
    [InlineData(",\"optimization\":{\"execution_accelerators\":{\"gpu_execution_accelerator\":[{\"name\":\"tensorrt\",\"parameters\":{\"precision_mode\":\"FP16\"}}]}}", "TensorrtExecutionProvider")]
    public async Task Load_KindGpuWithoutGpu_400NamingInstanceDeviceProviderAndNotServed(string optimization, string provider)
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);

        var (status, body) = await LoadAsync(h, "\"instance_group\":[{\"kind\":\"KIND_GPU\",\"gpus\":[1]}]" + optimization);

        Assert.Equal(400, status);
        var error = body.GetProperty("error").GetString()!;
#if TURBINE_GPU
        Assert.Contains($"instance 'simple_0' (KIND_GPU, device 1): ONNX Runtime's {provider} could not start: ", error, StringComparison.Ordinal);
#else
        Assert.Contains($"instance 'simple_0' (KIND_GPU, device 1) needs ONNX Runtime's {provider}, which this build of ONNX Runtime does not have", error, StringComparison.Ordinal);
        Assert.Contains("-p:TurbineGpu=true", error, StringComparison.Ordinal);
#endif
        Assert.EndsWith("or set the instance group's kind to KIND_CPU", error, StringComparison.Ordinal);
        var (ready, _) = await h.GetJsonAsync("/v2/models/simple/ready");
        Assert.NotEqual(200, ready);
    }

    [Fact]
    public async Task Load_KindCpuListingGpus_400NamingTheField()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);

        var (status, body) = await LoadAsync(h, "\"instance_group\":[{\"kind\":\"KIND_CPU\",\"gpus\":[0]}]");

        Assert.Equal(400, status);
        Assert.Contains("instance_group[0]: field 'gpus' is for kind KIND_GPU only (KIND_AUTO runs on the CPU in Turbine), got [0] with kind KIND_CPU",
            body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static Task<(int Status, JsonElement Body)> LoadAsync(ServerHarness h, string extra)
    {
        var config = JsonSerializer.Serialize("{\"name\":\"simple\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":8," +
            "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]," +
            "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]," +
            extra + "}");
        return h.PostJsonAsync("/v2/repository/models/simple/load", $"{{\"parameters\":{{\"config\":{config}}}}}");
    }
}
