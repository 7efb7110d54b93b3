using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>
/// ModelStreamInfer as Triton's stream clients use it: responses of each sequence in request order (Triton's
/// sequence stream example), <c>triton_final_response</c> on every response, <c>triton_enable_empty_final_response</c>.
/// </summary>
public sealed class TritonStreamTests(TritonServerFixture server) : IClassFixture<TritonServerFixture>
{
    private const int Sequences = 3;
    private const int Steps = 8;

    [Fact]
    public async Task ModelStreamInfer_EightRequestsThreeSequencesManyRuns_EachSequenceInOrder()
    {
        for (var run = 0; run < 25; run++)
        {
            using var call = server.Client.ModelStreamInfer(deadline: DateTime.UtcNow.AddMinutes(2));
            for (var step = 1; step <= Steps; step++)
            {
                for (var s = 0; s < Sequences; s++)
                {
                    // Values 1..8: each response's running sum tells which step of its sequence it answers.
                    await call.RequestStream.WriteAsync(Accumulator($"r{run}-s{s}", (ulong)(9000 + run * Sequences + s), step, step == 1, step == Steps));
                }
            }

            await call.RequestStream.CompleteAsync();
            var order = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                Assert.True(response.ErrorMessage.Length == 0, response.ErrorMessage);
                var sum = BitConverter.ToInt32(response.InferResponse.RawOutputContents[0].Span);
                var step = (int)Math.Round((Math.Sqrt(1 + 8.0 * sum) - 1) / 2); // sum = step * (step + 1) / 2
                var id = response.InferResponse.Id;
                (order.TryGetValue(id, out var seen) ? seen : order[id] = []).Add(step);
            }

            Assert.Equal(Sequences, order.Count);
            foreach (var (sequence, steps) in order)
            {
                Assert.True(steps.SequenceEqual(Enumerable.Range(1, Steps)), $"run {run} {sequence}: [{string.Join(",", steps)}]");
            }
        }
    }

    [Fact]
    public async Task ModelStreamInfer_EveryResponse_CarriesTritonFinalResponseTrue()
    {
        using var call = server.Client.ModelStreamInfer(deadline: DateTime.UtcNow.AddMinutes(1));
        await call.RequestStream.WriteAsync(TritonErrorTests.Simple("simple", "", "ok"));
        await call.RequestStream.WriteAsync(TritonErrorTests.Simple("nosuch", "", "failed"));
        await call.RequestStream.CompleteAsync();
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal(["failed", "ok"], responses.Select(r => r.InferResponse.Id).Order(StringComparer.Ordinal));
        Assert.All(responses, r =>
        {
            Assert.True(r.InferResponse.Parameters.TryGetValue("triton_final_response", out var final), r.InferResponse.Id);
            Assert.Equal(InferParameter.ParameterChoiceOneofCase.BoolParam, final.ParameterChoiceCase);
            Assert.True(final.BoolParam);
        });
    }

    [Fact]
    public async Task ModelStreamInfer_EmptyFinalResponseRequested_NonDecoupledModelSendsOneResponse()
    {
        using var call = server.Client.ModelStreamInfer(deadline: DateTime.UtcNow.AddMinutes(1));
        var asked = TritonErrorTests.Simple("simple", "", "asked");
        asked.Parameters["triton_enable_empty_final_response"] = new InferParameter { BoolParam = true };
        var wrongType = TritonErrorTests.Simple("simple", "", "wrong-type");
        wrongType.Parameters["triton_enable_empty_final_response"] = new InferParameter { StringParam = "true" };
        await call.RequestStream.WriteAsync(asked);
        await call.RequestStream.WriteAsync(wrongType);
        await call.RequestStream.CompleteAsync();
        var responses = (await call.ResponseStream.ReadAllAsync().ToListAsync()).ToDictionary(r => r.InferResponse.Id);

        // As in Triton, only a decoupled model sends an empty final response; no model here is decoupled.
        Assert.Equal(2, responses.Count);
        Assert.Equal("", responses["asked"].ErrorMessage);
        Assert.Equal(2, responses["asked"].InferResponse.Outputs.Count);
        Assert.True(responses["asked"].InferResponse.Parameters["triton_final_response"].BoolParam);
        Assert.Equal("invalid value type for 'triton_enable_empty_final_response' parameter, expected bool_param.", responses["wrong-type"].ErrorMessage);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static ModelInferRequest Accumulator(string id, ulong sequence, int value, bool start, bool end)
    {
        var request = new ModelInferRequest { ModelName = "accumulator", Id = id };
        request.Parameters["sequence_id"] = new InferParameter { Uint64Param = sequence };
        request.Parameters["sequence_start"] = new InferParameter { BoolParam = start };
        request.Parameters["sequence_end"] = new InferParameter { BoolParam = end };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "INPUT", Datatype = "INT32", Shape = { 1, 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(value)));
        return request;
    }
}
