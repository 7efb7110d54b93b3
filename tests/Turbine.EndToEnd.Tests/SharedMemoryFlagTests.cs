namespace Turbine.EndToEnd.Tests;

/// <summary>The shared memory limits are validated at start: a bad value is one line and a non-zero exit.</summary>
public sealed class SharedMemoryFlagTests
{
    [Theory]
    [InlineData("--max-shm-regions", "-1", "--max-shm-regions must be 0 or more")]
    [InlineData("--max-shm-bytes", "0", "--max-shm-bytes must be positive")]
    public async Task Serve_BadSharedMemoryLimit_OneLineErrorAndNonZeroExit(string flag, string value, string expected)
    {
        var (code, output) = await TurbineProcess.RunAsync("serve", "--model-repository", "/tmp", flag, value);
        Assert.NotEqual(0, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("turbine: error:", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
