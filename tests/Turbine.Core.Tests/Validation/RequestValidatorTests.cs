using System.Buffers.Binary;
using Turbine.Core.Config;
using Turbine.Core.Tensors;
using Turbine.Core.Validation;
using Turbine.Protocol;

namespace Turbine.Core.Tests.Validation;

public sealed class RequestValidatorTests
{
    private static readonly ModelConfig Batching = new()
    {
        Name = "m",
        MaxBatchSize = 8,
        Inputs =
        [
            new ModelInput { Name = "A", DataType = TensorDataType.FP32, Dims = [4] },
            new ModelInput { Name = "B", DataType = TensorDataType.Int32, Dims = [-1] },
        ],
        Outputs =
        [
            new ModelOutput { Name = "SCORES", DataType = TensorDataType.FP32, Dims = [4] },
            new ModelOutput { Name = "TEXT", DataType = TensorDataType.Bytes, Dims = [1] },
        ],
    };

    private static readonly ModelConfig NonBatching = new()
    {
        Name = "n",
        Inputs = [new ModelInput { Name = "S", DataType = TensorDataType.Bytes, Dims = [2, -1] }],
        Outputs = [new ModelOutput { Name = "O", DataType = TensorDataType.Bytes, Dims = [2, -1] }],
    };

    [Fact]
    public void Validate_ValidBatchedRequest_ReturnsBatchSize()
    {
        using var request = Request(A(3), B(3, 5));

        var result = RequestValidator.Validate(Batching, request);

        Assert.True(result.IsOk);
        Assert.Equal(3, result.Value);
    }

    [Fact]
    public void Validate_NonBatchingModel_BatchSizeOne()
    {
        using var request = Request(new InferenceTensor("S", TensorDataType.Bytes, [2, 1], BytesTensor.Frame(["x", "y"])));

        Assert.Equal(1, RequestValidator.Validate(NonBatching, request).Value);
    }

    [Fact]
    public void Validate_MissingInput_NamesMissingAndCounts()
    {
        using var request = Request(A(1));

        Assert.Equal("model 'm' expects 2 inputs, got 1: missing required input(s) ['B']", Error(Batching, request));
    }

    [Fact]
    public void Validate_OptionalInputMissing_Accepted()
    {
        var config = Batching with { Inputs = [Batching.Inputs[0], Batching.Inputs[1] with { Optional = true }] };
        using var request = Request(A(1));

        Assert.True(RequestValidator.Validate(config, request).IsOk);
    }

    [Fact]
    public void Validate_ExtraInput_NamesItAndExpectedInputs()
    {
        using var request = Request(A(1), B(1, 1), new InferenceTensor("C", TensorDataType.FP32, [1, 1], new byte[4]));

        Assert.Equal("unexpected inference input 'C' for model 'm'; expected inputs are ['A', 'B']", Error(Batching, request));
    }

    [Fact]
    public void Validate_DuplicateInput_NamesIt()
    {
        using var request = Request(A(1), A(1), B(1, 1));

        Assert.Equal("input 'A' appears more than once in the request for model 'm'", Error(Batching, request));
    }

    [Fact]
    public void Validate_WrongDatatype_NamesExpectedAndActual()
    {
        using var request = Request(new InferenceTensor("A", TensorDataType.FP64, [1, 4], new byte[32]), B(1, 1));

        Assert.Equal("input 'A' for model 'm': expected datatype FP32, got FP64", Error(Batching, request));
    }

    [Fact]
    public void Validate_WrongShape_NamesExpectedAndActual()
    {
        using var request = Request(new InferenceTensor("A", TensorDataType.FP32, [2, 5], new byte[40]), B(2, 1));

        Assert.Equal("input 'A' for model 'm': expected shape [-1,4], got [2,5]", Error(Batching, request));
    }

    [Fact]
    public void Validate_WrongRankNonBatching_NamesExpectedAndActual()
    {
        using var request = Request(new InferenceTensor("S", TensorDataType.Bytes, [2], BytesTensor.Frame(["x", "y"])));

        Assert.Equal("input 'S' for model 'n': expected shape [2,-1], got [2]", Error(NonBatching, request));
    }

