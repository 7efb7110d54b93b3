using System.Threading.Channels;
using Grpc.Core;
using Turbine.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Grpc;

internal sealed partial class InferenceGrpcService
{
    /// <summary>Triton's bool parameter on every streamed response: true when it is the request's last response.</summary>
    internal const string FinalResponseParameter = "triton_final_response";

    /// <summary>Triton's request parameter asking for an empty final response (sent only by decoupled models).</summary>
    internal const string EnableEmptyFinalParameter = "triton_enable_empty_final_response";

    /// <summary>
    /// Bidirectional streaming: every request is answered on the stream, many in flight at once. Responses of one
    /// sequence are written in the order their requests arrived (<see cref="StreamOrder"/>); other requests are
    /// answered as they finish. A failed request is answered with <c>error_message</c> (and the request's id and
    /// model) and the stream stays open. Every response carries <c>triton_final_response</c> (true: no model here is
    /// decoupled, each request has exactly one response). A client that goes away cancels what is in flight; every
    /// response is released.
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
        var order = new StreamOrder();
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
                var message = requestStream.Current;
                running.Add(RunOneAsync(message, order.Enter(message), completed.Writer, slots, context));
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

    private async Task RunOneAsync(ModelInferRequest message, StreamOrder.Turn turn, ChannelWriter<(ModelStreamInferResponse, InferenceResponse?)> output,
        SemaphoreSlim slots, ServerCallContext context)
    {
        var queued = false;
        InferenceResponse? response = null;
        try
        {
            InferenceError? error;
            if (message.Parameters.TryGetValue(EnableEmptyFinalParameter, out var empty)
                && empty.ParameterChoiceCase != InferParameter.ParameterChoiceOneofCase.BoolParam)
            {
                // Triton's check and text (infer_handler.cc SetStateParameterFromTritonParameter).
                error = InferenceError.InvalidArgument($"invalid value type for '{EnableEmptyFinalParameter}' parameter, expected bool_param.");
            }
            else
            {
                (response, error) = await InferAsync(message, context, unary: false).ConfigureAwait(false);
            }

            var reply = error is null
                ? new ModelStreamInferResponse { InferResponse = GrpcResponses.Infer(response!) }
                : new ModelStreamInferResponse
                {
                    ErrorMessage = error.Message,
                    InferResponse = new ModelInferResponse { ModelName = message.ModelName, ModelVersion = message.ModelVersion, Id = message.Id },
                };

            // No model is decoupled: the one response is the final one. (An empty final response, which
            // triton_enable_empty_final_response asks for, exists only for decoupled models, as in Triton.)
            reply.InferResponse.Parameters[FinalResponseParameter] = new InferParameter { BoolParam = true };
            if (hooks.AfterInfer is { } hook)
            {
                await hook(message).ConfigureAwait(false);
            }

            // The previous request of this sequence queues first; its turn always completes, so this never hangs
            // longer than that request runs.
            await turn.Previous.ConfigureAwait(false);
            queued = output.TryWrite((reply, response));
        }
        finally
        {
            turn.Done();
            if (!queued)
            {
                // Never written: released and the slot comes back here; a queued response gives it back once written.
                response?.Dispose();
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
