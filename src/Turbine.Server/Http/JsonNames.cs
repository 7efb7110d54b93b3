using System.Text;
using System.Text.Json;
using Turbine.Core.Tensors;

namespace Turbine.Server.Http;

/// <summary>
/// Property names and datatype names of the inference protocol as shared strings: reading one of them from a
/// request's JSON allocates nothing; other unescaped names come from <see cref="Utf8Strings"/>' bounded cache, the
/// rest are read with <see cref="Utf8JsonReader.GetString"/>.
/// </summary>
internal static class JsonNames
{
    private static readonly (byte[] Utf8, string Text)[] Known =
    [
        .. new[]
        {
            "id", "parameters", "inputs", "outputs", "name", "datatype", "shape", "data",
            "binary_data_size", "binary_data_output", "binary_data", "classification", "priority", "timeout",
        }
        .Concat(TensorDataTypes.All().Select(t => t.ToWireName()))
        .Select(s => (Encoding.UTF8.GetBytes(s), s)),
    ];

    public static string Get(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var value = reader.ValueSpan;
            foreach (var (utf8, text) in Known)
            {
                if (value.SequenceEqual(utf8))
                {
                    return text;
                }
            }

            // Names a model uses on every request (its inputs and outputs) come from a small bounded cache.
            if (System.Text.Unicode.Utf8.IsValid(value))
            {
                return Utf8Strings.Get(value);
            }
        }

        return reader.GetString()!;
    }
}
