using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using static Turbine.Core.Tests.Scheduling.SchedulingTestKit;
using static Turbine.Core.Tests.Scheduling.SequenceTestKit;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// Sequence starts waiting for a free slot are bounded (issue 11, item 11): a full backlog refuses a start at once,
/// and a start that waits longer than sequence_start_timeout_microseconds is refused; the sequences holding slots
/// keep running. One slot here: max_batch_size 1, one instance, direct strategy.
/// </summary>
public sealed class SequenceBacklogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_BacklogFull_UnavailableNamingLimitThenWaitingStartRunsWhenSlotFrees()
    {
        using var batcher = Batcher(OneSlot(maxSize: 2, timeoutUs: 0), _time, out _, new FakeStatefulInstance());
        Assert.Equal(1, await RunAsync(batcher, Step(1, 1, start: true)));
        var second = batcher.ExecuteAsync(Step(2, 20, start: true), CancellationToken.None).AsTask();
        var third = batcher.ExecuteAsync(Step(3, 30, start: true), CancellationToken.None).AsTask();

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(4, 40, start: true), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal("sequence 4 of model 'acc' cannot start: all 1 sequence slots are held and 2 starts already wait (sequence_backlog_max_size 2); retry later", error.Message);
        Assert.False(second.IsCompleted);
        Assert.Equal(3, batcher.ActiveSequences);

        // The sequence holding the slot keeps running; ending it hands the slot to the oldest waiting start.
        Assert.Equal(3, await RunAsync(batcher, Step(1, 2, end: true)));
        var started = await second.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(started.IsOk, started.Error?.ToString());
        Assert.Equal(20, OutputOf(started.Value));
        Assert.False(third.IsCompleted);
    }

    [Fact]
    public async Task ExecuteAsync_StartWaitsPastTimeout_UnavailableNamingLimitAndSequenceNotActive()
    {
        const long timeoutUs = 1_000_000;
        using var batcher = Batcher(OneSlot(maxSize: 8, timeoutUs: timeoutUs), _time, out _, new FakeStatefulInstance());
        Assert.Equal(1, await RunAsync(batcher, Step(1, 1, start: true)));
        var waiting = batcher.ExecuteAsync(Step(2, 20, start: true), CancellationToken.None);

        _time.Advance(TimeSpan.FromMicroseconds(timeoutUs - 1));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMicroseconds(1));
        var error = await ErrorAsync(waiting);

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal($"sequence 2 of model 'acc' waited {timeoutUs} us for a free sequence slot (sequence_start_timeout_microseconds {timeoutUs}); all 1 slots are held by active sequences, retry later", error.Message);
        Assert.Equal(1, batcher.ActiveSequences);
        Assert.Equal(0, batcher.QueueDepth);
        var notActive = await ErrorAsync(batcher.ExecuteAsync(Step(2, 1), CancellationToken.None));
        Assert.Contains("its start timed out waiting for a free sequence slot", notActive.Message, StringComparison.Ordinal);

        // The slot holder is unaffected.
        Assert.Equal(6, await RunAsync(batcher, Step(1, 5)));
    }

    [Fact]
    public async Task ExecuteAsync_ZeroBacklog_SecondStartRefusedAtOnce()
    {
        using var batcher = Batcher(OneSlot(maxSize: 0, timeoutUs: 0), _time, out _, new FakeStatefulInstance());
        Assert.Equal(1, await RunAsync(batcher, Step(1, 1, start: true)));

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(2, 1, start: true), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Contains("(sequence_backlog_max_size 0)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, batcher.ActiveSequences);
    }

    [Fact]
    public async Task ExecuteAsync_HundredsOfNeverEndedSequences_NewStartBoundedByTimeoutNotByTheirIdleTime()
    {
        const long timeoutUs = 2_000_000;
        using var batcher = Batcher(OneSlot(maxSize: 1000, timeoutUs: timeoutUs), _time, out _, new FakeStatefulInstance());
        Assert.Equal(1, await RunAsync(batcher, Step(1, 1, start: true)));
        var flood = Enumerable.Range(2, 300).Select(i => batcher.ExecuteAsync(Step((ulong)i, 1, start: true), CancellationToken.None).AsTask()).ToList();
        var legitimate = batcher.ExecuteAsync(Step(5000, 1, start: true), CancellationToken.None);

        _time.Advance(TimeSpan.FromMicroseconds(timeoutUs));

        Assert.Equal(StatusCode.Unavailable, (await ErrorAsync(legitimate)).Code);
        foreach (var waiting in flood)
        {
            var result = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(StatusCode.Unavailable, result.Error!.Code);
        }

        Assert.Equal(1, batcher.ActiveSequences);
    }

    [Theory]
    [InlineData(SequenceBacklogSettings.MaxSizeKey, "-1", "parameter 'sequence_backlog_max_size': expected an integer from 0 to 2147483647, got '-1'")]
    [InlineData(SequenceBacklogSettings.StartTimeoutKey, "1s", "parameter 'sequence_start_timeout_microseconds': expected a non-negative integer (microseconds; 0 = no limit), got '1s'")]
    public void Validate_BadBacklogParameter_ProblemNamesParameter(string key, string value, string expected)
    {
        var config = Stateful() with { Parameters = ImmutableDictionary<string, string>.Empty.Add(key, value) };

        Assert.Contains("config.pbtxt: " + expected, ModelConfigValidator.Validate(config, "config.pbtxt"));
    }

    [Fact]
    public void Parse_NoParameters_Defaults()
    {
        var parsed = SequenceBacklogSettings.Parse(ImmutableDictionary<string, string>.Empty);

        Assert.Equal(new SequenceBacklogSettings(1024, 10_000_000), parsed.Value);
    }

    private static ModelConfig OneSlot(int maxSize, long timeoutUs) => Stateful(maxBatchSize: 1) with
    {
        Parameters = ImmutableDictionary<string, string>.Empty
            .Add(SequenceBacklogSettings.MaxSizeKey, maxSize.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add(SequenceBacklogSettings.StartTimeoutKey, timeoutUs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };
}
