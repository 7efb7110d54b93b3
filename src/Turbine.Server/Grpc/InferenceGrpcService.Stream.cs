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
    /// model) and the stream stays open. Every response carries <c>triton_final_response</c>: an ordinary model's one
    /// response is final; a decoupled model's responses are written as they come, the last (or Triton's empty final
    /// response, when the request sets <c>triton_enable_empty_final_response</c>) marked final. A client that goes away cancels what is in flight; every
    /// response is released.
    /// </summary>
    /// <remarks>
    /// Backpressure: a slot is taken before each request is read and returned only after its response is written,
    /// so at most <see cref="StreamFlow.MaxPendingPerStream"/> requests and responses of a stream are held in memory;
    /// when the client stops reading, writes stop completing, the slots run out and the server stops reading.
    /// </remarks>
    /// <remarks>
    /// Bound with the hand-written marshallers (<see cref="WireModelStreamInfer"/>): each message is read off the wire as
    /// a unary request is, and each response written straight from the engine's output buffers.
    /// </remarks>
    internal async Task ModelStreamInferWire(IAsyncStreamReader<WireInferRequest> requestStream,
        IServerStreamWriter<WireStreamReply> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var max = flow.MaxPendingPerStream;
        var completed = Channel.CreateUnbounded<(WireStreamReply Message, InferenceResponse? Owner)>(
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

    private async Task RunOneAsync(WireInferRequest message, StreamOrder.Turn turn, ChannelWriter<(WireStreamReply, InferenceResponse?)> output,
        SemaphoreSlim slots, ServerCallContext context)
    {
        var queued = false;
        InferenceResponse? response = null;
        try
        {
            InferenceError? error;
            var enableEmptyFinal = false;
            var empty = EnableEmptyFinal(message);
            if (empty is { Kind: not Core.Tensors.InferParameterKind.Bool })
            {
                // Triton's check and text (infer_handler.cc SetStateParameterFromTritonParameter).
                error = InferenceError.InvalidArgument($"invalid value type for '{EnableEmptyFinalParameter}' parameter, expected bool_param.");
            }
            else
            {
                enableEmptyFinal = empty?.BoolValue == true;
                var sink = new StreamSink(flow, output, slots, context.CancellationToken);
                (_, error, _) = await InferWireAsync(message, context.GetHttpContext(), sink, context.CancellationToken).ConfigureAwait(false);
                response = sink.TakeFinal(out var flagOnlyFinal);
                if (error is null && response is null && !(flagOnlyFinal && enableEmptyFinal))
                {
                    // A decoupled model ended with a flag-only final the client did not ask to see: nothing more to write.
                    return;
                }
            }

            // Every streamed response carries triton_final_response; the last one (or the error, or the empty final
            // response a decoupled model's flag-only final becomes when the client asked for it) is true.
            var reply = error is null && response is not null
                ? new WireStreamReply { Response = response, Final = true }
                : new WireStreamReply { ErrorMessage = error?.Message, ModelName = message.ModelName, ModelVersion = message.ModelVersion, Id = message.Id, Final = true };
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

    /// <summary>The request's <c>triton_enable_empty_final_response</c> parameter, if it has one.</summary>
    private static Core.Tensors.InferParameter? EnableEmptyFinal(WireInferRequest message)
    {
        if (message.Message is { } parsed)
        {
            return parsed.Parameters.Count > 0 ? FromMessage(parsed) : null;
        }

        return message.Parameters is { } parameters && parameters.TryGetValue(EnableEmptyFinalParameter, out var value) ? value : null;

        static Core.Tensors.InferParameter? FromMessage(ModelInferRequest parsed) =>
            GrpcInferRequestReader.Convert(parsed.Parameters).TryGetValue(EnableEmptyFinalParameter, out var value) ? value : null;
    }

    /// <summary>
    /// Receives one request's responses: each non-final one is queued for writing at once with
    /// <c>triton_final_response: false</c>, taking a slot of its own (waiting for one blocks the model: backpressure);
    /// the final one is kept for the request's own slot. After the client goes away responses are released unsent.
    /// </summary>
    private sealed class StreamSink(StreamFlow flow, ChannelWriter<(WireStreamReply, InferenceResponse?)> output,
        SemaphoreSlim slots, CancellationToken cancellation) : IInferenceResponseSink
    {
        private InferenceResponse? _final;
        private bool _flagOnlyFinal;

        public void OnResponse(InferenceResponse? response, bool final)
        {
            if (final)
            {
                _final = response;
                _flagOnlyFinal = response is null;
                return;
            }

            if (response is null)
            {
                return;
            }

            try
            {
                slots.Wait(cancellation);
            }
            catch (OperationCanceledException)
            {
                response.Dispose();
                return;
            }

            var reply = new WireStreamReply { Response = response, Final = false };
            if (!output.TryWrite((reply, response)))
            {
                response.Dispose();
                flow.Done();
                slots.Release();
            }
        }

        public InferenceResponse? TakeFinal(out bool flagOnlyFinal)
        {
            flagOnlyFinal = _flagOnlyFinal;
            var final = _final;
            _final = null;
            return final;
        }
    }

    private async Task WriteAllAsync(ChannelReader<(WireStreamReply Message, InferenceResponse? Owner)> reader,
        IServerStreamWriter<WireStreamReply> stream, SemaphoreSlim slots, CancellationToken cancellationToken)
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
