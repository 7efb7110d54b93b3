using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Protocol.Grpc;
using Turbine.Samples;
using Turbine.Server.Grpc;
using Turbine.Server.Http;

namespace Turbine.Bench.Micro;

/// <summary>
/// One <c>simple</c> request (two INT32 [1,16] inputs) through each front end's codec and a real engine (ONNX Runtime,
/// sample repository in a temp directory). The *Only benchmarks split the gRPC path into its stages.
/// Allocation budgets (issue 22): what each path allocates today plus a margin of at most 48 B (less than one object), so
/// any new per-request object fails the run; lower them with every reduction (docs/benchmarks.md, P7).
/// </summary>
[MemoryDiagnoser]
public class InferPathBenchmarks
{
    private string _repository = "";
    private InferenceEngine _engine = null!;
    private byte[] _grpcMessage = [];
    private ModelInferRequest _parsed = null!;
    private byte[] _json = [];
    private byte[] _binary = [];
    private int _binaryHeaderLength;
    private byte[] _input0 = [];
    private byte[] _input1 = [];
    private InferenceResponse _response = null!;
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly DefaultHttpContext _http = new();
    private static readonly Turbine.Server.Http.RequestBodyBudget Budget = new(1L << 31);
    private readonly MemoryStream _requestStream = new();
    private readonly MemoryStream _responseStream = new();

