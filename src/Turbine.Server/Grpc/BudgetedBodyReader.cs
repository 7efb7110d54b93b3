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
internal sealed class BudgetedBodyReader(PipeReader inner, RequestBodyBudget budget) : PipeReader
{
    private long _reserved;
    private ReadOnlySequence<byte> _last;

    /// <summary>Wraps the body of a gRPC call for the rest of the pipeline; the caller releases it when the call ends.</summary>
    public static BudgetedBodyReader Install(HttpContext context, RequestBodyBudget budget)
    {
        var reader = new BudgetedBodyReader(context.Request.BodyReader, budget);
        context.Features.Set<IRequestBodyPipeFeature>(new Feature(reader));
        return reader;
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        Charge(result.Buffer);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        Charge(result.Buffer);
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

    private sealed class Feature(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}
