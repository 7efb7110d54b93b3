using System.Buffers;
using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Turbine.Server.Http;

namespace Turbine.Server.Grpc;

/// <summary>
/// The request body of a gRPC call as gRPC reads it, with every byte it buffers reserved in the server-wide
/// <see cref="RequestBodyBudget"/> while it is buffered: a message being received counts from its first bytes, not
/// only once it is complete and parsed, so many large messages arriving at once are refused (RESOURCE_EXHAUSTED)
/// instead of all being buffered. Bytes gRPC has consumed (parsed) are given back; what is left is given back when
/// the call ends.
/// </summary>
internal sealed class BudgetedBodyReader(PipeReader inner, RequestBodyBudget budget, bool inferMessages = false) : PipeReader
{
    private long _reserved;
    private long _parseReserved;
    private bool _headCosted;
    private ReadOnlySequence<byte> _last;

    /// <summary>Wraps the body of a gRPC call for the rest of the pipeline; the caller releases it when the call ends.</summary>
    public static BudgetedBodyReader Install(HttpContext context, RequestBodyBudget budget)
    {
        // ModelInfer and ModelStreamInfer carry ModelInferRequests, whose parsed size is estimated before parsing.
        var path = context.Request.Path.Value ?? "";
        var infer = path.EndsWith("/ModelInfer", StringComparison.Ordinal) || path.EndsWith("/ModelStreamInfer", StringComparison.Ordinal);
        var reader = new BudgetedBodyReader(context.Request.BodyReader, budget, infer);
        context.Features.Set<IRequestBodyPipeFeature>(new Feature(reader));
        return reader;
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        Charge(result.Buffer);
        ChargeParse(result.Buffer);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        Charge(result.Buffer);
        ChargeParse(result.Buffer);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var done = _last.Slice(0, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed, examined);
        var give = Math.Min(done, _reserved);
        _reserved -= give;
        budget.Release(give);
        if (done > 0)
        {
            // The message at the head was parsed (or refused): what its parse was charged goes back.
            ReleaseParse();
        }
    }

    private void ReleaseParse()
    {
        budget.Release(_parseReserved);
        _parseReserved = 0;
        _headCosted = false;
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        inner.Complete(exception);
        ReleaseAll();
    }

    /// <summary>Gives back whatever is still reserved (the call ended).</summary>
    public void ReleaseAll()
    {
        var left = _reserved;
        _reserved = 0;
        budget.Release(left);
        ReleaseParse();
    }

    private void Charge(ReadOnlySequence<byte> buffer)
    {
        _last = buffer;
        var more = buffer.Length - _reserved;
        if (more <= 0)
        {
            return;
        }

        if (!budget.TryReserve(more))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, budget.Exhausted(more)));
        }

        _reserved += more;
    }

    /// <summary>
    /// Once the message at the head of <paramref name="buffer"/> is complete, charges what parsing it will allocate
    /// (<see cref="InferMessageCost"/>), so a message that is small on the wire but large once parsed is refused
    /// instead of parsed.
    /// </summary>
    private void ChargeParse(ReadOnlySequence<byte> buffer)
    {
        if (!inferMessages || _headCosted || buffer.Length < 5)
        {
            return;
        }

        Span<byte> prefix = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(prefix);
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (prefix[0] != 0 || buffer.Length < 5L + length)
        {
            return; // compressed (gRPC decides), or not complete yet
        }

        _headCosted = true;
        var cost = InferMessageCost.Estimate(buffer.Slice(5, length));
        if (cost < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"the message of {length} bytes is not a valid ModelInferRequest (its protobuf wire format is broken)"));
        }

        if (cost > budget.Limit || !budget.TryReserve(cost))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"the inference message of {length} bytes would take about {cost} bytes once parsed (typed contents, BYTES " +
                $"elements and fields widen when parsed), which does not fit the server's {budget.Limit}-byte budget of request " +
                "bytes in flight (--max-inflight-body-bytes) now; send tensors as raw_input_contents"));
        }

        _parseReserved = cost;
    }

    private sealed class Feature(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}
