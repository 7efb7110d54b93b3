using System.Threading.Channels;
using Grpc.Core;
using Turbine.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Grpc;

internal sealed partial class InferenceGrpcService
{
    /// <summary>Requests in flight at once on one stream; more wait until one completes.</summary>
    internal const int MaxInFlightPerStream = 64;

    /// <summary>
    /// Bidirectional streaming: every request is answered on the stream, in completion order, many in flight at
    /// once. A failed request is answered with <c>error_message</c> (and the request's id and model) and the stream
    /// stays open. A client that goes away cancels what is in flight; every response is released.
    /// </summary>
    public override async Task ModelStreamInfer(IAsyncStreamReader<ModelInferRequest> requestStream,
        IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var completed = Channel.CreateUnbounded<(ModelStreamInferResponse Message, InferenceResponse? Owner)>(
            new UnboundedChannelOptions { SingleReader = true });
        using var slots = new SemaphoreSlim(MaxInFlightPerStream, MaxInFlightPerStream);
        var writer = WriteAllAsync(completed.Reader, responseStream, cancellation);
        var running = new List<Task>();
        try
        {
            while (await requestStream.MoveNext(cancellation).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                await slots.WaitAsync(cancellation).ConfigureAwait(false);
                running.Add(RunOneAsync(message, completed.Writer, slots, context));
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
                }
            }
        }
    }

    private async Task RunOneAsync(ModelInferRequest message, ChannelWriter<(ModelStreamInferResponse, InferenceResponse?)> output,
        SemaphoreSlim slots, ServerCallContext context)
    {
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
            if (!output.TryWrite((reply, response)))
            {
                response?.Dispose();
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task WriteAllAsync(ChannelReader<(ModelStreamInferResponse Message, InferenceResponse? Owner)> reader,
        IServerStreamWriter<ModelStreamInferResponse> stream, CancellationToken cancellationToken)
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
                }
            }
        }
    }
}
