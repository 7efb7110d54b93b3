namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.Control.Kind</c>; text names <c>CONTROL_SEQUENCE_START</c>, …</summary>
public enum SequenceControlKind
{
    SequenceStart = 0,
    SequenceReady = 1,
    SequenceEnd = 2,
    SequenceCorrId = 3,
}
