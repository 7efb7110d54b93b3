using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Bench.Micro;

/// <summary>
/// One 64 MiB FP32 tensor ([1, 16M]) through <c>identity_fp32</c> and back, on a real server over loopback (same process,
/// so client and server share the machine as co-located clients do): binary HTTP, gRPC raw contents, and system shared
/// memory (input read from and output written into a registered /dev/shm object; the request and response carry only
/// the parameters) over gRPC and over REST. The input bytes are prepared once; the client reads every output byte.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 3)]
public class SharedMemoryTransportBenchmarks
{
    private const int Elements = 16 << 20;
    private const int Bytes = Elements * 4;
    private string _repository = "";
    private string _shmPath = "";
    private TurbineServer _server = null!;
    private HttpClient _http = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _grpc = null!;
    private byte[] _httpBody = [];
    private int _httpHeaderLength;
    private ModelInferRequest _grpcRequest = null!;
    private ModelInferRequest _shmGrpcRequest = null!;
    private byte[] _shmHttpBody = [];
    private readonly byte[] _sink = new byte[1 << 20];

    [GlobalSetup]
    public void Setup()
    {
        _repository = Path.Combine(Path.GetTempPath(), "turbine-shm-bench-" + Guid.NewGuid().ToString("N"));
        SampleRepository.Create(_repository);
        _server = TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = _repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["identity_fp32"] },
                HttpPort = 0, GrpcPort = 0, MetricsPort = 0,
            },
            configureLogging: l => l.SetMinimumLevel(LogLevel.Warning)).GetAwaiter().GetResult();
        _http = new HttpClient { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromMinutes(2) };
        _channel = GrpcChannel.ForAddress(_server.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
        _grpc = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);

        var input = new byte[Bytes];
        Random.Shared.NextBytes(input);

        var header = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"INPUT0","shape":[1,{{{Elements}}}],"datatype":"FP32","parameters":{"binary_data_size":{{{Bytes}}}}}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}""");
        _httpHeaderLength = header.Length;
        _httpBody = [.. header, .. input];

        _grpcRequest = new ModelInferRequest { ModelName = "identity_fp32" };
        _grpcRequest.Inputs.Add(Tensor());
        _grpcRequest.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(input));

        // The client's side of shared memory: create the object, write the input once, register an input and an output region.
        var key = "/turbine-shm-bench-" + Guid.NewGuid().ToString("N");
        _shmPath = "/dev/shm" + key;
        using (var file = new FileStream(_shmPath, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(input);
            file.SetLength(2L * Bytes);
        }

        _grpc.SystemSharedMemoryRegister(new SystemSharedMemoryRegisterRequest { Name = "in", Key = key, Offset = 0, ByteSize = Bytes });
        _grpc.SystemSharedMemoryRegister(new SystemSharedMemoryRegisterRequest { Name = "out", Key = key, Offset = Bytes, ByteSize = Bytes });
        _shmGrpcRequest = new ModelInferRequest { ModelName = "identity_fp32" };
        var shmInput = Tensor();
        shmInput.Parameters["shared_memory_region"] = new InferParameter { StringParam = "in" };
        shmInput.Parameters["shared_memory_byte_size"] = new InferParameter { Int64Param = Bytes };
        _shmGrpcRequest.Inputs.Add(shmInput);
        var shmOutput = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "OUTPUT0" };
        shmOutput.Parameters["shared_memory_region"] = new InferParameter { StringParam = "out" };
        shmOutput.Parameters["shared_memory_byte_size"] = new InferParameter { Int64Param = Bytes };
        _shmGrpcRequest.Outputs.Add(shmOutput);
        _shmHttpBody = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"INPUT0","shape":[1,{{{Elements}}}],"datatype":"FP32","parameters":{"shared_memory_region":"in","shared_memory_byte_size":{{{Bytes}}}}}],"outputs":[{"name":"OUTPUT0","parameters":{"shared_memory_region":"out","shared_memory_byte_size":{{{Bytes}}}}}]}""");

        static ModelInferRequest.Types.InferInputTensor Tensor()
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "FP32" };
            tensor.Shape.Add([1, Elements]);
            return tensor;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Dispose();
        _http.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_shmPath);
        Directory.Delete(_repository, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<long> BinaryHttp()
    {
        using var content = new ByteArrayContent(_httpBody);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", _httpHeaderLength.ToString(CultureInfo.InvariantCulture));
        using var response = await _http.PostAsync("/v2/models/identity_fp32/infer", content);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(_sink)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark]
    public async Task<long> Grpc()
    {
        var response = await _grpc.ModelInferAsync(_grpcRequest);
        return response.RawOutputContents[0].Length;
    }

    [Benchmark]
    public async Task<long> SharedMemoryGrpc()
    {
        var response = await _grpc.ModelInferAsync(_shmGrpcRequest);
        return ReadOutput() + response.Outputs.Count;
    }

    [Benchmark]
    public async Task<long> SharedMemoryHttp()
    {
        using var content = new ByteArrayContent(_shmHttpBody);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync("/v2/models/identity_fp32/infer", content);
        response.EnsureSuccessStatusCode();
        return ReadOutput();
    }

    /// <summary>The client reading the output where the server wrote it (a page-cache read of the shared object).</summary>
    private long ReadOutput()
    {
        using var file = new FileStream(_shmPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        file.Position = Bytes;
        long total = 0;
        int read;
        while (total < Bytes && (read = file.Read(_sink)) > 0)
        {
            total += read;
        }

        return total;
    }
}
