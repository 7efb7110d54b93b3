using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Turbine.Backends.Onnx;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Server;

namespace Turbine.Backends.DotNet.Tests.Samples;

/// <summary>
/// The text_embedding ensemble (tokenizer .NET model → MiniLM ONNX → pooling .NET model) over REST and gRPC, against a
/// reference computed here directly with ONNX Runtime and the same tokenizer.
/// </summary>
public sealed class TextEmbeddingTests(TextEmbeddingFixture sample) : IClassFixture<TextEmbeddingFixture>, IAsyncLifetime
{
    private static readonly string[] Sentences =
    [
        "Turbine serves models from .NET.",
        "The quick brown fox jumps over the lazy dog, twice!",
        "short",
    ];

    private TurbineServer _server = null!;

    public async Task InitializeAsync()
    {
        var options = new ServerOptions
        {
            Engine = new() { ModelRepository = sample.Repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["text_embedding"] },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        };
        _server = await TurbineServer.StartAsync(options, l => l.SetMinimumLevel(LogLevel.Warning));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Tokenize with the sample's tokenizer call, run MiniLM with ONNX Runtime, mean-pool and normalize here.</summary>
    private float[][] Reference()
    {
        var tokenizer = Microsoft.ML.Tokenizers.BertTokenizer.Create(sample.VocabularyPath,
            new Microsoft.ML.Tokenizers.BertOptions { LowerCaseBeforeTokenization = true });
        using var session = new InferenceSession(sample.OnnxModel);
        var result = new float[Sentences.Length][];
        for (var s = 0; s < Sentences.Length; s++)
        {
            var ids = tokenizer.EncodeToIds(Sentences[s], addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);
            var length = ids.Count;
            var idTensor = new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), [1, length]);
            var mask = new DenseTensor<long>(Enumerable.Repeat(1L, length).ToArray(), [1, length]);
            var types = new DenseTensor<long>(new long[length], [1, length]);
            using var outputs = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("input_ids", idTensor),
                NamedOnnxValue.CreateFromTensor("attention_mask", mask),
                NamedOnnxValue.CreateFromTensor("token_type_ids", types),
            ]);
            var hidden = outputs.Single(o => o.Name == "last_hidden_state").AsTensor<float>();
            var mean = new double[384];
            for (var t = 0; t < length; t++)
            {
                for (var d = 0; d < 384; d++)
                {
                    mean[d] += hidden[0, t, d] / length;
                }
            }

            var norm = Math.Sqrt(mean.Sum(v => v * v));
            result[s] = [.. mean.Select(v => (float)(v / norm))];
        }

        return result;
    }

    private static void AssertClose(float[][] expected, float[] actual)
    {
        Assert.Equal(expected.Length * 384, actual.Length);
        for (var s = 0; s < expected.Length; s++)
        {
            for (var d = 0; d < 384; d++)
            {
                var got = actual[(s * 384) + d];
                Assert.True(Math.Abs(expected[s][d] - got) <= 1e-5, $"sentence {s}, dimension {d}: expected {expected[s][d]}, got {got}");
            }
        }
    }

    [Fact]
    public async Task TextEmbedding_Rest_EqualsDirectOnnxRuntimeReference()
    {
        using var http = new HttpClient { BaseAddress = _server.HttpAddress };
        var body = JsonSerializer.Serialize(new { inputs = new[] { new { name = "TEXT", shape = new[] { Sentences.Length }, datatype = "BYTES", data = Sentences } } });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v2/models/text_embedding/infer", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        var output = json.RootElement.GetProperty("outputs")[0];
        Assert.Equal("EMBEDDING", output.GetProperty("name").GetString());
        Assert.Equal([Sentences.Length, 384], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        AssertClose(Reference(), [.. output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle())]);
    }

    [Fact]
    public async Task TextEmbedding_Grpc_EqualsDirectOnnxRuntimeReference()
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = "text_embedding" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "TEXT", Datatype = "BYTES" };
        input.Shape.Add(Sentences.Length);
        input.Contents = new InferTensorContents();
        input.Contents.BytesContents.Add(Sentences.Select(ByteString.CopyFromUtf8));
        request.Inputs.Add(input);
        var response = await client.ModelInferAsync(request);
        Assert.Equal([(long)Sentences.Length, 384L], response.Outputs[0].Shape);
        AssertClose(Reference(), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
    }
}
