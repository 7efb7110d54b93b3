using Onnx;

namespace Turbine.Samples.Tests;

public sealed class SampleRepositoryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "turbine-samples-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void ModelNames_ListsAllSamples()
    {
        Assert.Equal(["simple", "simple_int8", "simple_string", "simple_identity", "identity_fp32", "iris", "accumulator"], SampleRepository.ModelNames);
    }

    [Fact]
    public void Create_EmptyDirectory_WritesModelAndConfigPerSample()
    {
        SampleRepository.Create(_directory);

        Assert.Equal(
            SampleRepository.ModelNames.Order(StringComparer.Ordinal),
            Directory.GetDirectories(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in SampleRepository.ModelNames)
        {
            Assert.True(File.Exists(Path.Combine(_directory, name, "1", "model.onnx")), name);
            Assert.Equal(name != "identity_fp32", File.Exists(Path.Combine(_directory, name, "config.pbtxt")));
        }

        Assert.Equal(["config.pbtxt", "labels.txt"], Directory.GetFiles(Path.Combine(_directory, "iris")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "identity_fp32")));
    }

    [Fact]
    public void Create_Twice_LeavesExistingFilesAloneUnlessOverwrite()
    {
        SampleRepository.Create(_directory);
        var config = Path.Combine(_directory, "simple", "config.pbtxt");
        var model = Path.Combine(_directory, "identity_fp32", "1", "model.onnx");
        File.WriteAllText(config, "edited");
        File.WriteAllText(model, "edited");
        Directory.Delete(Path.Combine(_directory, "iris"), recursive: true);

        SampleRepository.Create(_directory);

        Assert.Equal("edited", File.ReadAllText(config));
        Assert.Equal("edited", File.ReadAllText(model));
        Assert.True(File.Exists(Path.Combine(_directory, "iris", "1", "model.onnx")));

        SampleRepository.Create(_directory, overwrite: true);

        Assert.StartsWith("name: \"simple\"", File.ReadAllText(config), StringComparison.Ordinal);
        Assert.Equal("identity_fp32", ModelProto.Parser.ParseFrom(File.ReadAllBytes(model)).Graph.Name);
    }

    [Fact]
    public void CreateModel_OneName_WritesOnlyThatModel()
    {
        SampleRepository.CreateModel(_directory, "simple_string");

        Assert.Equal(["simple_string"], Directory.GetDirectories(_directory).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(_directory, "simple_string", "1", "model.onnx")));
    }

    [Fact]
    public void CreateModel_UnknownName_ThrowsNamingKnownModels()
    {
        var error = Assert.Throws<ArgumentException>(() => SampleRepository.CreateModel(_directory, "resnet50"));

        Assert.Contains("'resnet50'", error.Message, StringComparison.Ordinal);
        Assert.Contains("simple_identity", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "resnet50")));
    }

    [Fact]
    public void SimpleConfig_Text_HasTritonFields()
    {
        SampleRepository.CreateModel(_directory, "simple");

        var config = File.ReadAllText(Path.Combine(_directory, "simple", "config.pbtxt"));

        const string expected = """
            name: "simple"
            platform: "onnxruntime_onnx"
            max_batch_size: 8
            input [
              {
                name: "INPUT0"
                data_type: TYPE_INT32
                dims: [ 16 ]
              },
              {
                name: "INPUT1"
                data_type: TYPE_INT32
                dims: [ 16 ]
              }
            ]
            output [
              {
                name: "OUTPUT0"
                data_type: TYPE_INT32
                dims: [ 16 ]
              },
              {
                name: "OUTPUT1"
                data_type: TYPE_INT32
                dims: [ 16 ]
              }
            ]

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), config);
    }

    [Theory]
    [InlineData("simple_int8", "TYPE_INT8", "16")]
    [InlineData("simple_string", "TYPE_STRING", "16")]
    [InlineData("simple_identity", "TYPE_STRING", "-1")]
    public void Config_OtherSamples_HaveTypeDimsAndBatch(string model, string type, string dims)
    {
        SampleRepository.CreateModel(_directory, model);

        var config = File.ReadAllText(Path.Combine(_directory, model, "config.pbtxt"));

        Assert.StartsWith($"name: \"{model}\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n", config, StringComparison.Ordinal);
        Assert.Contains($"name: \"INPUT0\"\n    data_type: {type}\n    dims: [ {dims} ]\n", config, StringComparison.Ordinal);
        Assert.Contains($"name: \"OUTPUT0\"\n    data_type: {type}\n    dims: [ {dims} ]\n", config, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simple", "Add,Sub")]
    [InlineData("simple_int8", "Add,Sub")]
    [InlineData("simple_string", "Cast,Cast,Add,Sub,Cast,Cast")]
    [InlineData("simple_identity", "Identity")]
    [InlineData("identity_fp32", "Identity")]
    [InlineData("iris", "Sub,Div,MatMul,Add,Softmax")]
    [InlineData("accumulator", "Cast,Add,Where,Identity")]
    public void Model_Proto_HasProducerOpsetAndBatchDim(string name, string ops)
    {
        SampleRepository.CreateModel(_directory, name);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(_directory, name, "1", "model.onnx")));

        Assert.Equal("turbine-samples", model.ProducerName);
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal(ops, string.Join(",", model.Graph.Node.Select(node => node.OpType)));
        Assert.All(model.Graph.Input.Concat(model.Graph.Output), value => Assert.Equal("batch", value.Type.TensorType.Shape.Dim[0].DimParam));
    }
}
