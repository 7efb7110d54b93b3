using System.Text;

namespace Turbine.Server.Tests.Http;

/// <summary>Builds binary-extension bodies by hand: JSON header bytes followed by raw sections.</summary>
internal static class BinaryBody
{
    public static (byte[] Body, int HeaderLength) Build(string json, params byte[][] sections)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var body = new byte[header.Length + sections.Sum(s => s.Length)];
        header.CopyTo(body, 0);
        var offset = header.Length;
        foreach (var s in sections)
        {
            s.CopyTo(body, offset);
            offset += s.Length;
        }

        return (body, header.Length);
    }

    public static byte[] Int32s(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static byte[] Strings(params string[] values)
    {
        using var ms = new MemoryStream();
        foreach (var v in values)
        {
            var b = Encoding.UTF8.GetBytes(v);
            ms.Write(BitConverter.GetBytes(b.Length));
            ms.Write(b);
        }

        return ms.ToArray();
    }

    /// <summary>Splits a binary response into its JSON header and the bytes after it.</summary>
    public static async Task<(System.Text.Json.JsonElement Header, byte[] Tail)> ReadAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var length = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values)
            ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture)
            : bytes.Length;
        using var doc = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(0, length));
        return (doc.RootElement.Clone(), bytes[length..]);
    }
}
