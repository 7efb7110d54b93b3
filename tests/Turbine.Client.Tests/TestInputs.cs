using System.Buffers.Binary;

namespace Turbine.Client.Tests;

/// <summary>Two-or-three element inputs of each fixed-size datatype, with the JSON their values print as.</summary>
internal static class TestInputs
{
    public static InferInput Create(string datatype) => datatype switch
    {
        "BOOL" => new InferInput("T", [3], datatype).SetData([true, false, true]),
        "UINT8" => new InferInput("T", [2], datatype).SetData(new byte[] { 0, 255 }),
        "INT8" => new InferInput("T", [2], datatype).SetData(new sbyte[] { -128, 127 }),
        "UINT16" => new InferInput("T", [2], datatype).SetData(new ushort[] { 0, 65535 }),
        "INT16" => new InferInput("T", [2], datatype).SetData(new short[] { short.MinValue, short.MaxValue }),
        "UINT32" => new InferInput("T", [2], datatype).SetData(new uint[] { 0, uint.MaxValue }),
        "INT32" => new InferInput("T", [2], datatype).SetData([int.MinValue, int.MaxValue]),
        "UINT64" => new InferInput("T", [2], datatype).SetData(new ulong[] { 0, ulong.MaxValue }),
        "INT64" => new InferInput("T", [2], datatype).SetData([long.MinValue, long.MaxValue]),
        "FP16" => new InferInput("T", [2], datatype).SetData([(Half)0.5, (Half)(-2.25)]),
        "BF16" => new InferInput("T", [2], datatype).SetRaw(Bf16Bytes(1.5f, -0.375f)),
        "FP32" => new InferInput("T", [2], datatype).SetData([0.1f, -3.5f]),
        "FP64" => new InferInput("T", [2], datatype).SetData([0.1, 1e300]),
        _ => throw new ArgumentException(datatype, nameof(datatype)),
    };

    /// <summary>bfloat16 = the upper 16 bits of the float (exact for these test values).</summary>
    public static byte[] Bf16Bytes(params float[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
        }

        return bytes;
    }
}
