using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Protocol.Grpc;
using Turbine.Server.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// ModelStreamInfer's write order: responses of one sequence in request order, whatever order the requests finish
/// in (seeded finishing orders through the server's stream hook); unrelated requests are not held behind them.
/// </summary>
public sealed class GrpcStreamOrderTests : IAsyncLifetime
{
    private const int Sequences = 3;
    private const int Steps = 8;
    private ServerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private StreamHooks Hooks => _harness.Server.Services.GetRequiredService<StreamHooks>();

    [Fact]
    public async Task ModelStreamInfer_SeededFinishingOrders_EachSequenceAnsweredInRequestOrder()
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var delays = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        Hooks.AfterInfer = m => delays.TryGetValue(m.Id, out var ms) && ms > 0 ? Task.Delay(ms) : Task.CompletedTask;
        for (var run = 0; run < 40; run++)
        {
            // The seed decides how long each request is held after its inference, i.e. the order they finish in.
            var random = new Random(run);
            delays.Clear();
            var requests = new List<ModelInferRequest>();
            for (var step = 1; step <= Steps; step++)
            {
                for (var s = 0; s < Sequences; s++)
                {
                    var id = $"r{run}-s{s}-{step}";
                    delays[id] = random.Next(0, 4);
                    requests.Add(Accumulator(id, (ulong)(run * 10 + s + 1), step == 1, step == Steps));
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var call = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);
            foreach (var request in requests)
            {
                await call.RequestStream.WriteAsync(request, timeout.Token);
            }

            await call.RequestStream.CompleteAsync();
            var order = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
            {
                Assert.True(response.ErrorMessage.Length == 0, response.ErrorMessage);
                var id = response.InferResponse.Id;
                var step = int.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                var sum = GrpcTestClient.Values<int>(response.InferResponse.RawOutputContents[0]).Single();
                Assert.Equal(step, sum); // every INPUT is 1: the running sum is the step
                var sequence = id[..id.LastIndexOf('-')];
                (order.TryGetValue(sequence, out var seen) ? seen : order[sequence] = []).Add(step);
            }

            Assert.Equal(Sequences, order.Count);
            foreach (var (sequence, steps) in order)
            {
                Assert.True(steps.SequenceEqual(Enumerable.Range(1, Steps)), $"run {run} {sequence}: answered in order [{string.Join(",", steps)}]");
            }
        }
    }

    [Fact]
    public async Task ModelStreamInfer_SequenceResponseHeld_UnrelatedRequestsStillAnswered()
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Hooks.AfterInfer = m => m.Id == "held" ? release.Task.WaitAsync(TimeSpan.FromSeconds(60)) : Task.CompletedTask;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);

        await call.RequestStream.WriteAsync(Accumulator("held", 777, start: true, end: false), timeout.Token);
        await call.RequestStream.WriteAsync(Accumulator("next-in-sequence", 777, start: false, end: true), timeout.Token);
        await call.RequestStream.WriteAsync(Accumulator("other-sequence", 778, start: true, end: true), timeout.Token);
        await call.RequestStream.WriteAsync(GrpcTestClient.SimpleRaw(5, "no-sequence"), timeout.Token);

        // The two requests outside the held sequence come back while it is held, and nothing of its sequence does.
        var early = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
            early.Add(call.ResponseStream.Current.InferResponse.Id);
        }

        Assert.Equal(["no-sequence", "other-sequence"], early.Order(StringComparer.Ordinal));
        release.SetResult();
        await call.RequestStream.CompleteAsync();
        var rest = await call.ResponseStream.ReadAllAsync(timeout.Token).Select(r => r.InferResponse.Id).ToListAsync(timeout.Token);
        Assert.Equal(["held", "next-in-sequence"], rest);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ModelStreamInfer_RequestRefusedWhileRead_KeepsItsPlaceInItsSequence()
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Hooks.AfterInfer = m => m.Id == "held" ? release.Task.WaitAsync(TimeSpan.FromSeconds(60)) : Task.CompletedTask;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);

        // The second request of the held sequence is refused by the reader (a bad version): its error still waits
        // for the held response, as the protobuf path ordered it.
        var refused = Accumulator("refused-in-sequence", 779, start: false, end: true);
        refused.ModelVersion = "abc";
        await call.RequestStream.WriteAsync(Accumulator("held", 779, start: true, end: false), timeout.Token);
        await call.RequestStream.WriteAsync(refused, timeout.Token);
        await call.RequestStream.WriteAsync(GrpcTestClient.SimpleRaw(5, "no-sequence"), timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal("no-sequence", call.ResponseStream.Current.InferResponse.Id);

        release.SetResult();
        await call.RequestStream.CompleteAsync();
        var rest = await call.ResponseStream.ReadAllAsync(timeout.Token).ToListAsync(timeout.Token);
        Assert.Equal(["held", "refused-in-sequence"], rest.Select(r => r.InferResponse.Id));
        Assert.Contains("model version 'abc' is not valid", rest[1].ErrorMessage, StringComparison.Ordinal);
    }

    private static ModelInferRequest Accumulator(string id, ulong sequence, bool start, bool end)
    {
        var request = new ModelInferRequest { ModelName = "accumulator", Id = id };
        request.Parameters["sequence_id"] = new InferParameter { Uint64Param = sequence };
        request.Parameters["sequence_start"] = new InferParameter { BoolParam = start };
        request.Parameters["sequence_end"] = new InferParameter { BoolParam = end };
        request.Inputs.Add(GrpcTestClient.Input("INPUT", "INT32", 1, 1));
        request.RawInputContents.Add(GrpcTestClient.Bytes([1]));
        return request;
    }
}
