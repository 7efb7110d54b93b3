using Microsoft.ML.OnnxRuntime;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// Silero VAD (state [2, batch, 128] carried by the sequence batcher as <c>state</c> → <c>stateN</c>) served with
/// max_batch_size 0: two interleaved sequences give exactly what raw ONNX Runtime gives each sequence alone. Without a
/// batch dimension each instance has one slot, so two live sequences need two instances (a third would wait in the
/// backlog until one ends or idles out).
/// </summary>
public sealed class SileroVadSequenceTests(SileroVadFixture vad) : IClassFixture<SileroVadFixture>, IDisposable
{
    private const int Chunk = 512;
    private const int Chunks = 4;
    private const long SampleRate = 16000;

    private readonly TempModelRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Infer_TwoInterleavedVadSequences_MatchRawOrtWithCarriedState()
    {
        using (var session = new InferenceSession(vad.ModelFile))
        {
            Assert.Equal(["input", "sr", "state"], session.InputMetadata.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["output", "stateN"], session.OutputMetadata.Keys.Order(StringComparer.Ordinal));
        }

        var folder = _repo.ModelDir("silero_vad");
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        File.Copy(vad.ModelFile, Path.Combine(folder, "1", "model.onnx"));
        File.WriteAllText(Path.Combine(folder, "config.pbtxt"), """
            name: "silero_vad"
            backend: "onnxruntime"
            max_batch_size: 0
            instance_group [{ kind: KIND_CPU count: 2 }]
            input [{ name: "sr" data_type: TYPE_INT64 dims: [1] reshape: { shape: [] } }]
            sequence_batching {
              max_sequence_idle_microseconds: 5000000
              state [{ input_name: "state" output_name: "stateN" data_type: TYPE_FP32 dims: [2, 1, 128]
                       initial_state: { data_type: TYPE_FP32 dims: [2, 1, 128] zero_data: true name: "zero" } }]
            }
            """);
        var silence = Audio(seed: 1, amplitude: 0.001f, toneHz: 0);
        var tone = Audio(seed: 2, amplitude: 0.8f, toneHz: 440);
        var expectedSilence = RawOrt(silence);
        var expectedTone = RawOrt(tone);

        await using var engine = await TestEngine.StartAsync(_repo);
        var gotSilence = new float[Chunks];
        var gotTone = new float[Chunks];
        for (var c = 0; c < Chunks; c++)
        {
            gotSilence[c] = await InferAsync(engine, "quiet", silence, c);
            gotTone[c] = await InferAsync(engine, 77, tone, c);
        }

        Assert.Equal(expectedSilence, gotSilence);
        Assert.Equal(expectedTone, gotTone);
        Assert.True(expectedTone[^1] > expectedSilence[^1], $"tone {expectedTone[^1]} vs silence {expectedSilence[^1]}");
        Assert.NotEqual(expectedTone[0], expectedTone[^1]); // the state matters: same model, different chunks and history
    }

    private static async Task<float> InferAsync(InferenceEngine engine, object id, float[] audio, int chunk)
    {
        using var request = new InferenceRequest("silero_vad");
        var samples = new byte[Chunk * 4];
        Buffer.BlockCopy(audio, chunk * Chunk * 4, samples, 0, samples.Length);
        request.Inputs.Add(new InferenceTensor("input", TensorDataType.FP32, [1, Chunk], samples));
        request.Inputs.Add(new InferenceTensor("sr", TensorDataType.Int64, [1], BitConverter.GetBytes(SampleRate)));
        request.Parameters = new Dictionary<string, InferParameter>
        {
            ["sequence_id"] = id is string s ? InferParameter.FromString(s) : InferParameter.FromUInt64(Convert.ToUInt64(id, System.Globalization.CultureInfo.InvariantCulture)),
            ["sequence_start"] = InferParameter.FromBool(chunk == 0),
            ["sequence_end"] = InferParameter.FromBool(chunk == Chunks - 1),
        };
        using var response = await TestEngine.InferOkAsync(engine, request);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("output", output.Name);
        return BitConverter.ToSingle(output.Data.Span);
    }

    /// <summary>The same chunks through raw ONNX Runtime, carrying stateN → state by hand.</summary>
    private float[] RawOrt(float[] audio)
    {
        using var session = new InferenceSession(vad.ModelFile);
        var state = new float[2 * 128];
        var probabilities = new float[Chunks];
        for (var c = 0; c < Chunks; c++)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(audio[(c * Chunk)..((c + 1) * Chunk)], [1, Chunk]);
            using var sr = OrtValue.CreateTensorValueFromMemory(new[] { SampleRate }, []);
            using var stateIn = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]);
            using var results = session.Run(new RunOptions(), ["input", "sr", "state"], [input, sr, stateIn], ["output", "stateN"]);
            probabilities[c] = results[0].GetTensorDataAsSpan<float>()[0];
            state = results[1].GetTensorDataAsSpan<float>().ToArray();
        }

        return probabilities;
    }

    private static float[] Audio(int seed, float amplitude, double toneHz)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Chunk * Chunks).Select(i => toneHz > 0
            ? (float)(amplitude * Math.Sin(2 * Math.PI * toneHz * i / SampleRate) + 0.2 * (random.NextDouble() - 0.5))
            : (float)(amplitude * (random.NextDouble() - 0.5)))];
    }
}
