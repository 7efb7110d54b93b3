using System.Threading.Channels;
using Grpc.Core;
using Turbine.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Grpc;

internal sealed partial class InferenceGrpcService
{
    /// <summary>
    /// Bidirectional streaming: every request is answered on the stream, in completion order, many in flight at
    /// once. A failed request is answered with <c>error_message</c> (and the request's id and model) and the stream
    /// stays open. A client that goes away cancels what is in flight; every response is released.
    /// </summary>
    /// <remarks>
    /// Backpressure: a slot is taken before each request is read and returned only after its response is written,
    /// so at most <see cref="StreamFlow.MaxPendingPerStream"/> requests and responses of a stream are held in memory;
    /// when the client stops reading, writes stop completing, the slots run out and the server stops reading.
    /// </remarks>
    public override async Task ModelStreamInfer(IAsyncStreamReader<ModelInferRequest> requestStream,
        IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var max = flow.MaxPendingPerStream;
        var completed = Channel.CreateUnbounded<(ModelStreamInferResponse Message, InferenceResponse? Owner)>(
            new UnboundedChannelOptions { SingleReader = true });
        using var slots = new SemaphoreSlim(max, max);
        var writer = WriteAllAsync(completed.Reader, responseStream, slots, cancellation);
        var running = new List<Task>();
        try
        {
            while (true)
            {
                if (!slots.Wait(0))
                {
                    flow.Waiting(true);
                    try
                    {
                        await slots.WaitAsync(cancellation).ConfigureAwait(false);
                    }
                    finally
                    {
                        flow.Waiting(false);
                    }
                }

                if (!await requestStream.MoveNext(cancellation).ConfigureAwait(false))
                {
                    slots.Release();
                    break;
                }

                flow.Read(max - slots.CurrentCount);
                running.Add(RunOneAsync(requestStream.Current, completed.Writer, slots, context));
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        finally
        {
            // Every request in flight finishes (cancelled if the client went away) before the slots go.
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            completed.Writer.TryComplete();
            try
            {
                await writer.ConfigureAwait(false);
            }
            finally
            {
                // Anything not written (client gone) is still released.
                while (completed.Reader.TryRead(out var left))
                {
                    left.Owner?.Dispose();
                    flow.Done();
                }
            }
        }
    }

    private async Task RunOneAsync(ModelInferRequest message, ChannelWriter<(ModelStreamInferResponse, InferenceResponse?)> output,
        SemaphoreSlim slots, ServerCallContext context)
    {
        var queued = false;
        try
        {
            var (response, error) = await InferAsync(message, context, unary: false).ConfigureAwait(false);
            var reply = error is null
                ? new ModelStreamInferResponse { InferResponse = GrpcResponses.Infer(response!) }
                : new ModelStreamInferResponse
                {
                    ErrorMessage = error.Message,
                    InferResponse = new ModelInferResponse { ModelName = message.ModelName, ModelVersion = message.ModelVersion, Id = message.Id },
                };
            queued = output.TryWrite((reply, response));
            if (!queued)
            {
                response?.Dispose();
            }
        }
        finally
        {
            if (!queued)
            {
                // Never written: the slot comes back here; a queued response gives it back once written.
                flow.Done();
                slots.Release();
            }
        }
    }

    private async Task WriteAllAsync(ChannelReader<(ModelStreamInferResponse Message, InferenceResponse? Owner)> reader,
        IServerStreamWriter<ModelStreamInferResponse> stream, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                try
                {
                    if (!cancellationToken.IsCancellationRequested)
                    {
                        await stream.WriteAsync(item.Message, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
                {
                    // The client went away; keep draining so every response is released.
                }
                finally
                {
                    item.Owner?.Dispose();
                    flow.Done();
                    slots.Release();
                }
            }
        }
    }
}
