namespace Turbine.Samples.Tests;

public sealed class AccumulatorModelTests(TempRepository repository) : IClassFixture<TempRepository>
{
    private static readonly string[] Outputs = ["OUTPUT", "STATE_OUT"];

    [Fact]
    public void Accumulator_StartAndCarriedState_AddsOrResetsPerItem()
    {
        using var runner = new OrtRunner(repository.ModelPath("accumulator"));

        using var results = runner.Run(
            Outputs,
            ("INPUT", OrtRunner.Tensor(new[] { 5, 7, -3 }, 3, 1)),
            ("STATE_IN", OrtRunner.Tensor(new[] { 100, 200, 300 }, 3, 1)),
            ("START", OrtRunner.Tensor(new[] { 0, 1, 0 }, 3, 1)));

        Assert.Equal([105, 7, 297], results[0].GetTensorDataAsSpan<int>().ToArray());
        Assert.Equal([105, 7, 297], results[1].GetTensorDataAsSpan<int>().ToArray());
        Assert.Equal([3L, 1], results[0].GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void Accumulator_Config_DeclaresSequenceBatchingWithStartControlAndState()
    {
        var config = File.ReadAllText(Path.Combine(repository.ModelPath("accumulator"), "..", "..", "config.pbtxt"));

        Assert.Contains("max_batch_size: 8", config, StringComparison.Ordinal);
        Assert.Contains("kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ]", config, StringComparison.Ordinal);
        Assert.Contains("input_name: \"STATE_IN\"", config, StringComparison.Ordinal);
        Assert.Contains("output_name: \"STATE_OUT\"", config, StringComparison.Ordinal);
        Assert.Contains("oldest { max_candidate_sequences: 8 }", config, StringComparison.Ordinal);
        Assert.DoesNotContain("name: \"START\"\n    data_type", config, StringComparison.Ordinal);
    }
}
