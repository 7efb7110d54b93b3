using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Specs;

/// <summary><c>spec.predictor</c> and <c>spec.predictor.model</c>.</summary>
public static partial class InferenceServiceParser
{
    private const string PredictorPath = "spec.predictor";
    private const string ModelPath = "spec.predictor.model";

    /// <summary>Longest <c>spec.predictor.timeout</c> accepted, in seconds (one day).</summary>
    public const long MaxTimeoutSeconds = 86_400;

    private static PredictorSpec? ReadPredictor(YamlMappingNode map, SpecReader reader)
    {
        var fields = reader.Fields(map, PredictorPath, InferenceServiceFields.Predictor, InferenceServiceFields.PredictorIgnored,
            InferenceServiceFields.PredictorUnsupported);

        long? Int(string field, long min, long max) =>
            fields.TryGetValue(field, out var node) && !SpecReader.IsNull(node.Value)
                ? reader.Integer(node.Value, PredictorPath + "." + field, min, max)
                : null;

        var min = Int("minReplicas", 0, int.MaxValue);
        var max = Int("maxReplicas", 0, int.MaxValue);
        var scaleTarget = Int("scaleTarget", 1, int.MaxValue);
        var concurrency = Int("containerConcurrency", 0, long.MaxValue);
        var canary = Int("canaryTrafficPercent", 0, 100);
        var timeout = Int("timeout", 1, MaxTimeoutSeconds);
        if (min is { } lo && max is { } hi && hi > 0 && lo > hi)
        {
            reader.Error(fields["minReplicas"].Value.Start, PredictorPath + ".minReplicas",
                $"minReplicas ({lo}) is greater than maxReplicas ({hi}); maxReplicas 0 means no upper bound");
        }

        var metric = ScaleMetric.Concurrency;
        if (fields.TryGetValue("scaleMetric", out var metricNode) && !SpecReader.IsNull(metricNode.Value)
            && reader.String(metricNode.Value, PredictorPath + ".scaleMetric") is { } metricText)
        {
            // The CRD's enum is lower case; Kubernetes would refuse any other spelling, so Turbine does too.
            metric = metricText switch
            {
                "concurrency" => ScaleMetric.Concurrency,
                "rps" => ScaleMetric.Rps,
                "cpu" => ScaleMetric.Cpu,
                "memory" => ScaleMetric.Memory,
                _ => Bad(metricNode.Value, $"unknown scaleMetric '{metricText}'; expected one of concurrency, rps, cpu, memory"),
            };
        }

        ModelSpec? model = null;
        if (!fields.TryGetValue("model", out var modelNode) || SpecReader.IsNull(modelNode.Value))
        {
            reader.Error(map.Start, ModelPath, "spec.predictor.model is required: one model with modelFormat.name and storageUri");
        }
        else if (reader.Mapping(modelNode.Value, ModelPath) is { } modelMap)
        {
            model = ReadModel(modelMap, reader);
        }

        if (model is null)
        {
            return null;
        }

        return new PredictorSpec
        {
            MinReplicas = (int)(min ?? 1),
            MaxReplicas = (int)(max ?? 0),
            ScaleTarget = (int?)scaleTarget,
            ScaleMetric = metric,
            ContainerConcurrency = concurrency ?? 0,
            CanaryTrafficPercent = (int?)canary,
            Timeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Model = model,
        };

        ScaleMetric Bad(YamlNode node, string message)
        {
            reader.Error(node.Start, PredictorPath + ".scaleMetric", message);
            return ScaleMetric.Concurrency;
        }
    }

    private static ModelSpec? ReadModel(YamlMappingNode map, SpecReader reader)
    {
        var fields = reader.Fields(map, ModelPath, InferenceServiceFields.Model, InferenceServiceFields.ModelIgnored,
            InferenceServiceFields.ModelUnsupported);

        ModelFormat? format = null;
        string? formatVersion = null;
        const string formatPath = ModelPath + ".modelFormat";
        if (!fields.TryGetValue("modelFormat", out var formatNode) || SpecReader.IsNull(formatNode.Value))
        {
            reader.Error(map.Start, formatPath, "modelFormat.name is required: onnx or triton");
        }
        else if (reader.Mapping(formatNode.Value, formatPath) is { } formatMap)
        {
            var formatFields = reader.Fields(formatMap, formatPath, InferenceServiceFields.ModelFormat, new Dictionary<string, string>());
            if (!formatFields.TryGetValue("name", out var nameNode))
            {
                reader.Error(formatMap.Start, formatPath + ".name", "modelFormat.name is required: onnx or triton");
            }
            else if (reader.String(nameNode.Value, formatPath + ".name") is { } formatName)
            {
                format = formatName.ToLowerInvariant() switch
                {
                    "onnx" => ModelFormat.Onnx,
                    "triton" => ModelFormat.Triton,
                    _ => null,
                };
                if (format is null)
                {
                    reader.Error(nameNode.Value.Start, formatPath + ".name", $"model format '{formatName}' is not served by Turbine; expected onnx or triton");
                }
            }

            if (formatFields.TryGetValue("version", out var versionNode) && !SpecReader.IsNull(versionNode.Value))
            {
                formatVersion = reader.String(versionNode.Value, formatPath + ".version");
            }
        }

        StorageUri? storage = null;
        if (!fields.TryGetValue("storageUri", out var uriNode) || SpecReader.IsNull(uriNode.Value))
        {
            reader.Error(map.Start, ModelPath + ".storageUri", "storageUri is required: registry://NAME@STAGE, file:///path or s3://bucket/key");
        }
        else if (reader.String(uriNode.Value, ModelPath + ".storageUri") is { } uriText)
        {
            storage = StorageUri.TryParse(uriText, out var error);
            if (storage is null)
            {
                reader.Error(uriNode.Value.Start, ModelPath + ".storageUri", error!);
            }
        }

        string? runtime = null;
        if (fields.TryGetValue("runtime", out var runtimeNode) && !SpecReader.IsNull(runtimeNode.Value)
            && reader.String(runtimeNode.Value, ModelPath + ".runtime") is { } runtimeText)
        {
            if (runtimeText.Length is 0 or > 253)
            {
                reader.Error(runtimeNode.Value.Start, ModelPath + ".runtime", "runtime must have 1-253 characters");
            }
            else
            {
                runtime = runtimeText;
            }
        }

        if (fields.TryGetValue("protocolVersion", out var protocolNode) && !SpecReader.IsNull(protocolNode.Value)
            && reader.String(protocolNode.Value, ModelPath + ".protocolVersion") is { } protocol
            && protocol is not ("v2" or "grpc-v2"))
        {
            reader.Error(protocolNode.Value.Start, ModelPath + ".protocolVersion",
                $"protocolVersion '{protocol}' is not served; Turbine speaks the Open Inference Protocol: v2 or grpc-v2");
        }

        return format is { } f && storage is not null ? new ModelSpec(f, formatVersion, storage, runtime) : null;
    }
}
