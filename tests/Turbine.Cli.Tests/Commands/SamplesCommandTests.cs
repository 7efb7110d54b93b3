using System.CommandLine;
using Turbine.Cli.Commands;
using Turbine.Samples;

namespace Turbine.Cli.Tests.Commands;

public sealed class SamplesCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-samples-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var root = new RootCommand { SamplesCommand.Create() };
        var output = new StringWriter();
        var code = await root.Parse(["samples", "create", _dir, .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        return (code, output.ToString());
    }

    [Fact]
    public async Task Create_SomeExist_SaysCreatedOnlyForNewOnesAndKeptForTheRest()
    {
        SampleRepository.CreateModel(_dir, "iris");
        var (code, output) = await RunAsync();
        Assert.Equal(0, code);
        var summary = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith($"sample models in {_dir}: created ", summary, StringComparison.Ordinal);
        Assert.EndsWith("; kept existing iris (--overwrite rewrites them)", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("iris", summary[..summary.IndexOf(';', StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains("turbine: building sample model simple (", output, StringComparison.Ordinal);
        Assert.DoesNotContain("building sample model iris", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AllExist_NothingCreated()
    {
        await RunAsync();
        var (code, output) = await RunAsync();
        Assert.Equal(0, code);
        Assert.Equal($"sample models in {_dir}: nothing created; kept existing {string.Join(", ", SampleRepository.ModelNames)} (--overwrite rewrites them)", output.Trim());
    }

    [Fact]
    public async Task Create_Overwrite_CreatesEvery()
    {
        await RunAsync();
        var (_, output) = await RunAsync("--overwrite");
        Assert.EndsWith($"created sample models in {_dir}: {string.Join(", ", SampleRepository.ModelNames)}", output.Trim(), StringComparison.Ordinal);
    }
}
