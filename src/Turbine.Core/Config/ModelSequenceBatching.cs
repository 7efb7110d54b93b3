using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching</c>.</summary>
public sealed record ModelSequenceBatching
{
    /// <summary>Raw value; 0 = not set (Triton then uses 1000000).</summary>
    public long MaxSequenceIdleMicroseconds { get; init; }
    public ImmutableArray<SequenceControlInput> ControlInputs { get; init; } = [];
    public SequenceStrategyDirect? Direct { get; init; }
    public SequenceStrategyOldest? Oldest { get; init; }
    public ImmutableArray<SequenceState> States { get; init; } = [];

    /// <summary>Triton's default idle time when <see cref="MaxSequenceIdleMicroseconds"/> is 0.</summary>
    public const long DefaultMaxSequenceIdleMicroseconds = 1_000_000;

    /// <summary>The idle time after which a sequence is released.</summary>
    public long EffectiveMaxSequenceIdleMicroseconds =>
        MaxSequenceIdleMicroseconds > 0 ? MaxSequenceIdleMicroseconds : DefaultMaxSequenceIdleMicroseconds;

    /// <summary>
    /// Model inputs the sequence batcher supplies (control inputs, then state inputs) with their data types. They
    /// are not config inputs: clients never send them and backends must not auto-complete them as request inputs.
    /// </summary>
    public IEnumerable<(string Name, TensorDataType DataType, string Role)> ServerSuppliedInputs()
    {
        foreach (var control in ControlInputs)
        {
            yield return (control.Name, control.Controls.IsEmpty ? TensorDataType.Invalid : control.Controls[0].TensorType, "control input");
        }

        foreach (var state in States)
        {
            yield return (state.InputName, state.DataType, "state input");
        }
    }

    /// <summary>Model outputs the sequence batcher keeps as the next request's state; they are not config outputs.</summary>
    public IEnumerable<(string Name, TensorDataType DataType)> StateOutputs() => States.Select(s => (s.OutputName, s.DataType));

    /// <summary>True when <paramref name="name"/> is a control or state tensor (input or output) the server handles.</summary>
    public bool IsServerTensor(string name) =>
        ControlInputs.Any(c => c.Name == name) || States.Any(s => s.InputName == name || s.OutputName == name);
}
