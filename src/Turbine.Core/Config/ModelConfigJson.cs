using System.Text;
using System.Text.Json;

namespace Turbine.Core.Config;

/// <summary>
/// Reads and writes model configs in the protobuf JSON mapping. Reading accepts proto (snake_case) and
/// lowerCamelCase names, int64 as numbers or strings, enums as names or numbers and maps as objects, and checks
/// the same schema as <see cref="ModelConfigText"/>. Writing uses Triton's style (snake_case, enum names,
/// int64 as numbers); see <c>ModelConfigJson.Write.cs</c>.
/// </summary>
public static partial class ModelConfigJson
{
    /// <exception cref="ModelConfigException">Invalid JSON or a field that is unknown, unsupported or mistyped.</exception>
    public static ModelConfig Parse(string json, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourcePath);
        return ConfigBinder.Bind(JsonTreeReader.Parse(json, sourcePath), sourcePath);
    }

    /// <summary>The config as compact JSON in Triton's style.</summary>
    public static string ToJson(ModelConfig config)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(config, writer);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
