using Turbine.Cli.Commands;
using Turbine.Samples;

namespace Turbine.Cli.Tests.Commands;

/// <summary>What <c>turbine up</c> monitors: the iris profile from its training data, and the payload_log parameter it needs.</summary>
public sealed class UpMonitoringTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-cli-tests", "up-monitoring-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void IrisProfile_TheTrainingDataInInputOrder()
    {
        var profile = UpMonitoring.IrisProfile();
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], profile.Features.Select(f => f.Name));
        Assert.Equal(150, profile.Rows);
        var (rows, _) = SampleRepository.IrisTrainingData();
        Assert.Equal(rows.Average(r => (double)r[2]), profile.Features[2].Mean!.Value, 6);
        Assert.Equal(rows.Max(r => (double)r[3]), profile.Features[3].Max!.Value, 6);
        Assert.Equal("iris", profile.Model);
    }

    [Fact]
    public async Task EnsurePayloadLog_AddsTheParameterOnlyToARepositoryUpJustCreated()
    {
        SampleRepository.CreateModel(_dir, "iris");
        var config = Path.Combine(_dir, "iris", "config.pbtxt");
        var before = await File.ReadAllTextAsync(config);

        using var note = new StringWriter();
        await UpMonitoring.EnsurePayloadLogAsync(_dir, createdNow: false, note);
        Assert.Equal(before, await File.ReadAllTextAsync(config)); // someone's repository: not edited, one line says what to add
        Assert.Contains("has no payload_log parameter", note.ToString(), StringComparison.Ordinal);

        using var quiet = new StringWriter();
        await UpMonitoring.EnsurePayloadLogAsync(_dir, createdNow: true, quiet);
        await UpMonitoring.EnsurePayloadLogAsync(_dir, createdNow: true, quiet); // once only
        var after = await File.ReadAllTextAsync(config);
        Assert.Equal(1, after.Split(UpMonitoring.PayloadLogParameter).Length - 1);
        Assert.Equal("", quiet.ToString());

        // The config still parses, with the parameter the payload log reads.
        Assert.Equal("all", Turbine.Core.Config.ModelConfigText.Parse(after, config).Parameters["payload_log"]);
    }
}
