using Google.Protobuf;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Turbine.Samples;

/// <summary>
/// The parts of the <c>image_classifier</c> sample (samples/dotnet/image_classifier) that are generated rather than
/// written by hand: ResNet-18 with a batch dimension, a labelled set of synthetic texture images, and the linear
/// classification head trained on ResNet-18's features of those images.
/// </summary>
/// <remarks>
/// The ResNet-18 that NuGet ships (<c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>) is ImageNet's network without its
/// final fully connected layer: it ends at the 512 pooled features. So the sample trains its own head (softmax
/// regression, as the iris sample) on four texture classes it draws itself, on features computed by the served
/// preprocessing and ResNet steps, which is the transfer-learning set-up most image services use.
/// </remarks>
public static class ImageClassifierSample
{
    /// <summary>The classes of <see cref="SyntheticImages"/>, in class-index order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["horizontal_stripes", "vertical_stripes", "checkerboard", "rings"];

    /// <summary>The ResNet-18 feature count (its pooled output is [N, 512, 1, 1]).</summary>
    public const int FeatureCount = 512;

    /// <summary>
    /// ResNet-18 as NuGet ships it has a fixed batch of 1; this makes the first dimension of its input and output the
    /// symbolic <c>batch</c> (the network has no reshape that pins it) and drops the recorded intermediate shapes, so
    /// ONNX Runtime runs any batch size and the dynamic batcher can batch it.
    /// </summary>
    /// <param name="onnx">The model file's bytes.</param>
    /// <returns>The rewritten model's bytes.</returns>
    public static byte[] WithBatchDimension(byte[] onnx)
    {
        var model = ModelProto.Parser.ParseFrom(onnx);
        var graph = model.Graph;
        if (graph.Node.Any(node => node.OpType is "Reshape" or "Flatten" or "Gemm"))
        {
            throw new ArgumentException("the model reshapes its tensors; its batch dimension cannot be freed by renaming it", nameof(onnx));
        }

        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in graph.Input.Where(v => !initializers.Contains(v.Name)).Concat(graph.Output))
        {
            var first = value.Type.TensorType.Shape.Dim[0];
            first.DimParam = "batch";
        }

        graph.ValueInfo.Clear();
        return model.ToByteArray();
    }

    /// <summary>
    /// Draws <paramref name="perClass"/> images of each class, deterministically from <paramref name="seed"/>: two
    /// random contrasting colours, a random period and phase, random sizes from 160 to 360 pixels, pixel noise, encoded as
    /// <paramref name="encoding"/> (<c>png</c> or <c>jpeg</c>).
    /// </summary>
    /// <param name="seed">The random seed.</param>
    /// <param name="perClass">Images per class.</param>
    /// <param name="encoding"><c>png</c> or <c>jpeg</c>.</param>
    /// <returns>The encoded images with their class index, classes interleaved.</returns>
    public static IReadOnlyList<(byte[] Image, int Label)> SyntheticImages(int seed, int perClass, string encoding = "png")
    {
        var random = new Random(seed);
        var images = new List<(byte[], int)>(perClass * ClassNames.Count);
        for (var i = 0; i < perClass; i++)
        {
            for (var label = 0; label < ClassNames.Count; label++)
            {
                images.Add((Draw(random, label, encoding), label));
            }
        }

        return images;
    }

    private static byte[] Draw(Random random, int label, string encoding)
    {
        int width = random.Next(160, 361), height = random.Next(160, 361);
        // Two colours far enough apart that the pattern is visible, a period that repeats several times in the centre
        // crop, and rings centred in the middle half of the image (off-centre rings would look like stripes).
        var a = RandomColor(random);
        Rgb24 b;
        do
        {
            b = RandomColor(random);
        }
        while (Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B) < 200);

        var period = random.Next(12, 40);
        var phase = random.Next(period);
        double cx = width * (0.3 + (0.4 * random.NextDouble())), cy = height * (0.3 + (0.4 * random.NextDouble()));
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var on = label switch
                {
                    0 => ((y + phase) / (period / 2)) % 2 == 0,
                    1 => ((x + phase) / (period / 2)) % 2 == 0,
                    2 => ((((x + phase) / (period / 2)) + ((y + phase) / (period / 2))) % 2) == 0,
                    _ => ((int)(Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) + phase) / (period / 2)) % 2 == 0,
                };
                var c = on ? a : b;
                var noise = random.Next(-12, 13);
                image[x, y] = new Rgb24(Clamp(c.R + noise), Clamp(c.G + noise), Clamp(c.B + noise));
            }
        }

        using var stream = new MemoryStream();
        switch (encoding)
        {
            case "png":
                image.Save(stream, new PngEncoder());
                break;
            case "jpeg":
                image.Save(stream, new JpegEncoder { Quality = 90 });
                break;
            default:
                throw new ArgumentException($"unknown encoding '{encoding}'; expected png or jpeg", nameof(encoding));
        }

        return stream.ToArray();
    }

    private static Rgb24 RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

    /// <summary>
    /// Trains the classification head (softmax regression on standardized features, as the iris sample is trained)
    /// on ResNet-18 features and their labels.
    /// </summary>
    /// <param name="features">One 512-value feature vector per image.</param>
    /// <param name="labels">The class index of each image.</param>
    /// <returns>The trained head; <see cref="HeadModelFiles"/> writes it as a model.</returns>
    public static IrisModel TrainHead(IReadOnlyList<float[]> features, IReadOnlyList<int> labels) =>
        IrisModel.Train([.. features], [.. labels], [.. ClassNames], iterations: 300, learningRate: 0.5);

    /// <summary>
    /// The head as an ONNX model for the <c>image_head</c> step: FEATURES FP32 [batch, 512, 1, 1] → Flatten → standardize
    /// → MatMul → Add → Softmax → PROBABILITIES FP32 [batch, classes]; returns <c>model.onnx</c>'s bytes.
    /// </summary>
    /// <param name="head">The trained head.</param>
    /// <returns>The ONNX model's bytes.</returns>
    public static byte[] HeadModel(IrisModel head)
    {
        int d = head.FeatureCount, c = head.ClassCount;
        var graph = new OnnxGraphBuilder("image_head")
            .Input("FEATURES", DataType.Float, "batch", d.ToString(System.Globalization.CultureInfo.InvariantCulture), "1", "1")
            .Output("PROBABILITIES", DataType.Float, "batch", c.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var flat = graph.Node("Flatten", ["FEATURES"], "flat", OnnxGraphBuilder.IntAttribute("axis", 1));
        var centered = graph.Node("Sub", [flat, graph.Initializer("mean", head.Mean, d)], "centered");
        var scaled = graph.Node("Div", [centered, graph.Initializer("std", head.Std, d)], "standardized");
        var product = graph.Node("MatMul", [scaled, graph.Initializer("weights", head.Weights, d, c)], "product");
        var logits = graph.Node("Add", [product, graph.Initializer("bias", head.Bias, c)], "logits");
        graph.Node("Softmax", [logits], "PROBABILITIES", OnnxGraphBuilder.IntAttribute("axis", -1));
        return graph.ToBytes();
    }

    /// <summary>The head's <c>labels.txt</c>: one class name per line, in class-index order.</summary>
    public static string Labels => string.Concat(ClassNames.Select(name => name + "\n"));
}
