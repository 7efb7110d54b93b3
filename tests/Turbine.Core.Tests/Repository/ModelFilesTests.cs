using System.Diagnostics;
using Turbine.Core.Repository;

namespace Turbine.Core.Tests.Repository;

public sealed class ModelFilesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-modelfiles-" + Guid.NewGuid().ToString("N"));
    private readonly string _model;
    private readonly string _outside;

    public ModelFilesTests()
    {
        _model = Path.Combine(_root, "model");
        _outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(_model, "warmup"));
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_model, "labels.txt"), "a\nb\n");
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "root:x:0:0\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ReadAllLines_FileInsideFolder_ReturnsLines()
    {
        Assert.Equal(["a", "b"], Files().ReadAllLines("", "labels.txt", "label_filename", ModelFileKind.Labels));
    }

    [Fact]
    public void ReadAllLines_LinkInsideFolderToFileInside_ReturnsLines()
    {
        File.CreateSymbolicLink(Path.Combine(_model, "alias.txt"), "labels.txt");
        Assert.Equal(["a", "b"], Files().ReadAllLines("", "alias.txt", "label_filename", ModelFileKind.Labels));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../outside/secret.txt")]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("warmup/../../outside/secret.txt")]
    [InlineData("..")]
    [InlineData("")]
    public void ReadAllBytes_AbsoluteOrDotDot_RefusedNamingFieldWithoutResolvedPath(string value)
    {
        var e = Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", value, "output 'p': label_filename", ModelFileKind.Labels));
        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.Contains($"output 'p': label_filename '{value}' must be a relative path inside the model folder", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_root, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAllBytes_LinkLeadingOutside_RefusedLikeAMissingFile()
    {
        File.CreateSymbolicLink(Path.Combine(_model, "escape.txt"), Path.Combine(_outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_model, "dangling.txt"), Path.Combine(_outside, "nothing-here.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_model, "dir"), _outside);

        var escape = Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", "escape.txt", "label_filename", ModelFileKind.Labels));
        var throughDir = Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", "dir/secret.txt", "label_filename", ModelFileKind.Labels));
        var dangling = Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", "dangling.txt", "label_filename", ModelFileKind.Labels));
        var missing = Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", "missing.txt", "label_filename", ModelFileKind.Labels));

        Assert.Contains("label_filename 'escape.txt' does not name a readable regular file inside the model folder", escape.Message, StringComparison.Ordinal);
        Assert.Contains("'dir/secret.txt' does not name a readable regular file", throughDir.Message, StringComparison.Ordinal);

        // The same words whether the target exists outside, does not exist, or nothing is there at all: no oracle.
        Assert.Equal(escape.Message.Replace("escape.txt", "X", StringComparison.Ordinal), dangling.Message.Replace("dangling.txt", "X", StringComparison.Ordinal));
        Assert.Equal(escape.Message.Replace("escape.txt", "X", StringComparison.Ordinal), missing.Message.Replace("missing.txt", "X", StringComparison.Ordinal));
        Assert.DoesNotContain(_root, escape.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAllBytes_Fifo_RefusedWithoutBlocking()
    {
        MakeFifo(Path.Combine(_model, "fifo.txt"));
        var read = Task.Run(() => Files().ReadAllBytes("", "fifo.txt", "label_filename", ModelFileKind.Labels));

        // A blocking open would never complete (no writer ever opens the FIFO): WaitAsync would throw TimeoutException.
        var e = await Assert.ThrowsAsync<InferenceException>(() => read.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("'fifo.txt' does not name a readable regular file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAllBytes_DeviceThroughLinkOrDirectory_Refused()
    {
        File.CreateSymbolicLink(Path.Combine(_model, "zero"), "/dev/zero");
        Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", "zero", "label_filename", ModelFileKind.Labels));
        Assert.Throws<InferenceException>(() => Files().ReadAllBytes("", "warmup", "label_filename", ModelFileKind.Labels));
    }

    [Fact]
    public void ReadAllBytes_OverTheKindsLimit_RefusedNamingTheFlag()
    {
        File.WriteAllBytes(Path.Combine(_model, "big.txt"), new byte[101]);
        var files = new ModelFiles(_model, new ModelFileLimits { LabelBytes = 100 });
        var e = Assert.Throws<InferenceException>(() => files.ReadAllBytes("", "big.txt", "label_filename", ModelFileKind.Labels));
        Assert.Contains("label_filename 'big.txt' is larger than the limit of 100 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("--max-label-file-bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(101, files.ReadAllBytes("", "big.txt", "input_data_file", ModelFileKind.WarmupData).Length);
    }

    [Fact]
    public void Resolve_SubfolderFile_ReturnsPathInsideTheFolder()
    {
        File.WriteAllBytes(Path.Combine(_model, "warmup", "x.bin"), [1, 2]);
        var path = Files().Resolve("warmup", "x.bin", "input_data_file", ModelFileKind.WarmupData);
        Assert.Equal([1, 2], File.ReadAllBytes(path));
        Assert.Null(Files().TryResolve("warmup", "../../outside/secret.txt", "input_data_file", ModelFileKind.WarmupData));
    }

    [Fact]
    public void Validate_NonPositiveOrTooLargeForMemory_NamesTheFlag()
    {
        var problems = new ModelFileLimits { LabelBytes = 0, WarmupDataBytes = long.MaxValue }.Validate();
        Assert.Contains(problems, p => p.StartsWith("--max-label-file-bytes must be between 1 and", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--max-warmup-file-bytes must be between 1 and", StringComparison.Ordinal));
        Assert.Empty(new ModelFileLimits().Validate());
    }

    internal static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private ModelFiles Files() => new(_model, new ModelFileLimits());
}
