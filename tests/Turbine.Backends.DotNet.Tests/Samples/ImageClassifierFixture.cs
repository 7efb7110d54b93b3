using Microsoft.Extensions.Logging;
using Turbine.Client;
using Turbine.Core.Lifecycle;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Backends.DotNet.Tests.Samples;

/// <summary>
/// The image_classifier sample's repository, built as its doc says: the preprocessing model project of
/// samples/dotnet/image_classifier built with `dotnet build`, ResNet-18 from its NuGet package given a batch dimension,
/// the `image_embedding` ensemble (preprocess → ResNet-18) served to compute the training set's features, the head
/// trained on them, then the `image_classifier` ensemble (preprocess → ResNet-18 → head) loaded beside it.
/// </summary>
public sealed class ImageClassifierFixture : IAsyncLifetime
{
    private readonly TempFolder _work = new("turbine-image-classifier");

    public string Repository => Path.Combine(_work.Path, "repository");

    public TurbineServer Server { get; private set; } = null!;

    public byte[] ResNet18 { get; private set; } = [];

    public byte[] Head { get; private set; } = [];

    /// <summary>The head's accuracy on its own training images (their features came from the served steps).</summary>
    public double TrainingAccuracy { get; private set; }

    public async Task InitializeAsync()
    {
        var sample = Path.Combine(ModelBuild.RepositoryRoot(), "samples", "dotnet", "image_classifier");
        var preprocess = ModelBuild.Build("samples/dotnet/image_classifier/Preprocess", Path.Combine(_work.Path, "preprocess-build"));
        ModelBuild.CopyFolder(preprocess, Path.Combine(Repository, "image_preprocess", "1"));
        Config(sample, "image_preprocess");
        ResNet18 = ImageClassifierSample.WithBatchDimension(ResNet18Package.Read(_work.Path));
        Directory.CreateDirectory(Path.Combine(Repository, "resnet18", "1"));
        await File.WriteAllBytesAsync(Path.Combine(Repository, "resnet18", "1", "model.onnx"), ResNet18);
        Config(sample, "resnet18");
        Directory.CreateDirectory(Path.Combine(Repository, "image_embedding", "1"));
        Config(sample, "image_embedding");

        var options = new ServerOptions
        {
            Engine = new() { ModelRepository = Repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["image_embedding"] },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        };
        Server = await TurbineServer.StartAsync(options, l => l.SetMinimumLevel(LogLevel.Warning));

        // Features of the training images through the served steps, so training sees exactly what serving computes.
        using var client = new TurbineHttpClient(Server.HttpAddress);
        var training = ImageClassifierSample.SyntheticImages(seed: 11, perClass: 40);
        var features = new List<float[]>();
        foreach (var chunk in training.Chunk(8))
        {
            var result = await client.InferAsync("image_embedding", [new InferInput("IMAGE", [chunk.Length, 1], "BYTES").SetBytesElements([.. chunk.Select(c => c.Image)])]);
            var values = result.GetOutput("FEATURES").AsArray<float>();
            features.AddRange(values.Chunk(ImageClassifierSample.FeatureCount));
        }

        var head = ImageClassifierSample.TrainHead(features, [.. training.Select(t => t.Label)]);
        TrainingAccuracy = head.TrainingAccuracy;
        Head = ImageClassifierSample.HeadModel(head);
        Directory.CreateDirectory(Path.Combine(Repository, "image_head", "1"));
        await File.WriteAllBytesAsync(Path.Combine(Repository, "image_head", "1", "model.onnx"), Head);
        await File.WriteAllTextAsync(Path.Combine(Repository, "image_head", "labels.txt"), ImageClassifierSample.Labels);
        Config(sample, "image_head");
        Directory.CreateDirectory(Path.Combine(Repository, "image_classifier", "1"));
        await File.WriteAllTextAsync(Path.Combine(Repository, "image_classifier", "labels.txt"), ImageClassifierSample.Labels);
        Config(sample, "image_classifier");
        await client.LoadModelAsync("image_classifier");
    }

    private void Config(string sample, string name) =>
        File.Copy(Path.Combine(sample, name + ".pbtxt"), Path.Combine(Repository, name, "config.pbtxt"), overwrite: true);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        _work.Dispose();
    }
}
