using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Runtime;

/// <summary>Specs, options and assertions the resolver tests share.</summary>
internal static class ResolverTestKit
{
    public static DeploymentSpec Spec(string storageUri, string name = "fraud") =>
        Spec(StorageUri.TryParse(storageUri, out var error) ?? throw new ArgumentException(error, nameof(storageUri)), name);

    public static DeploymentSpec Spec(StorageUri uri, string name = "fraud") => new(
        name,
        new Dictionary<string, string>(),
        new PredictorSpec { Model = new ModelSpec(ModelFormat.Triton, null, uri, null) },
        TurbineSettings.Default);

    public static RevisionModel AssertOk(ControlResult<RevisionModel> result)
    {
        Assert.True(result.IsOk, result.Error?.Message);
        return result.Value!;
    }

    public static ControlError AssertFails(ControlResult<RevisionModel> result, ControlErrorKind kind, params string[] mentions)
    {
        Assert.False(result.IsOk, "expected a failure, got revision " + result.Value?.RevisionId);
        Assert.Equal(kind, result.Error!.Kind);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, result.Error.Message, StringComparison.Ordinal);
        }

        return result.Error;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="relative"/> under <paramref name="root"/>, creating folders.</summary>
    public static string Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public static void MakeFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
        Assert.True(process.WaitForExit(10_000), "mkfifo did not finish");
        Assert.Equal(0, process.ExitCode);
    }

    public sealed class FakeTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
