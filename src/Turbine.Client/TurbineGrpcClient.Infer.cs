using System.Runtime.CompilerServices;
using Grpc.Core;
using Turbine.Client.Internal;
using Turbine.Protocol.Grpc;

namespace Turbine.Client;

public sealed partial class TurbineGrpcClient
{
    /// <summary>
    /// ModelInfer. Inputs travel in <c>raw_input_contents</c> (one entry per input, in order, not copied) unless
    /// <see cref="InferOptions.GrpcTypedContents"/> is set; <see cref="InferOptions.Deadline"/> becomes the call's
    /// deadline. HTTP-only options (binary data, JSON, compression) are ignored.
    /// </summary>
    /// <exception cref="TurbineClientException">
    /// The call failed (server error, DeadlineExceeded, Cancelled when <paramref name="ct"/> fires, Unavailable...),
    /// or the response cannot be read.
    /// </exception>
    public async Task<InferResult> InferAsync(
        string model,
        IReadOnlyList<InferInput> inputs,
        IReadOnlyList<InferRequestedOutput>? outputs = null,
        InferOptions? options = null,
        CancellationToken ct = default)
    {
        var request = GrpcInferRequestBuilder.Build(model, inputs, outputs, options);
        var deadline = options?.Deadline?.ToUniversalTime();
        var response = await GrpcErrors.CallAsync(_client.ModelInferAsync(request, deadline: deadline, cancellationToken: ct), options?.RequestId)
            .ConfigureAwait(false);
        return GrpcInferResponseReader.Read(response);
    }

    /// <summary>
    /// ModelStreamInfer: sends <paramref name="requests"/> on one bidirectional stream while yielding responses as
    /// they arrive (not necessarily in request order: match them by <see cref="InferStreamResult.Id"/>). A response
    /// with an <c>error_message</c> is yielded as a failed <see cref="InferStreamResult"/> and the stream goes on.
    /// </summary>
    /// <exception cref="TurbineClientException">The stream itself failed or was cancelled (thrown while enumerating).</exception>
    /// <exception cref="ArgumentException">A request could not be built (for example FP16 with typed contents).</exception>
    public async IAsyncEnumerable<InferStreamResult> StreamInferAsync(
        IAsyncEnumerable<InferStreamRequest> requests,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = _client.ModelStreamInfer(cancellationToken: stop.Token);
        var writer = WriteRequestsAsync(call.RequestStream, requests, stop);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false);
                }
                catch (RpcException e)
                {
                    // A request that could not be built (or a failing request source) cancels the call: report
                    // that error rather than the cancellation it caused.
                    if (!ct.IsCancellationRequested && (writer.IsFaulted || stop.IsCancellationRequested))
                    {
                        await writer.ConfigureAwait(false);
                    }

                    throw GrpcErrors.From(e);
                }

                if (!more)
                {
                    break;
                }

                yield return ToStreamResult(call.ResponseStream.Current);
            }

            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw GrpcErrors.From(e);
            }
        }
        finally
        {
            if (!writer.IsCompleted)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }

            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested || writer.IsFaulted)
            {
                // Already reported above, or the caller stopped enumerating.
            }
        }
    }

    /// <summary>
    /// Sends the requests, then half-closes. A failed write means the call has ended: the reader reports its
    /// status. An exception from the caller's source or from building a request cancels the call and faults the task.
    /// </summary>
    private static async Task WriteRequestsAsync(
        IClientStreamWriter<ModelInferRequest> stream,
        IAsyncEnumerable<InferStreamRequest> requests,
        CancellationTokenSource stop)
    {
        try
        {
            await foreach (var item in requests.WithCancellation(stop.Token).ConfigureAwait(false))
            {
                ArgumentNullException.ThrowIfNull(item, nameof(requests));
                var request = GrpcInferRequestBuilder.Build(item.Model, item.Inputs, item.Outputs, item.Options);
                if (!await TryAsync(stream.WriteAsync(request, stop.Token)).ConfigureAwait(false))
                {
                    return;
                }
            }

            await TryAsync(stream.CompleteAsync()).ConfigureAwait(false);
        }
        catch (Exception) when (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<bool> TryAsync(Task write)
    {
        try
        {
            await write.ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException)
        {
            return false;
        }
    }

    private static InferStreamResult ToStreamResult(ModelStreamInferResponse response)
    {
        var id = response.InferResponse is { } r ? GrpcInferResponseReader.NullIfEmpty(r.Id) : null;
        if (response.ErrorMessage.Length > 0)
        {
            return new InferStreamResult(id, null, new TurbineClientException(StatusCode.Unknown, response.ErrorMessage, id));
        }

        if (response.InferResponse is null)
        {
            return new InferStreamResult(
                null, null, new TurbineClientException(StatusCode.Internal, "stream response has neither error_message nor infer_response"));
        }

        try
        {
            return new InferStreamResult(id, GrpcInferResponseReader.Read(response.InferResponse), null);
        }
        catch (TurbineClientException e)
        {
            return new InferStreamResult(id, null, e);
        }
    }
}
