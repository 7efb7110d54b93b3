using Turbine.Protocol.Grpc;

namespace Turbine.Server.Grpc;

/// <summary>
/// The write order of one <c>ModelStreamInfer</c> stream: the responses of one sequence (same model, same
/// <c>sequence_id</c>) are queued for writing in the order their requests were read, whatever order they finish in.
/// Requests of different sequences and requests outside any sequence are not ordered against each other: they run
/// and are answered as they finish (clients match them by <c>id</c>).
/// </summary>
/// <remarks>
/// Each request of a sequence takes a turn: it may queue its response once the previous request of its sequence has
/// queued its own (or given up). A turn is always completed (<see cref="Turn.Done"/> in a <c>finally</c>), so a failed
/// or cancelled request never blocks the ones after it. Entries live only while a request of that sequence is in
/// flight, so the map holds at most the stream's pending limit.
/// </remarks>
internal sealed class StreamOrder
{
    private readonly Dictionary<(string Model, ulong Number, string? Text), TaskCompletionSource> _last = [];
    private readonly Lock _lock = new();

    /// <summary>Takes the next turn of the request's sequence; a request outside any sequence gets a turn that never waits.</summary>
    public Turn Enter(ModelInferRequest request)
    {
        if (!request.Parameters.TryGetValue("sequence_id", out var id))
        {
            return default;
        }

        (string, ulong, string?) key = id.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.Int64Param => (request.ModelName, unchecked((ulong)id.Int64Param), null),
            InferParameter.ParameterChoiceOneofCase.Uint64Param => (request.ModelName, id.Uint64Param, null),
            InferParameter.ParameterChoiceOneofCase.StringParam => (request.ModelName, 0, id.StringParam),
            _ => default,
        };
        return Enter(key);
    }

    /// <summary>The same for a request read off the wire (its parameters, read also when it was refused; or the protobuf message it fell back to).</summary>
    public Turn Enter(WireInferRequest request)
    {
        if (request.Message is { } message)
        {
            return Enter(message);
        }

        if (request.Parameters is not { } parameters || !parameters.TryGetValue("sequence_id", out var id))
        {
            return default;
        }

        (string, ulong, string?) key = id.Kind switch
        {
            Core.Tensors.InferParameterKind.Int64 or Core.Tensors.InferParameterKind.UInt64 => (request.ModelName, id.UInt64Value, null),
            Core.Tensors.InferParameterKind.String when id.StringValue.Length > 0 => (request.ModelName, 0, id.StringValue),
            Core.Tensors.InferParameterKind.String => (request.ModelName, 0, null),
            _ => default,
        };
        return Enter(key);
    }

    private Turn Enter((string, ulong, string?) key)
    {
        if (key.Item1 is null || (key.Item2 == 0 && string.IsNullOrEmpty(key.Item3)))
        {
            // No sequence (0 / "" as in the engine), or a malformed id the engine will refuse: nothing to order.
            return default;
        }

        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_lock)
        {
            previous = _last.TryGetValue(key, out var before) ? before.Task : Task.CompletedTask;
            _last[key] = mine;
        }

        return new Turn(this, key, previous, mine);
    }

    private void Leave((string, ulong, string?) key, TaskCompletionSource mine)
    {
        lock (_lock)
        {
            if (_last.TryGetValue(key, out var current) && current == mine)
            {
                _last.Remove(key);
            }
        }

        mine.TrySetResult();
    }

    /// <summary>One request's place in its sequence's order.</summary>
    internal readonly struct Turn
    {
        private readonly StreamOrder? _owner;
        private readonly (string, ulong, string?) _key;
        private readonly TaskCompletionSource? _mine;
        private readonly Task? _previous;

        internal Turn(StreamOrder owner, (string, ulong, string?) key, Task previous, TaskCompletionSource mine)
        {
            _owner = owner;
            _key = key;
            _previous = previous;
            _mine = mine;
        }

        /// <summary>Completes once the previous request of the sequence has queued its response (never faults).</summary>
        public Task Previous => _previous ?? Task.CompletedTask;

        /// <summary>Lets the next request of the sequence queue its response.</summary>
        public void Done()
        {
            if (_owner is not null)
            {
                _owner.Leave(_key, _mine!);
            }
        }
    }
}
