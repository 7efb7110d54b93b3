using System.Buffers;
using System.Text.Json;
using Turbine.Protocol;

namespace Turbine.Gateway.Transforms;

/// <summary>The binary section after the JSON header: each BYTES element as a 4-byte little-endian length and its bytes.</summary>
internal sealed class V1BinaryValues(long limit)
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public ArrayBufferWriter<byte> Buffer { get; } = new();

    public int Written => Buffer.WrittenCount;

    /// <summary>Some input was written here (even one of empty elements only).</summary>
    public bool Used { get; set; }

    /// <summary>Appends one element; null when it was written, otherwise what is wrong with it (nothing appended).</summary>
    public V1Error? Append(JsonElement element, string input, int instance)
    {
        string text;
        bool base64;
        if (V1RequestTranslator.IsB64(element))
        {
            var value = element.GetProperty("b64");
            if (value.ValueKind != JsonValueKind.String)
            {
                return new V1Error(400, $"input '{input}': instance {instance} has {{\"b64\": {V1RequestTranslator.Kind(value)}}}; expected a base64 string");
            }

            text = value.GetString()!;
            base64 = true;
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            text = element.GetString()!;
            base64 = false;
        }
        else
        {
            return new V1Error(400, $"input '{input}': instance {instance} has {V1RequestTranslator.Kind(element)} where a string or {{\"b64\": ...}} was expected");
        }

        // The most this element can take, known before a byte is decoded: 3 bytes per 4 base64 characters,
        // at most 3 UTF-8 bytes per UTF-16 character.
        var most = base64 ? (long)text.Length / 4 * 3 + 3 : (long)text.Length * 3;
        if (Written + 4 + most > limit)
        {
            return new V1Error(413, $"input '{input}': the decoded values are over the {limit}-byte limit of a KServe v1 request");
        }

        var span = Buffer.GetSpan((int)(4 + most));
        int length;
        if (base64)
        {
            if (!Convert.TryFromBase64String(text, span[4..], out length))
            {
                return new V1Error(400, $"input '{input}': instance {instance} has a \"b64\" value that is not valid base64");
            }
        }
        else
        {
            try
            {
                length = StrictUtf8.GetBytes(text, span[4..]);
            }
            catch (System.Text.EncoderFallbackException)
            {
                return new V1Error(400, $"input '{input}': instance {instance} is not valid text (a lone surrogate); send arbitrary bytes as {{\"b64\": ...}}");
            }
        }

        Buffer.Advance(BytesTensor.WriteLengthPrefix(span, length));
        return null;
    }
}
