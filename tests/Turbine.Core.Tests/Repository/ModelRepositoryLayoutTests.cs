using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Repository;
using Turbine.Core.Sources;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Repository;

/// <summary>
/// A repository path that is one model, as KServe's storage initializer leaves <c>/mnt/models</c> for a storageUri
/// naming a model folder or a file (issue 15 item 3): detected, named, and served through the real engine.
/// </summary>
public sealed class ModelRepositoryLayoutTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");
    private readonly List<string> _cleanup = [];

    public void Dispose()
    {
        _repo.Dispose();
        foreach (var folder in _cleanup)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Open_TritonRepository_IsARepository()
    {
        var opened = ModelRepository.Open(_repo.Root);

        Assert.Equal(ModelRepositoryLayout.Repository, opened.Layout);
        Assert.Equal(["simple"], opened.ListModels());
    }

    [Fact]
    public void Open_ModelFolder_OneModelNamedAfterTheFolderOrGivenName()
    {
        var folder = _repo.ModelDir("simple");

        var byFolder = ModelRepository.Open(folder);
        var named = ModelRepository.Open(folder, "adder");

        Assert.Equal(ModelRepositoryLayout.ModelFolder, byFolder.Layout);
        Assert.Equal(["simple"], byFolder.ListModels());
        Assert.Equal([1L], byFolder.ListVersions("simple"));
        Assert.Equal(["adder"], named.ListModels());
        Assert.True(named.Contains("adder"));
        Assert.False(named.Contains("simple"));
        Assert.Equal(Path.Combine(folder, "1"), named.VersionPath("adder", 1));
    }

    [Fact]
    public void Open_FolderWithOneOnnxFile_ServesItInPlaceAsVersionOne()
    {
        var folder = MoveModelFileTo("flat", "resnet.onnx");

        var opened = ModelRepository.Open(folder);

        Assert.Equal(ModelRepositoryLayout.ModelFile, opened.Layout);
        Assert.Equal(["resnet"], opened.ListModels());
        Assert.Equal("resnet.onnx", opened.ModelFileName);
        Assert.Equal([1L], opened.ListVersions("resnet"));
        Assert.Equal(folder, opened.VersionPath("resnet", 1));
    }

    [Fact]
    public void Open_OnnxFilePath_ServesThatFile()
    {
        var file = Path.Combine(MoveModelFileTo("file", "model.onnx"), "model.onnx");

        var opened = ModelRepository.Open(file, "adder");

        Assert.Equal(ModelRepositoryLayout.ModelFile, opened.Layout);
        Assert.Equal(["adder"], opened.ListModels());
        Assert.Equal("model.onnx", opened.ModelFileName);
    }

    [Fact]
    public void Open_TwoOnnxFiles_IsNotOneModel()
    {
        var folder = MoveModelFileTo("two", "a.onnx");
        File.Copy(Path.Combine(folder, "a.onnx"), Path.Combine(folder, "b.onnx"));

        Assert.Equal(ModelRepositoryLayout.Repository, ModelRepository.Open(folder).Layout);
    }

    [Fact]
    public void Open_FileThatIsNotOnnx_ArgumentErrorNamingIt()
    {
        var file = Path.Combine(_repo.Root, "notes.txt");
        File.WriteAllText(file, "hello");

        var e = Assert.Throws<ArgumentException>(() => ModelRepository.Open(file));
        Assert.Contains("notes.txt' is a file but not an ONNX model (.onnx)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BadModelName_ArgumentError()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRepository.Open(_repo.ModelDir("simple"), "../x"));
        Assert.Contains("--model-name '../x'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("config.pbtxt", true)]
    [InlineData("1/model.onnx", true)]
    [InlineData("7/", true)]
    [InlineData("0/model.onnx", false)]
    [InlineData("simple/config.pbtxt", false)]
    [InlineData("model.onnx", false)]
    public void IsModelFolder_ByTopLevelEntries(string path, bool expected) =>
        Assert.Equal(expected, ModelRepository.IsModelFolder([path]));

    [Fact]
    public void Locate_ModelFile_ConfigNamesTheFile()
    {
        var source = new FolderModelSource(MoveModelFileTo("flat", "resnet.onnx"));

        var located = source.Locate("resnet");
        var other = source.Locate("simple");

        Assert.True(located.IsOk);
        Assert.Equal("""{"default_model_filename":"resnet.onnx"}""", located.Value.ConfigJson);
        Assert.Equal(StatusCode.NotFound, other.Error!.Code);
        Assert.Contains("is one model, 'resnet'", other.Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("file")]
    public async Task Engine_OneModelPath_ServedUnderTheGivenNameAndInfers(string layout)
    {
        // The folder's config.pbtxt says name "simple": with one model at the path, the served name wins.
        var path = layout == "folder" ? _repo.ModelDir("simple") : MoveModelFileTo("flat", "sum.onnx");
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = path, ModelName = "adder" }, [new OnnxBackend()], NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);

        Assert.True(engine.IsReady);
        using var response = await TestEngine.InferOkAsync(engine, TestEngine.Simple(model: "adder"));
        var sum = TestEngine.ReadInt32s(response.Outputs.Single(o => o.Name == "OUTPUT0"));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i + (2 * i) + 1), sum);
    }

    /// <summary>A folder holding only the <c>simple</c> model's ONNX file, under <paramref name="fileName"/>.</summary>
    private string MoveModelFileTo(string folder, string fileName)
    {
        var target = Path.Combine(_repo.Root, "..", Path.GetFileName(_repo.Root) + "-" + folder);
        target = Path.GetFullPath(target);
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(_repo.VersionDir("simple", 1), "model.onnx"), Path.Combine(target, fileName));
        _cleanup.Add(target);
        return target;
    }
}
