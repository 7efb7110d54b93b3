using Microsoft.Extensions.Time.Testing;
using Turbine.Cli.Progress;

namespace Turbine.Cli.Tests.Progress;

public sealed class ProgressDisplayTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly StringWriter _writer = new();

    [Fact]
    public void Update_NotATerminal_PlainLineAtEachTenPercentOrEveryFiveSeconds()
    {
        var display = new ProgressDisplay(_writer, terminal: false, _time, "turbine: uploading m");
        display.Update(0.01, "a");  // first: printed
        display.Update(0.05, "b");  // same decile, no time passed: not printed
        display.Update(0.12, "c");  // next decile: printed
        _time.Advance(TimeSpan.FromSeconds(4));
        display.Update(0.13, "d");  // 4 s: not printed
        _time.Advance(TimeSpan.FromSeconds(1));
        display.Update(0.14, "e");  // 5 s: printed
        display.Update(1, "f");     // done: printed
        Assert.Equal(["turbine: uploading m: 1% a", "turbine: uploading m: 12% c", "turbine: uploading m: 14% e", "turbine: uploading m: 100% f"],
            _writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\r', _writer.ToString());
    }

    [Fact]
    public void Update_Terminal_BarRedrawnInPlaceAndThrottled()
    {
        var display = new ProgressDisplay(_writer, terminal: true, _time, "bench");
        display.Update(0.5, "x");
        display.Update(0.6, "y"); // within 100 ms: skipped
        _time.Advance(TimeSpan.FromMilliseconds(100));
        display.Update(0.75, "z");
        display.Complete();
        var text = _writer.ToString();
        Assert.Equal("\rbench [############............]  50% x\rbench [##################......]  75% z" + Environment.NewLine, text);
    }

    [Fact]
    public void Line_Terminal_ClearsTheBarFirst()
    {
        var display = new ProgressDisplay(_writer, terminal: true, _time, "b");
        display.Update(0.5, "x");
        var bar = _writer.ToString().Length - 1;
        display.Line("level 2");
        Assert.EndsWith("\r" + new string(' ', bar) + "\rlevel 2" + Environment.NewLine, _writer.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(64L << 20, "64.0 MiB")]
    public void Bytes_HumanReadable(long bytes, string expected) => Assert.Equal(expected, ProgressDisplay.Bytes(bytes));
}
