namespace Turbine.Samples.Tests;

public sealed class IdentityModelTests(TempRepository repository) : IClassFixture<TempRepository>
{
    private static readonly string[] Output = ["OUTPUT0"];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 5)]
    [InlineData(3, 2)]
    [InlineData(8, 7)]
    public void SimpleIdentity_StringsOfShape_ReturnedUnchanged(int batch, int n)
    {
        var data = Enumerable.Range(0, batch * n).Select(i => i % 3 == 0 ? string.Empty : $"élément {i} ✓ {new string('x', i)}").ToArray();
        using var runner = new OrtRunner(repository.ModelPath("simple_identity"));

        using var results = runner.Run(Output, ("INPUT0", OrtRunner.Strings(data, batch, n)));

        Assert.Equal([batch, (long)n], results[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(data, results[0].GetStringTensorAsArray());
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(4, 10)]
    public void IdentityFp32_Floats_ReturnedUnchanged(int batch, int n)
    {
        var data = Enumerable.Range(0, batch * n).Select(i => (i - 7) * 0.37f).ToArray();
        data[0] = float.NegativeInfinity;
        using var runner = new OrtRunner(repository.ModelPath("identity_fp32"));

        using var results = runner.Run(Output, ("INPUT0", OrtRunner.Tensor(data, batch, n)));

        Assert.Equal([batch, (long)n], results[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(data, results[0].GetTensorDataAsSpan<float>().ToArray());
    }
}
