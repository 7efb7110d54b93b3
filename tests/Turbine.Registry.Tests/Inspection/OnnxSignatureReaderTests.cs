using System.Formats.Tar;
using Onnx;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Inspection;
using Turbine.Samples;

namespace Turbine.Registry.Tests.Inspection;

public sealed class OnnxSignatureReaderTests
{
    [Fact]
    public void TryRead_InitializerListedAsInput_ExcludedFromInputs()
    {
        var graph = new OnnxGraphBuilder("dense")
            .Input("x", TensorProto.Types.DataType.Float, "batch", "4")
            .Input("w", TensorProto.Types.DataType.Float, "4", "2")
            .Output("y", TensorProto.Types.DataType.Float, "batch", "2");
        graph.Initializer("w", new float[8], 4, 2);
        graph.Node("MatMul", ["x", "w"], "y");

        var signature = OnnxSignatureReader.TryRead(new MemoryStream(graph.ToBytes()));

        Assert.NotNull(signature);
        Assert.Equal(["x:FP32:-1,4"], signature.Inputs.Select(Describe));
        Assert.Equal(["y:FP32:-1,2"], signature.Outputs.Select(Describe));
    }

    [Theory]
    [InlineData(TensorProto.Types.DataType.Int64, "INT64")]
    [InlineData(TensorProto.Types.DataType.String, "BYTES")]
    [InlineData(TensorProto.Types.DataType.Bool, "BOOL")]
    [InlineData(TensorProto.Types.DataType.Float16, "FP16")]
    [InlineData(TensorProto.Types.DataType.Double, "FP64")]
    [InlineData(TensorProto.Types.DataType.Uint8, "UINT8")]
    public void TryRead_ElementTypes_OpenInferenceProtocolNames(TensorProto.Types.DataType type, string expected)
    {
        var graph = new OnnxGraphBuilder("identity").Input("in", type, "n").Output("out", type, "n");
        graph.Node("Identity", ["in"], "out");

        var signature = OnnxSignatureReader.TryRead(new MemoryStream(graph.ToBytes()));

        Assert.Equal($"in:{expected}:-1", Describe(signature!.Inputs.Single()));
    }

    [Fact]
    public void TryRead_LargeInitializerBeforeTheInputs_SkippedInSmallReads()
    {
        var graph = new OnnxGraphBuilder("big")
            .Input("x", TensorProto.Types.DataType.Float, "1", "1024")
            .Output("y", TensorProto.Types.DataType.Float, "1", "1024");
        graph.Initializer("bias", new float[1024 * 1024], 1024, 1024);
        graph.Node("Add", ["x", "x"], "y");
        var bytes = graph.ToBytes();

        var stream = new ReadSizeRecordingStream(bytes);

        var signature = OnnxSignatureReader.TryRead(stream);

        Assert.True(bytes.Length > 4_000_000);
        Assert.InRange(stream.LargestRead, 1, 64 * 1024); // streamed through a small buffer, never read whole
        Assert.Equal(["x:FP32:1,1024"], signature!.Inputs.Select(Describe));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x14, 0x00 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    public void TryRead_NotOnnx_Null(byte[] bytes) => Assert.Null(OnnxSignatureReader.TryRead(new MemoryStream(bytes)));

    [Fact]
    public async Task InspectAsync_TarWithTritonFolder_FindsTheModelInside()
    {
        var dir = Path.Combine(Path.GetTempPath(), "turbine-tests", "inspect-" + Guid.NewGuid().ToString("N"));
        try
        {
            SampleRepository.CreateModel(dir, "simple");
            using var tar = new MemoryStream();
            TarFile.CreateFromDirectory(Path.Combine(dir, "simple"), tar, includeBaseDirectory: true);
            tar.Position = 0;

            var inspection = (await ArtifactInspector.InspectAsync(tar, ArtifactPacking.Tar, null, CancellationToken.None)).Value!;

            Assert.Equal("onnx", inspection.Format);
            Assert.Equal(["INPUT0:INT32:-1,16", "INPUT1:INT32:-1,16"], inspection.Signature!.Inputs.Select(Describe));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task InspectAsync_FileNotNamedOnnxOrTarWithoutModel_Unknown()
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "folder/readme.txt") { DataStream = new MemoryStream("hello"u8.ToArray()) };
            await writer.WriteEntryAsync(entry);
        }

        tar.Position = 0;

        var fromTar = (await ArtifactInspector.InspectAsync(tar, ArtifactPacking.Tar, null, CancellationToken.None)).Value;
        var fromFile = (await ArtifactInspector.InspectAsync(new MemoryStream([1, 2, 3]), ArtifactPacking.File, "weights.bin", CancellationToken.None)).Value;

        Assert.Equal(new ArtifactInspection("unknown", null), fromTar);
        Assert.Equal(new ArtifactInspection("unknown", null), fromFile);
    }

    [Fact]
    public async Task InspectAsync_DeclaredTarButNotATar_InvalidArtifact()
    {
        var onnx = new OnnxGraphBuilder("g").Input("x", TensorProto.Types.DataType.Float, "1").Output("y", TensorProto.Types.DataType.Float, "1");
        onnx.Node("Identity", ["x"], "y");
        var big = new byte[4096];
        new Random(1).NextBytes(big);
        using var gzip = new MemoryStream();
        await using (var z = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await z.WriteAsync(big);
        }

        foreach (var bytes in new[] { onnx.ToBytes(), big, gzip.ToArray() })
        {
            var result = await ArtifactInspector.InspectAsync(new MemoryStream(bytes), ArtifactPacking.Tar, null, CancellationToken.None);
            var error = Assert.IsType<Domain.RegistryError>(result.Error);
            Assert.Equal("invalid_artifact", error.Code);
            Assert.Contains("not a readable uncompressed tar", error.Message, StringComparison.Ordinal);
        }
    }

    private static string Describe(TensorSignature t) => $"{t.Name}:{t.Datatype}:{string.Join(',', t.Shape)}";

    /// <summary>A non-seekable stream over bytes that records the largest single read asked of it.</summary>
    private sealed class ReadSizeRecordingStream(byte[] bytes) : Stream
    {
        private int _position;

        public int LargestRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, bytes.Length - _position);
            LargestRead = Math.Max(LargestRead, n);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
