using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Turbine.Samples.Tests;

public sealed class SimpleModelTests(TempRepository repository) : IClassFixture<TempRepository>
{
    private static readonly string[] Outputs = ["OUTPUT0", "OUTPUT1"];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Simple_Batch_ComputesSumAndDifference(int batch)
    {
        var a = Enumerable.Range(0, batch * 16).Select(i => i * 3 - 20).ToArray();
        var b = Enumerable.Range(0, batch * 16).Select(i => 7 - i).ToArray();
        using var runner = new OrtRunner(repository.ModelPath("simple"));

        using var results = runner.Run(Outputs, ("INPUT0", OrtRunner.Tensor(a, batch, 16)), ("INPUT1", OrtRunner.Tensor(b, batch, 16)));

        Assert.Equal([batch, 16L], results[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y), results[0].GetTensorDataAsSpan<int>().ToArray());
        Assert.Equal(a.Zip(b, (x, y) => x - y), results[1].GetTensorDataAsSpan<int>().ToArray());
    }

    [Fact]
    public void SimpleInt8_IncludingOverflow_WrapsLikeCpp()
    {
        const int batch = 2;
        var a = Enumerable.Range(0, batch * 16).Select(i => (sbyte)(i * 9 - 128)).ToArray();
        var b = Enumerable.Range(0, batch * 16).Select(i => (sbyte)(50 - i * 5)).ToArray();
        a[0] = 127;
        b[0] = 1; // 127 + 1 wraps to -128, 127 - 1 = 126
        a[1] = -128;
        b[1] = 1; // -128 + 1 = -127, -128 - 1 wraps to 127
        using var runner = new OrtRunner(repository.ModelPath("simple_int8"));

        using var results = runner.Run(Outputs, ("INPUT0", OrtRunner.Tensor(a, batch, 16)), ("INPUT1", OrtRunner.Tensor(b, batch, 16)));

        var sum = results[0].GetTensorDataAsSpan<sbyte>().ToArray();
        var difference = results[1].GetTensorDataAsSpan<sbyte>().ToArray();
        Assert.Equal(TensorElementType.Int8, results[0].GetTensorTypeAndShape().ElementDataType);
        Assert.Equal(a.Zip(b, (x, y) => unchecked((sbyte)(x + y))), sum);
        Assert.Equal(a.Zip(b, (x, y) => unchecked((sbyte)(x - y))), difference);
        Assert.Equal([(sbyte)-128, (sbyte)-127], sum[..2]);
        Assert.Equal([(sbyte)126, (sbyte)127], difference[..2]);
    }

    [Fact]
    public void SimpleString_NegativeNumbers_ReturnsDecimalSumAndDifference()
    {
        const int batch = 2;
        var a = Enumerable.Range(0, batch * 16).Select(i => i * 37 - 500).ToArray();
        var b = Enumerable.Range(0, batch * 16).Select(i => 11 - i * i).ToArray();
        a[0] = -2_000_000_000;
        b[0] = 1;
        using var runner = new OrtRunner(repository.ModelPath("simple_string"));

        using var results = runner.Run(
            Outputs,
            ("INPUT0", OrtRunner.Strings(a.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(), batch, 16)),
            ("INPUT1", OrtRunner.Strings(b.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(), batch, 16)));

        Assert.Equal([batch, 16L], results[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(a.Zip(b, (x, y) => (x + y).ToString(CultureInfo.InvariantCulture)), results[0].GetStringTensorAsArray());
        Assert.Equal(a.Zip(b, (x, y) => (x - y).ToString(CultureInfo.InvariantCulture)), results[1].GetStringTensorAsArray());
        Assert.Equal("-1999999999", results[0].GetStringTensorAsArray()[0]);
    }
}
