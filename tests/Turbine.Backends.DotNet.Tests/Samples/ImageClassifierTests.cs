using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Turbine.Client;
using Turbine.Samples;

namespace Turbine.Backends.DotNet.Tests.Samples;

/// <summary>
/// The image_classifier ensemble (image_preprocess .NET model → ResNet-18 with dynamic batching → image_head) over REST
/// and gRPC: held-out images classified, top-k labels, the same probabilities as the steps run directly with ONNX
/// Runtime, the ResNet step batched across concurrent requests, and bad images refused without harm.
/// </summary>
public sealed class ImageClassifierTests(ImageClassifierFixture sample) : IClassFixture<ImageClassifierFixture>
{
    private ITurbineClient Client(string protocol) => protocol == "grpc"
        ? new TurbineGrpcClient(sample.Server.GrpcAddress)
        : new TurbineHttpClient(sample.Server.HttpAddress);

    private static InferInput Images(IEnumerable<byte[]> images)
    {
        var list = images.ToList();
        return new InferInput("IMAGE", [list.Count, 1], "BYTES").SetBytesElements(list);
    }

    [Theory]
    [InlineData("http", "png")]
    [InlineData("http", "jpeg")]
    [InlineData("grpc", "png")]
    [InlineData("grpc", "jpeg")]
    public async Task ImageClassifier_HeldOutImages_ClassifiedAsDrawn(string protocol, string encoding)
    {
        Assert.True(sample.TrainingAccuracy >= 0.95, $"training accuracy {sample.TrainingAccuracy}");
        var client = Client(protocol);
        try
        {
            var images = ImageClassifierSample.SyntheticImages(seed: 99, perClass: 4, encoding);
            var correct = 0;
            foreach (var chunk in images.Chunk(8))
            {
                var result = await client.InferAsync("image_classifier", [Images(chunk.Select(c => c.Image))]);
                var probabilities = result.GetOutput("PROBABILITIES");
                Assert.Equal([chunk.Length, 4L], probabilities.Shape);
                var values = probabilities.AsArray<float>();
                for (var i = 0; i < chunk.Length; i++)
                {
                    var row = values.AsSpan(i * 4, 4);
                    Assert.Equal(1.0, row.ToArray().Sum(), 4);
                    correct += row.IndexOf(MaxOf(row)) == chunk[i].Label ? 1 : 0;
                }
            }

            // Textures this distinct are all told apart by a linear head on ResNet-18 features; allow one miss in 16.
            Assert.True(correct >= images.Count - 1, $"{correct} of {images.Count} held-out {encoding} images classified as drawn");
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public async Task ImageClassifier_ClassCount_ReturnsTopKLabels(string protocol)
    {
        var client = Client(protocol);
        try
        {
            var image = ImageClassifierSample.SyntheticImages(seed: 5, perClass: 1)[2]; // a checkerboard
            var full = (await client.InferAsync("image_classifier", [Images([image.Image])])).GetOutput("PROBABILITIES").AsArray<float>();
            var top = await client.InferAsync("image_classifier", [Images([image.Image])], [new InferRequestedOutput("PROBABILITIES", binary: protocol == "grpc", classCount: 2)]);
            var entries = top.GetOutput("PROBABILITIES").AsStrings();
            Assert.Equal(2, entries.Length);
            var order = Enumerable.Range(0, 4).OrderByDescending(i => full[i]).ToArray();
            for (var k = 0; k < 2; k++)
            {
                var parts = entries[k].Split(':');
                Assert.Equal(order[k].ToString(System.Globalization.CultureInfo.InvariantCulture), parts[1]);
                Assert.Equal(ImageClassifierSample.ClassNames[order[k]], parts[2]);
                Assert.Equal(full[order[k]], float.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), 5);
            }

            Assert.Equal("checkerboard", entries[0].Split(':')[2]);
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task ImageClassifier_Probabilities_EqualStepsRunDirectlyWithOnnxRuntime()
    {
        using var client = new TurbineHttpClient(sample.Server.HttpAddress);
        var images = ImageClassifierSample.SyntheticImages(seed: 7, perClass: 1, "jpeg").Select(i => i.Image).ToList();
        var served = (await client.InferAsync("image_classifier", [Images(images)])).GetOutput("PROBABILITIES").AsArray<float>();

        // The preprocessing step's own output (the .NET model called alone), then ResNet-18 and the head in this process.
        var pixels = (await client.InferAsync("image_preprocess", [Images(images)])).GetOutput("PIXELS").AsArray<float>();
        using var resnet = new InferenceSession(sample.ResNet18);
        using var head = new InferenceSession(sample.Head);
        using var features = resnet.Run([NamedOnnxValue.CreateFromTensor("Input247", new DenseTensor<float>(pixels, [images.Count, 3, 224, 224]))]);
        var featureTensor = features.Single().AsTensor<float>();
        using var probabilities = head.Run([NamedOnnxValue.CreateFromTensor("FEATURES", featureTensor.ToDenseTensor())]);
        var expected = probabilities.Single().AsTensor<float>().ToArray();
        Assert.Equal(expected.Length, served.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - served[i]) <= 1e-5, $"element {i}: expected {expected[i]}, served {served[i]}");
        }
    }

    [Fact]
    public async Task ImageClassifier_ConcurrentRequests_ResNetStepIsBatched()
    {
        using var client = new TurbineHttpClient(sample.Server.HttpAddress);
        var (inferences0, executions0) = await ResNetCountsAsync(client);
        var images = ImageClassifierSample.SyntheticImages(seed: 3, perClass: 8);
        var results = await Task.WhenAll(images.Select(i => client.InferAsync("image_classifier", [Images([i.Image])])));
        Assert.All(results, r => Assert.Equal([1L, 4L], r.GetOutput("PROBABILITIES").Shape));
        var (inferences, executions) = await ResNetCountsAsync(client);
        Assert.Equal(images.Count, inferences - inferences0);
        // 32 single-image requests at once: the dynamic batcher runs ResNet-18 on batches, so fewer executions than images.
        Assert.True(executions - executions0 < images.Count, $"{executions - executions0} ResNet-18 executions for {images.Count} images");
    }

    private static async Task<(long Inferences, long Executions)> ResNetCountsAsync(TurbineHttpClient client)
    {
        using var stats = await client.GetModelStatisticsAsync("resnet18");
        var model = stats.RootElement.GetProperty("model_stats")[0];
        return (model.GetProperty("inference_count").GetInt64(), model.GetProperty("execution_count").GetInt64());
    }

    private static float MaxOf(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public async Task ImageClassifier_BadImages_RefusedAsInvalidNamingTheStepAndServerKeepsServing(string protocol)
    {
        var client = Client(protocol);
        try
        {
            var good = ImageClassifierSample.SyntheticImages(seed: 1, perClass: 1)[0].Image;
            var notImage = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("image_classifier", [Images([good, "not an image"u8.ToArray()])]));
            Assert.Contains("image_preprocess", notImage.Message, StringComparison.Ordinal);
            Assert.Contains("IMAGE[1]: not a decodable image", notImage.Message, StringComparison.Ordinal);
            if (protocol == "grpc")
            {
                Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, notImage.GrpcStatusCode);
            }
            else
            {
                Assert.Equal(400, notImage.StatusCode);
            }

            // A 20000 x 20000 canvas declared by a 70-byte file: refused from its header, nothing decoded.
            var bomb = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("image_classifier", [Images([HugeCanvasPng(20000, 20000)])]));
            Assert.Contains("IMAGE[0]: 20000x20000 is more than max_pixels (40000000)", bomb.Message, StringComparison.Ordinal);

            var after = await client.InferAsync("image_classifier", [Images([good])]);
            Assert.Equal([1L, 4L], after.GetOutput("PROBABILITIES").Shape);
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    /// <summary>A PNG signature, an IHDR declaring the size (8-bit RGB) with its CRC, an empty IDAT and IEND.</summary>
    private static byte[] HugeCanvasPng(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", []);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(MemoryStream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, System.IO.Hashing.Crc32.HashToUInt32(typeAndData));
        png.Write(crc);
    }
}