    [GlobalSetup]
    public void Setup()
    {
        _repository = Path.Combine(Path.GetTempPath(), "turbine-micro-" + Guid.NewGuid().ToString("N"));
        SampleRepository.Create(_repository);
        _engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["simple"] },
            [new OnnxBackend()],
            NullLogger.Instance);
        _engine.StartAsync(CancellationToken.None).GetAwaiter().GetResult();

        _input0 = new byte[64];
        _input1 = new byte[64];
        for (var i = 0; i < 16; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_input0.AsSpan(i * 4), i);
            BinaryPrimitives.WriteInt32LittleEndian(_input1.AsSpan(i * 4), 1);
        }

        var message = new ModelInferRequest { ModelName = "simple" };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32" };
            tensor.Shape.Add([1, 16]);
            message.Inputs.Add(tensor);
        }

        message.RawInputContents.Add(ByteString.CopyFrom(_input0));
        message.RawInputContents.Add(ByteString.CopyFrom(_input1));
        _grpcMessage = message.ToByteArray();
        _parsed = ModelInferRequest.Parser.ParseFrom(_grpcMessage);

        var data0 = string.Join(",", Enumerable.Range(0, 16));
        var data1 = string.Join(",", Enumerable.Repeat(1, 16));
        _json = Encoding.UTF8.GetBytes(
            $$"""{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[{{data0}}]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[{{data1}}]}]}""");
        var header = Encoding.UTF8.GetBytes(
            """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","parameters":{"binary_data_size":64}},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","parameters":{"binary_data_size":64}}],"parameters":{"binary_data_output":true}}""");
        _binaryHeaderLength = header.Length;
        _binary = [.. header, .. _input0, .. _input1];

        _http.Response.Body = _responseStream;
        _http.Request.Body = _requestStream;

        using var request = SimpleRequest();
        _response = Ok(_engine.InferAsync(request, CancellationToken.None).AsTask().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _response.Dispose();
        _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_repository, recursive: true);
    }

    /// <summary>gRPC, whole path: parse the message, read it, infer, build the response message, serialize it.</summary>
    [Benchmark(Baseline = true)]
    [AllocationBudget(3968)]
    public async Task<int> Grpc()
    {
        var message = ModelInferRequest.Parser.ParseFrom(_grpcMessage);
        using var request = Ok(GrpcInferRequestReader.Read(message));
        using var response = Ok(await _engine.InferAsync(request, CancellationToken.None).ConfigureAwait(false));
        var reply = GrpcResponses.Infer(response);
        _output.ResetWrittenCount();
        reply.WriteTo(_output);
        return _output.WrittenCount;
    }

    /// <summary>
    /// gRPC as the server runs ModelInfer now: the hand-written marshaller reads the frame into the engine request
    /// (one pooled copy), infer, the response written straight into the frame buffer.
    /// </summary>
    [Benchmark]
    [AllocationBudget(1112)]
    public async Task<int> GrpcWire()
    {
        var call = WireInferRequestReader.Read(new ReadOnlySequence<byte>(_grpcMessage));
        using var request = call.Request ?? throw new InvalidOperationException(call.Error?.Message ?? "fell back to protobuf");
        using var response = Ok(await _engine.InferAsync(request, CancellationToken.None).ConfigureAwait(false));
        _output.ResetWrittenCount();
        return WireInferResponse.Write(response, _output);
    }

    /// <summary>gRPC wire stage: WireInferRequestReader.Read (+ dispose) on the frame's bytes.</summary>
    [Benchmark]
    [AllocationBudget(616)]
    public int GrpcWireReadOnly()
    {
        var call = WireInferRequestReader.Read(new ReadOnlySequence<byte>(_grpcMessage));
        using var request = call.Request!;
        return request.Inputs.Count;
    }

    /// <summary>gRPC wire stage: WireInferResponse.Write into a reused buffer writer.</summary>
    [Benchmark]
    [AllocationBudget(24)]
    public int GrpcWireResponseOnly()
    {
        _output.ResetWrittenCount();
        return WireInferResponse.Write(_response, _output);
    }

    /// <summary>gRPC stage: ModelInferRequest.Parser.ParseFrom only.</summary>
    [Benchmark]
    [AllocationBudget(1792)]
    public ModelInferRequest GrpcParseOnly() => ModelInferRequest.Parser.ParseFrom(_grpcMessage);

    /// <summary>Attribution of the parse: the empty messages a simple request parses into (request, two input tensors).</summary>
    [Benchmark]
    public int GrpcEmptyMessagesOnly()
    {
        var message = new ModelInferRequest();
        message.Inputs.Add(new ModelInferRequest.Types.InferInputTensor());
        message.Inputs.Add(new ModelInferRequest.Types.InferInputTensor());
        return message.Inputs.Count;
    }

    /// <summary>gRPC stage: GrpcInferRequestReader.Read (+ dispose) on an already parsed message.</summary>
    [Benchmark]
    [AllocationBudget(512)]
    public int GrpcReadOnly()
    {
        using var request = Ok(GrpcInferRequestReader.Read(_parsed));
        return request.Inputs.Count;
    }

    /// <summary>Engine stage: InferenceEngine.InferAsync on a pre-built request (request object included).</summary>
    [Benchmark]
    [AllocationBudget(928)]
    public async Task<int> EngineInferOnly()
    {
        using var request = SimpleRequest();
        using var response = Ok(await _engine.InferAsync(request, CancellationToken.None).ConfigureAwait(false));
        return response.Outputs.Count;
    }

    /// <summary>gRPC stage: GrpcResponses.Infer + serialize into a reused buffer writer.</summary>
    [Benchmark]
    [AllocationBudget(1216)]
    public int GrpcResponseOnly()
    {
        var reply = GrpcResponses.Infer(_response);
        _output.ResetWrittenCount();
        reply.WriteTo(_output);
        return _output.WrittenCount;
    }

    /// <summary>REST JSON: RequestBody.ReadAsync over a memory stream, InferRequestReader.Read, infer, InferResponseWriter.</summary>
    [Benchmark]
    [AllocationBudget(1192)]
    public Task<long> RestJson() => RestAsync(_json, null);

    /// <summary>REST binary tensor extension (inputs and outputs binary).</summary>
    [Benchmark]
    [AllocationBudget(976)]
    public Task<long> RestBinary() => RestAsync(_binary, _binaryHeaderLength);

    private async Task<long> RestAsync(byte[] body, int? headerLength)
    {
        _requestStream.SetLength(0);
        _requestStream.Write(body);
        _requestStream.Position = 0;
        _http.Request.ContentLength = body.Length;
        _responseStream.SetLength(0);
        // recycle: as the infer endpoint reads it (the body object is reused once released).
        using var read = Ok(await RequestBody.ReadAsync(_http.Request, 64L << 20, "bench limit", Budget, CancellationToken.None, recycle: true).ConfigureAwait(false));
        using var request = Ok(InferRequestReader.Read("simple", null, read, headerLength));
        using var response = Ok(await _engine.InferAsync(request, CancellationToken.None).ConfigureAwait(false));
        await InferResponseWriter.WriteAsync(_http, request, response).ConfigureAwait(false);
        return _responseStream.Length;
    }

    private InferenceRequest SimpleRequest()
    {
        var request = new InferenceRequest("simple", null);
        request.Inputs.Add(new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 16], _input0));
        request.Inputs.Add(new InferenceTensor("INPUT1", TensorDataType.Int32, [1, 16], _input1));
        return request;
    }

    private static T Ok<T>(Result<T> result) =>
        result.IsOk ? result.Value : throw new InvalidOperationException(result.Error.ToString());
}

/// <summary>JsonTensorReader on the 'data' array of 1,024 FP32 values.</summary>
[MemoryDiagnoser]
public class JsonTensorReaderBenchmarks
{
    private static readonly long[] Shape = [1, 1024];
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        var values = Enumerable.Range(0, 1024).Select(i => (i * 0.37f - 100f).ToString("R", CultureInfo.InvariantCulture));
        _json = Encoding.UTF8.GetBytes("[" + string.Join(",", values) + "]");
    }

    [Benchmark]
    public int Fp32x1024()
    {
        var result = JsonTensorReader.Read(_json, "INPUT0", TensorDataType.FP32, Shape);
        using var buffer = result.IsOk ? result.Value : throw new InvalidOperationException(result.Error.ToString());
        return buffer.WrittenCount;
    }
}
