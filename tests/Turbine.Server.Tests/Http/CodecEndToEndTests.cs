using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Turbine.Client;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary>A server over <see cref="IdentityRepository"/>: one identity model per datatype.</summary>
public sealed class IdentityServerFixture : IAsyncLifetime
{
    private string _repository = "";

    public TurbineServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _repository = Path.Combine(Path.GetTempPath(), "turbine-tests", "codec-" + Guid.NewGuid().ToString("N"));
        IdentityRepository.Create(_repository);
        Server = await TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = _repository, ControlMode = ModelControlMode.None, PollInterval = TimeSpan.FromSeconds(15) },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                MaxRequestBodyBytes = 1L << 30,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        Http = new HttpClient { BaseAddress = Server.HttpAddress, Timeout = TimeSpan.FromMinutes(3) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_repository, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class CodecEndToEndTests(IdentityServerFixture fixture) : IClassFixture<IdentityServerFixture>
{
    private static readonly string[] Strings = ["", "hello", "h\u00e9llo \u65e5\u672c \U0001F600", "", "a\"b\\c\n"];

    public static TheoryData<TensorDataType> AllTypes() => new(TensorDataTypes.All());

    /// <summary>Edge values of each type, as raw little-endian bytes and element count.</summary>
    private static (byte[] Raw, int Count) Edges(TensorDataType type) => type switch
    {
        TensorDataType.Bool => ([1, 0, 1, 0], 4),
        TensorDataType.UInt8 => Raw<byte>([0, byte.MaxValue, 1, 128]),
        TensorDataType.Int8 => Raw<sbyte>([sbyte.MinValue, sbyte.MaxValue, 0, -1]),
        TensorDataType.UInt16 => Raw<ushort>([0, ushort.MaxValue, 1, 258]),
        TensorDataType.Int16 => Raw<short>([short.MinValue, short.MaxValue, 0, -1]),
        TensorDataType.UInt32 => Raw<uint>([0, uint.MaxValue, 1, 16909060]),
        TensorDataType.Int32 => Raw<int>([int.MinValue, int.MaxValue, 0, -1]),
        TensorDataType.UInt64 => Raw<ulong>([0, ulong.MaxValue, 1, 1UL << 63]),
        TensorDataType.Int64 => Raw<long>([long.MinValue, long.MaxValue, 0, -1]),
        TensorDataType.FP16 => Raw<Half>([(Half)0, BitConverter.Int16BitsToHalf(unchecked((short)0x8000)), Half.Epsilon, BitConverter.Int16BitsToHalf(0x03FF), Half.MaxValue, Half.MinValue, (Half)(1.0 / 3), (Half)0.1]),
        TensorDataType.BF16 => Raw<ushort>([0x0000, 0x8000, 0x0001, 0x007F, 0x7F7F, 0xFF7F, 0x3EAB, 0x3F80]),
        TensorDataType.FP32 => Raw<float>([0f, -0f, float.Epsilon, 1.1754942E-38f, float.MaxValue, -float.MaxValue, 1f / 3, 16777217f, 1e-30f]),
        TensorDataType.FP64 => Raw<double>([0d, -0d, double.Epsilon, 2.2250738585072009E-308, double.MaxValue, double.MinValue, 1d / 3, 1e300]),
        TensorDataType.Bytes => (BinaryBody.Strings(Strings), Strings.Length),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static (byte[], int) Raw<T>(T[] values)
        where T : unmanaged => (MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), values.Length);

    /// <summary>The raw bytes as JSON literals, each of which reads back to exactly those bytes.</summary>
    private static string JsonLiterals(TensorDataType type, byte[] raw)
    {
        if (type == TensorDataType.Bytes)
        {
            return JsonSerializer.Serialize(BytesTensor.ToStrings(raw));
        }

        var size = type.ElementSize();
        var parts = new List<string>();
        for (var i = 0; i < raw.Length; i += size)
        {
            var s = raw.AsSpan(i, size);
            parts.Add(type switch
            {
                TensorDataType.Bool => s[0] != 0 ? "true" : "false",
                TensorDataType.UInt8 => s[0].ToString(CultureInfo.InvariantCulture),
                TensorDataType.Int8 => ((sbyte)s[0]).ToString(CultureInfo.InvariantCulture),
                TensorDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s).ToString(CultureInfo.InvariantCulture),
                TensorDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(s).ToString(CultureInfo.InvariantCulture),
                TensorDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s).ToString(CultureInfo.InvariantCulture),
                TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(s).ToString(CultureInfo.InvariantCulture),
                TensorDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(s).ToString(CultureInfo.InvariantCulture),
                TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(s).ToString(CultureInfo.InvariantCulture),
                TensorDataType.FP16 => ((float)BinaryPrimitives.ReadHalfLittleEndian(s)).ToString("R", CultureInfo.InvariantCulture),
                TensorDataType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s) << 16).ToString("R", CultureInfo.InvariantCulture),
                TensorDataType.FP32 => BinaryPrimitives.ReadSingleLittleEndian(s).ToString("R", CultureInfo.InvariantCulture),
                TensorDataType.FP64 => BinaryPrimitives.ReadDoubleLittleEndian(s).ToString("R", CultureInfo.InvariantCulture),
                _ => throw new ArgumentOutOfRangeException(nameof(type)),
            });
        }

        return "[" + string.Join(",", parts) + "]";
    }

    /// <summary>A response's JSON data array back to raw bytes, reading each value as its type.</summary>
    private static byte[] FromJson(TensorDataType type, JsonElement data)
    {
        if (type == TensorDataType.Bytes)
        {
            return BinaryBody.Strings([.. data.EnumerateArray().Select(e => e.GetString()!)]);
        }

        var size = type.ElementSize();
        var raw = new byte[data.GetArrayLength() * size];
        var i = 0;
        foreach (var e in data.EnumerateArray())
        {
            var s = raw.AsSpan(i * size, size);
            switch (type)
            {
                case TensorDataType.Bool: s[0] = e.GetBoolean() ? (byte)1 : (byte)0; break;
                case TensorDataType.UInt8: s[0] = e.GetByte(); break;
                case TensorDataType.Int8: s[0] = unchecked((byte)e.GetSByte()); break;
                case TensorDataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(s, e.GetUInt16()); break;
                case TensorDataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(s, e.GetInt16()); break;
                case TensorDataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(s, e.GetUInt32()); break;
                case TensorDataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(s, e.GetInt32()); break;
                case TensorDataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(s, e.GetUInt64()); break;
                case TensorDataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(s, e.GetInt64()); break;
                case TensorDataType.FP16: BinaryPrimitives.WriteHalfLittleEndian(s, (Half)e.GetDouble()); break;
                case TensorDataType.BF16: BinaryPrimitives.WriteUInt16LittleEndian(s, HalfCodec.DoubleToBf16(e.GetDouble())); break;
                case TensorDataType.FP32: BinaryPrimitives.WriteSingleLittleEndian(s, e.GetSingle()); break;
                case TensorDataType.FP64: BinaryPrimitives.WriteDoubleLittleEndian(s, e.GetDouble()); break;
            }

            i++;
        }

        return raw;
    }

    private static string Path(TensorDataType type) => $"/v2/models/{IdentityRepository.ModelName(type)}/infer";

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Infer_JsonInJsonOut_EdgeValuesComeBackExactly(TensorDataType type)
    {
        var (raw, count) = Edges(type);
        var body = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,{count}],\"datatype\":\"{type.ToWireName()}\",\"data\":{JsonLiterals(type, raw)}}}]}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Http.PostAsync(Path(type), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal("OUTPUT0", output.GetProperty("name").GetString());
        Assert.Equal(type.ToWireName(), output.GetProperty("datatype").GetString());
        Assert.Equal([1L, count], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(raw, FromJson(type, output.GetProperty("data")));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Infer_BinaryInBinaryOut_IsBitExact(TensorDataType type)
    {
        var (raw, count) = Edges(type);
        if (type is TensorDataType.FP32)
        {
            // Binary carries what JSON cannot: NaN payloads and infinities.
            raw = [.. raw, .. BinaryBody.Floats(float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC12345))];
            count += 4;
        }

        var json = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,{count}],\"datatype\":\"{type.ToWireName()}\",\"parameters\":{{\"binary_data_size\":{raw.Length}}}}}]," +
            "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}}]}";
        var (body, headerLength) = BinaryBody.Build(json, raw);
        using var response = await PostBinaryAsync(Path(type), body, headerLength);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var (header, tail) = await BinaryBody.ReadAsync(response);
        var output = header.GetProperty("outputs")[0];
        Assert.Equal(raw.Length, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(output.TryGetProperty("data", out _));
        Assert.Equal([1L, count], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(raw, tail);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Client_SetDataAndAsArray_RoundTripEveryType(TensorDataType type)
    {
        var (raw, count) = Edges(type);
        using var client = new TurbineHttpClient(fixture.Http);
        var input = new InferInput("INPUT0", [1, count], type.ToWireName());
        Func<InferOutput, byte[]> read;
        switch (type)
        {
            case TensorDataType.Bytes:
                input.SetStrings(Strings);
                read = o =>
                {
                    Assert.Equal(Strings, o.AsStrings());
                    return BinaryBody.Strings(o.AsStrings());
                };
                break;
            case TensorDataType.Bool:
                input.SetData(raw.Select(b => b != 0).ToArray());
                read = o => [.. o.AsArray<bool>().Select(b => b ? (byte)1 : (byte)0)];
                break;
            case TensorDataType.UInt8: (input, read) = Typed<byte>(input, raw); break;
            case TensorDataType.Int8: (input, read) = Typed<sbyte>(input, raw); break;
            case TensorDataType.UInt16: (input, read) = Typed<ushort>(input, raw); break;
            case TensorDataType.Int16: (input, read) = Typed<short>(input, raw); break;
            case TensorDataType.UInt32: (input, read) = Typed<uint>(input, raw); break;
            case TensorDataType.Int32: (input, read) = Typed<int>(input, raw); break;
            case TensorDataType.UInt64: (input, read) = Typed<ulong>(input, raw); break;
            case TensorDataType.Int64: (input, read) = Typed<long>(input, raw); break;
            case TensorDataType.FP16: (input, read) = Typed<Half>(input, raw); break;
            case TensorDataType.BF16: (input, read) = Typed<ushort>(input, raw); break;
            case TensorDataType.FP32: (input, read) = Typed<float>(input, raw); break;
            case TensorDataType.FP64: (input, read) = Typed<double>(input, raw); break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }

        // Binary both ways (the client's default), then JSON both ways.
        var binary = await client.InferAsync(IdentityRepository.ModelName(type), [input]);
        var output = binary.GetOutput("OUTPUT0");
        Assert.Equal(type.ToWireName(), output.Datatype);
        Assert.Equal([1L, count], output.Shape);
        Assert.Equal(raw, read(output));

        input.Binary = false;
        var json = await client.InferAsync(
            IdentityRepository.ModelName(type), [input], [new InferRequestedOutput("OUTPUT0", binary: false)], new InferOptions { JsonOnly = true });
        Assert.Equal(raw, read(json.GetOutput("OUTPUT0")));
    }

    private static (InferInput, Func<InferOutput, byte[]>) Typed<T>(InferInput input, byte[] raw)
        where T : unmanaged
    {
        input.SetData(MemoryMarshal.Cast<byte, T>(raw).ToArray());
        return (input, o => MemoryMarshal.AsBytes(o.AsArray<T>().AsSpan()).ToArray());
    }

    [Fact]
    public async Task Infer_100MegabyteFp32_BinaryRoundTripIsBitExact_AndServerKeepsServing()
    {
        const int count = 26_214_400; // 100 MiB of FP32
        var json = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,{count}],\"datatype\":\"FP32\",\"parameters\":{{\"binary_data_size\":{count * 4}}}}}]," +
            "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}}]}";
        var header = Encoding.UTF8.GetBytes(json);
        var body = new byte[header.Length + (count * 4)];
        header.CopyTo(body, 0);
        new Random(42).NextBytes(body.AsSpan(header.Length));
        using (var response = await PostBinaryAsync(Path(TensorDataType.FP32), body, header.Length))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), CultureInfo.InvariantCulture);
            using var doc = JsonDocument.Parse(bytes.AsMemory(0, headerLength));
            Assert.Equal(count * 4, doc.RootElement.GetProperty("outputs")[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
            Assert.Equal(count * 4, bytes.Length - headerLength);
            Assert.True(bytes.AsSpan(headerLength).SequenceEqual(body.AsSpan(header.Length)), "100 MB output differs from input");
        }

        body = null;
        using var small = new StringContent(
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,-5]}]}", Encoding.UTF8, "application/json");
        using var after = await fixture.Http.PostAsync(Path(TensorDataType.Int32), small);
        Assert.True(after.IsSuccessStatusCode);
        using var afterDoc = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        Assert.Equal([5, -5], afterDoc.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [InlineData(TensorDataType.UInt8, "256")]
    [InlineData(TensorDataType.Int64, "9223372036854775808")]
    [InlineData(TensorDataType.Int32, "1.5")]
    [InlineData(TensorDataType.FP16, "70000")]
    [InlineData(TensorDataType.Bytes, "1")]
    public async Task Infer_BadJsonValue_Is400NamingInputAndElement(TensorDataType type, string bad)
    {
        var body = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"{type.ToWireName()}\",\"data\":[{(type == TensorDataType.Bytes ? "\"a\"" : "0")},{bad}]}}]}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Http.PostAsync(Path(type), content);
        Assert.Equal(400, (int)response.StatusCode);
        var error = (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString();
        Assert.Contains("input 'INPUT0': element 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_BinarySizesThatWrapAround_Is400()
    {
        var json = "{\"inputs\":[" +
            "{\"name\":\"INPUT0\",\"shape\":[1,1],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":9223372036854775807}}," +
            "{\"name\":\"INPUT1\",\"shape\":[1,1],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":9223372036854775807}}," +
            "{\"name\":\"INPUT2\",\"shape\":[1,2],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":2}}]}";
        var header = Encoding.UTF8.GetBytes(json);
        using var response = await PostBinaryAsync(Path(TensorDataType.UInt8), header, header.Length);
        Assert.Equal(400, (int)response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostBinaryAsync(string path, byte[] body, int headerLength)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add("Inference-Header-Content-Length", headerLength.ToString(CultureInfo.InvariantCulture));
        return await fixture.Http.SendAsync(request);
    }
}
