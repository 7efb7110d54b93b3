using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Turbine.Backend;

namespace ImageClassifier;

/// <summary>
/// IMAGE (BYTES [N, 1], each an encoded PNG, JPEG, BMP, GIF or WebP file) → PIXELS (FP32 [N, 3, 224, 224]): decoded to
/// RGB, the shorter side resized to 256 (bilinear), the centre 224 × 224 cropped, scaled to [0, 1] and normalized with
/// ImageNet's per-channel mean and standard deviation, channels first — the input ResNet-18 was trained on.
/// </summary>
/// <remarks>
/// Bounds, checked before any pixel is decoded: an image larger than <c>max_image_bytes</c> (default 16 MiB) or whose
/// header declares more than <c>max_pixels</c> (default 40 megapixels) is refused, so a small file that claims a huge
/// canvas (a decompression bomb) costs nothing. A file that is not an image is refused naming its batch index.
/// </remarks>
public sealed class ImagePreprocessModel : ITurbineModel
{
    /// <summary>The side of the square the model emits.</summary>
    public const int Size = 224;

    /// <summary>The shorter side the image is resized to before the centre crop.</summary>
    public const int ResizeTo = 256;

    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private long _maxImageBytes = 16L << 20;
    private long _maxPixels = 40_000_000;

    public void Initialize(ModelContext context)
    {
        if (context.Parameters.TryGetValue("max_image_bytes", out var bytes))
        {
            _maxImageBytes = long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (context.Parameters.TryGetValue("max_pixels", out var pixels))
        {
            _maxPixels = long.Parse(pixels, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            var images = request.Input("IMAGE").ReadElements();
            var pixels = new float[images.Count * 3 * Size * Size];
            for (var i = 0; i < images.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Preprocess(images[i], pixels.AsSpan(i * 3 * Size * Size, 3 * Size * Size), _maxImageBytes, _maxPixels, i);
            }

            request.Respond(Tensor.Create<float>("PIXELS", [images.Count, 3, Size, Size], pixels));
        }

        return Task.CompletedTask;
    }

    /// <summary>Decodes, resizes, crops and normalizes one encoded image into <paramref name="chw"/> (3 × 224 × 224).</summary>
    /// <exception cref="InvalidInputException">The bytes are not an image within the bounds (the client gets 400); the message names <paramref name="index"/>.</exception>
    public static void Preprocess(byte[] encoded, Span<float> chw, long maxImageBytes, long maxPixels, int index)
    {
        if (encoded.Length > maxImageBytes)
        {
            throw new InvalidInputException($"IMAGE[{index}]: {encoded.Length} bytes is more than max_image_bytes ({maxImageBytes})");
        }

        IImageInfo info;
        try
        {
            info = Image.Identify(encoded) ?? throw new UnknownImageFormatException("unknown image format");
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidInputException($"IMAGE[{index}]: not a decodable image ({e.Message})", e);
        }

        if ((long)info.Width * info.Height > maxPixels || info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidInputException($"IMAGE[{index}]: {info.Width}x{info.Height} is more than max_pixels ({maxPixels})");
        }

        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(encoded);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidInputException($"IMAGE[{index}]: not a decodable image ({e.Message})", e);
        }

        using (image)
        {
            var scale = (double)ResizeTo / Math.Min(image.Width, image.Height);
            var width = Math.Max(Size, (int)Math.Round(image.Width * scale));
            var height = Math.Max(Size, (int)Math.Round(image.Height * scale));
            image.Mutate(x => x
                .Resize(width, height, KnownResamplers.Triangle)
                .Crop(new Rectangle((width - Size) / 2, (height - Size) / 2, Size, Size)));
            var rgb = new Rgb24[Size * Size];
            image.CopyPixelDataTo(rgb);
            var plane = Size * Size;
            for (var at = 0; at < plane; at++)
            {
                var p = rgb[at];
                chw[at] = ((p.R / 255f) - Mean[0]) / Std[0];
                chw[plane + at] = ((p.G / 255f) - Mean[1]) / Std[1];
                chw[(2 * plane) + at] = ((p.B / 255f) - Mean[2]) / Std[2];
            }
        }
    }

    public void Shutdown()
    {
    }
}
