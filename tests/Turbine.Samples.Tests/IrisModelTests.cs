using Microsoft.ML.OnnxRuntime.Tensors;

namespace Turbine.Samples.Tests;

public sealed class IrisModelTests(TempRepository repository) : IClassFixture<TempRepository>
{
    private static readonly string[] Output = ["probabilities"];

    [Fact]
    public void TrainIris_ShippedData_AccurateAndDeterministic()
    {
        var model = SampleRepository.TrainIris();
        var again = SampleRepository.TrainIris();

        Assert.InRange(model.TrainingAccuracy, 0.95, 1.0);
        Assert.Equal(["setosa", "versicolor", "virginica"], model.ClassNames);
        Assert.Equal(4 * 3, model.Weights.Length);
        Assert.Equal(model.Weights, again.Weights);
        Assert.Equal(model.Bias, again.Bias);
    }

    [Fact]
    public void IrisOnnx_WholeDataSetAsOneBatch_MatchesCSharpModelAndIsAccurate()
    {
        var data = IrisDataSet.Load();
        var model = SampleRepository.TrainIris();
        var features = data.Features.SelectMany(row => row).ToArray();
        using var runner = new OrtRunner(repository.ModelPath("iris"));

        using var results = runner.Run(Output, ("input", OrtRunner.Tensor(features, data.Count, 4)));

        Assert.Equal([data.Count, 3L], results[0].GetTensorTypeAndShape().Shape);
        var probabilities = results[0].GetTensorDataAsSpan<float>().ToArray();
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            var row = probabilities.AsSpan(i * 3, 3).ToArray();
            var expected = model.PredictProbabilities(data.Features[i]);
            for (var k = 0; k < 3; k++)
            {
                Assert.Equal(expected[k], row[k], 1e-5f);
            }

            Assert.Equal(1f, row.Sum(), 1e-5f);
            correct += Array.IndexOf(row, row.Max()) == data.Labels[i] ? 1 : 0;
        }

        Assert.InRange((double)correct / data.Count, 0.95, 1.0);
        Assert.Equal(model.TrainingAccuracy, (double)correct / data.Count);
    }

    [Fact]
    public void IrisOnnx_SingleSamples_PredictTheirClass()
    {
        float[] setosa = [5.1f, 3.5f, 1.4f, 0.2f], versicolor = [6.4f, 3.2f, 4.5f, 1.5f], virginica = [7.7f, 3.0f, 6.1f, 2.3f];
        using var runner = new OrtRunner(repository.ModelPath("iris"));

        int Classify(float[] sample)
        {
            using var results = runner.Run(Output, ("input", OrtRunner.Tensor(sample, 1, 4)));
            var row = results[0].GetTensorDataAsSpan<float>().ToArray();
            return Array.IndexOf(row, row.Max());
        }

        Assert.Equal([0, 1, 2], new[] { Classify(setosa), Classify(versicolor), Classify(virginica) });
    }

    [Fact]
    public void IrisOnnx_Metadata_HasDynamicBatchAndNamedTensors()
    {
        using var runner = new OrtRunner(repository.ModelPath("iris"));

        var input = Assert.Single(runner.Session.InputMetadata);
        var output = Assert.Single(runner.Session.OutputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 4], input.Value.Dimensions);
        Assert.Equal(["batch", ""], input.Value.SymbolicDimensions);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal("probabilities", output.Key);
        Assert.Equal([-1, 3], output.Value.Dimensions);
    }

    [Fact]
    public void Iris_LabelsFile_ClassNamesInIndexOrder()
    {
        var text = File.ReadAllText(repository.FilePath("iris", "labels.txt"));

        Assert.Equal("setosa\nversicolor\nvirginica\n", text);
    }

    [Fact]
    public void Iris_Config_HasBatchDimsAndLabelFile()
    {
        var config = File.ReadAllText(repository.FilePath("iris", "config.pbtxt"));

        Assert.Contains("max_batch_size: 64\n", config, StringComparison.Ordinal);
        Assert.Contains("name: \"input\"\n    data_type: TYPE_FP32\n    dims: [ 4 ]\n", config, StringComparison.Ordinal);
        Assert.Contains(
            "name: \"probabilities\"\n    data_type: TYPE_FP32\n    dims: [ 3 ]\n    label_filename: \"labels.txt\"\n",
            config,
            StringComparison.Ordinal);
    }
}
