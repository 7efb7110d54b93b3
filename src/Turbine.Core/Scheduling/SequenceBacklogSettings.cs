using System.Collections.Immutable;
using System.Globalization;

namespace Turbine.Core.Scheduling;

/// <summary>
/// Bounds on sequence starts that wait for a free sequence slot (the sequence batcher's backlog), read from the
/// model config's <c>parameters</c> (Triton has no such field; an unknown config field would break Triton tools):
/// <c>sequence_backlog_max_size</c> = starts that may wait at once (0 = none wait: a start finding every slot taken
/// is refused at once), <c>sequence_start_timeout_microseconds</c> = how long one may wait (0 = without limit, as
/// Triton). Over either limit the start is refused with UNAVAILABLE (HTTP 503), as a full dynamic-batching queue is.
/// </summary>
internal sealed record SequenceBacklogSettings(int MaxSize, long StartTimeoutMicroseconds)
{
    public const string MaxSizeKey = "sequence_backlog_max_size";
    public const string StartTimeoutKey = "sequence_start_timeout_microseconds";

    /// <summary>Default <c>sequence_backlog_max_size</c>.</summary>
    public const int DefaultMaxSize = 1024;

    /// <summary>Default <c>sequence_start_timeout_microseconds</c>: 10 s.</summary>
    public const long DefaultStartTimeoutMicroseconds = 10_000_000;

    public static readonly SequenceBacklogSettings Default = new(DefaultMaxSize, DefaultStartTimeoutMicroseconds);

    /// <summary>Parses the parameters; an error names the parameter, the value and what was expected.</summary>
    public static Result<SequenceBacklogSettings> Parse(ImmutableDictionary<string, string> parameters)
    {
        var maxSize = DefaultMaxSize;
        if (parameters.TryGetValue(MaxSizeKey, out var sizeText)
            && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out maxSize)))
        {
            return InferenceError.InvalidArgument($"parameter '{MaxSizeKey}': expected an integer from 0 to {int.MaxValue}, got '{sizeText}'");
        }

        var timeout = DefaultStartTimeoutMicroseconds;
        if (parameters.TryGetValue(StartTimeoutKey, out var timeoutText)
            && (!long.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out timeout)))
        {
            return InferenceError.InvalidArgument($"parameter '{StartTimeoutKey}': expected a non-negative integer (microseconds; 0 = no limit), got '{timeoutText}'");
        }

        return Result<SequenceBacklogSettings>.Ok(new SequenceBacklogSettings(maxSize, timeout));
    }
}
