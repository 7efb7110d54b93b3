using System.Globalization;
using System.Text;

namespace Turbine.Samples;

/// <summary>Writes a Triton model configuration in protobuf text format (<c>config.pbtxt</c>).</summary>
internal static class ModelConfigText
{
    public const string OnnxPlatform = "onnxruntime_onnx";

    public static string Write(string name, int maxBatchSize, IReadOnlyList<ConfigTensor> inputs, IReadOnlyList<ConfigTensor> outputs)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"name: \"{name}\"\n");
        text.Append(CultureInfo.InvariantCulture, $"platform: \"{OnnxPlatform}\"\n");
        text.Append(CultureInfo.InvariantCulture, $"max_batch_size: {maxBatchSize}\n");
        AppendTensors(text, "input", inputs);
        AppendTensors(text, "output", outputs);
        return text.ToString();
    }

    private static void AppendTensors(StringBuilder text, string field, IReadOnlyList<ConfigTensor> tensors)
    {
        text.Append(field).Append(" [\n");
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            text.Append("  {\n");
            text.Append(CultureInfo.InvariantCulture, $"    name: \"{tensor.Name}\"\n");
            text.Append(CultureInfo.InvariantCulture, $"    data_type: {tensor.DataType}\n");
            text.Append(CultureInfo.InvariantCulture, $"    dims: [ {string.Join(", ", tensor.Dims)} ]\n");
            if (tensor.LabelFileName is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"    label_filename: \"{tensor.LabelFileName}\"\n");
            }

            text.Append(i < tensors.Count - 1 ? "  },\n" : "  }\n");
        }

        text.Append("]\n");
    }
}