    [Fact]
    public void Validate_ScalarWhereBatchExpected_NamesExpected()
    {
        using var request = Request(new InferenceTensor("A", TensorDataType.FP32, [], new byte[4]), B(1, 1));

        Assert.Equal("input 'A' for model 'm': expected shape [-1,4], got [] (the first dimension is the batch size)", Error(Batching, request));
    }

    [Fact]
    public void Validate_ScalarItemBatchedModel_ExpectedShapeWellFormed()
    {
        var config = Batching with { Inputs = [new ModelInput { Name = "A", DataType = TensorDataType.FP32, Dims = [] }] };
        using var request = Request(new InferenceTensor("A", TensorDataType.FP32, [1, 1], new byte[4]));

        Assert.Equal("input 'A' for model 'm': expected shape [-1], got [1,1]", Error(config, request));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void Validate_BatchSizeOutOfRange_NamesLimitAndActual(long batch)
    {
        using var request = Request(A(batch), B(batch, 1));

        Assert.Equal($"input 'A' for model 'm': batch size must be between 1 and max_batch_size 8, got {batch}", Error(Batching, request));
    }

    [Fact]
    public void Validate_MismatchedBatchSizes_NamesBoth()
    {
        using var request = Request(A(2), B(3, 1));

        Assert.Equal("input 'B' for model 'm': batch size 3 differs from the batch size 2 of the other inputs", Error(Batching, request));
    }

    [Fact]
    public void Validate_NegativeDimension_Rejected()
    {
        using var request = Request(A(1), new InferenceTensor("B", TensorDataType.Int32, [1, -2], Array.Empty<byte>()));

        Assert.Equal("input 'B' for model 'm': shape [1,-2] has a negative dimension", Error(Batching, request));
    }

    [Fact]
    public void Validate_ByteSizeMismatch_NamesNeededAndActual()
    {
        using var request = Request(new InferenceTensor("A", TensorDataType.FP32, [2, 4], new byte[30]), B(2, 1));

        Assert.Equal("input 'A' for model 'm': shape [2,4] of FP32 needs 32 bytes (8 elements), got 30 bytes", Error(Batching, request));
    }

    [Fact]
    public void Validate_ByteSizeOverflowingShape_Rejected()
    {
        // 2^62 elements of 4 bytes wrap to 0 bytes in 64-bit arithmetic: an empty body must not pass.
        using var request = Request(A(1), new InferenceTensor("B", TensorDataType.Int32, [1, 1L << 62], Array.Empty<byte>()));

        var message = Error(Batching, request);

        Assert.Contains("input 'B' for model 'm'", message, StringComparison.Ordinal);
        Assert.Contains("[1,4611686018427387904]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BrokenBytesFraming_NamesInputAndProblem()
    {
        using var request = Request(new InferenceTensor("S", TensorDataType.Bytes, [2, 1], new byte[] { 1, 0, 0, 0, (byte)'x', 7, 0, 0, 0 }));

        Assert.Equal("input 'S' for model 'n': BYTES element 1 declares 7 bytes but only 0 remain", Error(NonBatching, request));
    }

    [Fact]
    public void Validate_BytesElementCountMismatch_NamesNeededAndActual()
    {
        using var request = Request(new InferenceTensor("S", TensorDataType.Bytes, [2, 2], BytesTensor.Frame(["a", "b", "c"])));

        Assert.Equal("input 'S' for model 'n': shape [2,2] needs 4 BYTES elements, got 3", Error(NonBatching, request));
    }

    [Fact]
    public void Validate_UnknownRequestedOutput_NamesItAndModelOutputs()
    {
        using var request = Request(A(1), B(1, 1));
        request.Outputs.Add(new RequestedOutput("LOGITS"));

        Assert.Equal("unexpected inference output 'LOGITS' for model 'm'; the model's outputs are ['SCORES', 'TEXT']", Error(Batching, request));
    }

    [Fact]
    public void Validate_DuplicateRequestedOutput_NamesIt()
    {
        using var request = Request(A(1), B(1, 1));
        request.Outputs.Add(new RequestedOutput("SCORES"));
        request.Outputs.Add(new RequestedOutput("SCORES"));

        Assert.Equal("output 'SCORES' is requested more than once for model 'm'", Error(Batching, request));
    }

    [Fact]
    public void Validate_ClassificationOnBytesOutput_NamesOutputAndDatatype()
    {
        using var request = Request(A(1), B(1, 1));
        request.Outputs.Add(Classify("TEXT", InferParameter.FromInt64(1)));

        Assert.Equal("output 'TEXT': classification needs a numeric output, but its datatype is BYTES", Error(Batching, request));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void Validate_NonPositiveClassification_NamesValue(long k)
    {
        using var request = Request(A(1), B(1, 1));
        request.Outputs.Add(Classify("SCORES", InferParameter.FromInt64(k)));

        Assert.Equal($"output 'SCORES': parameter 'classification' expects a positive integer, got {k}", Error(Batching, request));
    }

    [Fact]
    public void Validate_NonIntegerClassification_NamesValue()
    {
        using var request = Request(A(1), B(1, 1));
        request.Outputs.Add(Classify("SCORES", InferParameter.FromString("top3")));

        Assert.Equal("output 'SCORES': parameter 'classification' expects a positive integer, got top3", Error(Batching, request));
    }

    [Theory]
    [InlineData("timeout", "x", "request parameter 'timeout' expects a non-negative integer (microseconds), got string \"x\"")]
    [InlineData("priority", "high", "request parameter 'priority' expects a non-negative integer (0 = the model's default level), got string \"high\"")]
    [InlineData("binary_data_output", "yes", "request parameter 'binary_data_output' expects a bool, got string \"yes\"")]
    public void Validate_WrongTypeRequestParameter_NamesParameterAndType(string name, string value, string expected)
    {
        using var request = Request(A(1), B(1, 1));
        request.Parameters = new() { [name] = InferParameter.FromString(value) };

        Assert.Equal(expected, Error(Batching, request));
    }

    [Fact]
    public void Validate_WellTypedAndUnknownParameters_Accepted()
    {
        using var request = Request(A(1), B(1, 1));
        request.Parameters = new()
        {
            ["timeout"] = InferParameter.FromUInt64(5000),
            ["priority"] = InferParameter.FromDouble(2.0),
            ["binary_data_output"] = InferParameter.FromBool(true),
            ["custom"] = InferParameter.FromString("anything"),
        };
        request.Outputs.Add(new RequestedOutput("SCORES", new() { ["binary_data"] = InferParameter.FromBool(false) }));

        Assert.True(RequestValidator.Validate(Batching, request).IsOk);
    }

    [Fact]
    public void Validate_ValidClassification_Accepted()
    {
        using var request = Request(A(1), B(1, 1));
        request.Outputs.Add(Classify("SCORES", InferParameter.FromInt64(2)));

        Assert.True(RequestValidator.Validate(Batching, request).IsOk);
    }

    private static RequestedOutput Classify(string name, InferParameter k) => new(name, new() { ["classification"] = k });

    private static string Error(ModelConfig config, InferenceRequest request)
    {
        var result = RequestValidator.Validate(config, request);
        Assert.False(result.IsOk);
        Assert.Equal(StatusCode.InvalidArgument, result.Error.Code);
        return result.Error.Message;
    }

    private static InferenceRequest Request(params InferenceTensor[] inputs)
    {
        var request = new InferenceRequest("m");
        request.Inputs.AddRange(inputs);
        return request;
    }

    private static InferenceTensor A(long batch) => new("A", TensorDataType.FP32, [batch, 4], new byte[Math.Max(0, batch) * 16]);

    private static InferenceTensor B(long batch, long n)
    {
        var data = new byte[Math.Max(0, batch * n) * 4];
        for (var i = 0; i < data.Length / 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), i);
        }

        return new InferenceTensor("B", TensorDataType.Int32, [batch, n], data);
    }
}
