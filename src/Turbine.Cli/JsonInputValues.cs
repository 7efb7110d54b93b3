using System.Text.Json;
using Turbine.Client;

namespace Turbine.Cli;

/// <summary>Fills an <see cref="InferInput"/> from flat JSON values (shared by <c>turbine infer</c> and <c>turbine bench</c>).</summary>
internal static class JsonInputValues
{
    public static void Set(InferInput input, IReadOnlyList<JsonElement> v)
    {
        switch (input.Datatype)
        {
            case "BOOL": input.SetData(v.Select(e => e.ValueKind == JsonValueKind.Number ? e.GetInt32() != 0 : e.GetBoolean()).ToArray()); break;
            case "UINT8": input.SetData(v.Select(e => e.GetByte()).ToArray()); break;
            case "INT8": input.SetData(v.Select(e => e.GetSByte()).ToArray()); break;
            case "UINT16": input.SetData(v.Select(e => e.GetUInt16()).ToArray()); break;
            case "INT16": input.SetData(v.Select(e => e.GetInt16()).ToArray()); break;
            case "UINT32": input.SetData(v.Select(e => e.GetUInt32()).ToArray()); break;
            case "INT32": input.SetData(v.Select(e => e.GetInt32()).ToArray()); break;
            case "UINT64": input.SetData(v.Select(e => e.GetUInt64()).ToArray()); break;
            case "INT64": input.SetData(v.Select(e => e.GetInt64()).ToArray()); break;
            case "FP16": input.SetData(v.Select(e => (Half)e.GetDouble()).ToArray()); break;
            case "FP32": input.SetData(v.Select(e => e.GetSingle()).ToArray()); break;
            case "FP64": input.SetData(v.Select(e => e.GetDouble()).ToArray()); break;
            case "BF16": input.SetData(v.Select(e => (ushort)(BitConverter.SingleToUInt32Bits(e.GetSingle()) >> 16)).ToArray()); break;
            case "BYTES": input.SetStrings(v.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList()); break;
            default: throw new ArgumentException($"input '{input.Name}': datatype {input.Datatype} cannot be given as JSON values");
        }
    }
}
