using System.Globalization;
using System.Text.Json;
using Turbine.Cli.Bench;
using Turbine.Client;

namespace Turbine.Cli.Tests.Bench;

public sealed class InputDataBuilderTests
{
    private static readonly Dictionary<string, long[]> NoShapes = [];

    private static IReadOnlyList<InferInput> Build(TensorMetadataResult[] inputs, int maxBatch, int batch, Dictionary<string, long[]>? shapes = null,
        InputDataKind kind = InputDataKind.Random, string? file = null) =>
        InputDataBuilder.Build(inputs, maxBatch, batch, shapes ?? NoShapes, kind, new Random(1),
            file is null ? null : JsonDocument.Parse(file).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()), binary: true);

    [Fact]
    public void Build_BatchingModel_PutsBatchSizeFirst()
    {
        var inputs = Build([new("INPUT0", "INT32", [-1, 16]), new("INPUT1", "FP32", [-1, 2, 3])], maxBatch: 8, batch: 4);
        Assert.Equal([4L, 16], inputs[0].Shape);
        Assert.Equal([4L, 2, 3], inputs[1].Shape);
        Assert.Equal("FP32", inputs[1].Datatype);
        Assert.All(inputs, i => Assert.True(i.HasData));
    }

    [Fact]
    public void Build_NonBatchingModel_KeepsShape()
    {
        var inputs = Build([new("x", "FP64", [3, 4])], maxBatch: 0, batch: 1);
        Assert.Equal([3L, 4], inputs[0].Shape);
    }

    [Fact]
    public void Build_VariableDimWithoutShape_NamesInput()
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("TEXT", "BYTES", [-1, -1])], maxBatch: 8, batch: 1));
        Assert.Contains("input 'TEXT'", e.Message);
        Assert.Contains("--shape TEXT:", e.Message);
    }

    [Fact]
    public void Build_VariableDimWithShape_UsesIt()
    {
        var inputs = Build([new("TEXT", "BYTES", [-1, -1])], maxBatch: 8, batch: 2, new() { ["TEXT"] = [5] });
        Assert.Equal([2L, 5], inputs[0].Shape);
    }

    [Fact]
    public void Build_ShapeNotFittingFixedDims_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("INPUT0", "INT32", [-1, 16])], 8, 1, new() { ["INPUT0"] = [15] }));
        Assert.Contains("does not fit", e.Message);
    }

    [Fact]
    public void Build_ShapeForUnknownInput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("INPUT0", "INT32", [-1, 16])], 8, 1, new() { ["NOPE"] = [1] }));
        Assert.Contains("no input 'NOPE'", e.Message);
    }

    [Theory]
    [InlineData(0, 2, "does not batch")]
    [InlineData(8, 9, "max_batch_size is 8")]
    [InlineData(8, 0, "positive integer")]
    public void Build_BadBatchSize_Throws(int maxBatch, int batch, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("INPUT0", "INT32", [-1, 16])], maxBatch, batch));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Build_FileWithOneItem_RepeatsAcrossBatch()
    {
        var values = string.Join(',', Enumerable.Range(0, 16));
        var inputs = Build([new("INPUT0", "INT32", [-1, 16])], 8, 3, kind: InputDataKind.File, file: $"{{\"INPUT0\":[{values}]}}");
        Assert.Equal([3L, 16], inputs[0].Shape);
        Assert.True(inputs[0].HasData);
    }

    [Fact]
    public void Build_FileWrongCount_SaysWhatIsNeeded()
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("INPUT0", "INT32", [-1, 4])], 8, 2, kind: InputDataKind.File, file: "{\"INPUT0\":[1,2,3]}"));
        Assert.Contains("needs 8 values (or 4", e.Message);
    }

    [Fact]
    public void Build_FileMissingInput_NamesIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("INPUT1", "INT32", [2])], 0, 1, kind: InputDataKind.File, file: "{\"INPUT0\":[1,2]}"));
        Assert.Contains("no values for input 'INPUT1'", e.Message);
    }

    [Fact]
    public void Build_FileBadValues_NamesTypeAndInput()
    {
        var e = Assert.Throws<ArgumentException>(() => Build([new("INPUT0", "UINT8", [2])], 0, 1, kind: InputDataKind.File, file: "{\"INPUT0\":[1,300]}"));
        Assert.Contains("input 'INPUT0'", e.Message);
        Assert.Contains("UINT8", e.Message);
    }

    [Theory]
    [InlineData("BOOL", typeof(bool))]
    [InlineData("UINT8", typeof(byte))]
    [InlineData("INT8", typeof(sbyte))]
    [InlineData("UINT16", typeof(ushort))]
    [InlineData("INT16", typeof(short))]
    [InlineData("UINT32", typeof(uint))]
    [InlineData("INT32", typeof(int))]
    [InlineData("UINT64", typeof(ulong))]
    [InlineData("INT64", typeof(long))]
    [InlineData("FP16", typeof(Half))]
    [InlineData("FP32", typeof(float))]
    [InlineData("FP64", typeof(double))]
    [InlineData("BF16", typeof(ushort))]
    [InlineData("BYTES", typeof(string))]
    public void Generate_EveryDatatype_TypedValuesInRange(string datatype, Type element)
    {
        var random = InputDataBuilder.Generate("x", datatype, 500, new Random(42));
        Assert.Equal(element, random.GetType().GetElementType());
        Assert.Equal(500, random.Length);
        var numbers = random.Cast<object>().Select(v => v switch
        {
            bool b => b ? 1.0 : 0.0,
            Half h => (double)h,
            string s => double.Parse(s, CultureInfo.InvariantCulture),
            _ => Convert.ToDouble(v, CultureInfo.InvariantCulture),
        }).ToList();
        if (datatype != "BF16")
        {
            Assert.All(numbers, n => Assert.InRange(n, -50, 999));
        }

        Assert.True(numbers.Distinct().Count() > 1, "random values vary");
        var zero = InputDataBuilder.Generate("x", datatype, 3, random: null);
        Assert.All(zero.Cast<object>(), v => Assert.Equal(datatype == "BYTES" ? "0" : Activator.CreateInstance(element)!, v));
    }

    [Theory]
    [InlineData("BOOL")]
    [InlineData("UINT8")]
    [InlineData("INT8")]
    [InlineData("UINT16")]
    [InlineData("INT16")]
    [InlineData("UINT32")]
    [InlineData("INT32")]
    [InlineData("UINT64")]
    [InlineData("INT64")]
    [InlineData("FP16")]
    [InlineData("FP32")]
    [InlineData("FP64")]
    [InlineData("BF16")]
    [InlineData("BYTES")]
    public void Build_EveryDatatype_RandomAndZeroSetData(string datatype)
    {
        foreach (var kind in new[] { InputDataKind.Random, InputDataKind.Zero })
        {
            var input = Assert.Single(Build([new("x", datatype, [-1, 3])], maxBatch: 4, batch: 2, kind: kind));
            Assert.Equal(datatype, input.Datatype);
            Assert.Equal([2L, 3], input.Shape);
            Assert.True(input.HasData);
        }
    }

    [Fact]
    public void Generate_Bytes_AreShortDecimalStrings()
    {
        var values = (string[])InputDataBuilder.Generate("x", "BYTES", 100, new Random(1));
        Assert.All(values, s => Assert.Matches("^[0-9]{1,3}$", s));
    }

    [Fact]
    public void Generate_SameSeed_SameValues()
    {
        Assert.Equal((float[])InputDataBuilder.Generate("x", "FP32", 10, new Random(5)), (float[])InputDataBuilder.Generate("x", "FP32", 10, new Random(5)));
    }

    [Fact]
    public void Generate_UnknownDatatype_Throws()
    {
        Assert.Throws<ArgumentException>(() => InputDataBuilder.Generate("x", "COMPLEX", 1, null));
    }

    [Theory]
    [InlineData("INPUT0:16", "INPUT0", new long[] { 16 })]
    [InlineData("ns:x:3,224,224", "ns:x", new long[] { 3, 224, 224 })]
    public void ParseShape_Valid(string text, string name, long[] dims)
    {
        var (n, d) = InputDataBuilder.ParseShape(text);
        Assert.Equal(name, n);
        Assert.Equal(dims, d);
    }

    [Theory]
    [InlineData("INPUT0")]
    [InlineData("INPUT0:")]
    [InlineData(":3")]
    [InlineData("INPUT0:3,-1")]
    [InlineData("INPUT0:0")]
    [InlineData("INPUT0:a")]
    public void ParseShape_Invalid_Throws(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => InputDataBuilder.ParseShape(text));
        Assert.Contains("NAME:d1,d2", e.Message);
    }
}
