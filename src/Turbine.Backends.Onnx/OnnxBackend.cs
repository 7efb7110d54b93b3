using System.Collections.Immutable;
using Microsoft.ML.OnnxRuntime;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx;

/// <summary>The ONNX Runtime backend: <c>platform: "onnxruntime_onnx"</c> / <c>backend: "onnxruntime"</c>.</summary>
public sealed class OnnxBackend : IBackend
{
    public const string BackendName = "onnxruntime";
    public const string PlatformName = "onnxruntime_onnx";

    /// <summary>
    /// The max_batch_size given to a model without a config (or with one that declares no inputs, outputs or
    /// max_batch_size) when every input and output has a dynamic first dimension. Triton uses the same value.
    /// </summary>
    public const int DefaultMaxBatchSize = 4;

    public string Name => BackendName;

    public string Platform => PlatformName;

    public string DefaultModelFilename => "model.onnx";

    public bool Handles(ModelConfig config) =>
        config.Backend == BackendName || (config.Backend.Length == 0 && config.Platform == PlatformName);

    public ModelConfig AutoComplete(ModelConfig config, string modelFilePath)
    {
        return Complete(config, OnnxSignature.Read(modelFilePath));
    }

    /// <summary>Completes and checks a config against a model signature (shared by auto-complete and every instance load).</summary>
    internal static ModelConfig Complete(ModelConfig config, OnnxSignature signature)
    {
        var batching = config.MaxBatchSize > 0;
        if (!batching && config.Inputs.IsEmpty && config.Outputs.IsEmpty && signature.AllDynamicFirstDimension())
        {
            config = config with { MaxBatchSize = DefaultMaxBatchSize };
            batching = true;
        }

        var inputs = Complete(config, config.Inputs, signature.Inputs, batching, "input",
            (name, type, dims) => new ModelInput { Name = name, DataType = type, Dims = dims },
            i => (i.Name, i.DataType, i.Dims, i.Reshape));
        var outputs = Complete(config, config.Outputs, signature.Outputs, batching, "output",
            (name, type, dims) => new ModelOutput { Name = name, DataType = type, Dims = dims },
            o => (o.Name, o.DataType, o.Dims, o.Reshape));
        CheckSequenceTensors(config, signature);
        return config with { Inputs = inputs, Outputs = outputs };
    }

    /// <summary>
    /// The control and state tensors of <c>sequence_batching</c> must be model inputs (state outputs: model outputs)
    /// of the declared data type. They are not completed into the config: the server supplies them.
    /// </summary>
    private static void CheckSequenceTensors(ModelConfig config, OnnxSignature signature)
    {
        if (config.SequenceBatching is not { } sb)
        {
            return;
        }

        foreach (var (name, type, role) in sb.ServerSuppliedInputs())
        {
            CheckSequenceTensor(signature.Inputs, name, type, role, "input");
        }

        foreach (var (name, type) in sb.StateOutputs())
        {
            CheckSequenceTensor(signature.Outputs, name, type, "state output", "output");
        }
    }

    private static void CheckSequenceTensor(IReadOnlyList<OnnxTensorInfo> model, string name, TensorDataType type, string role, string kind)
    {
        var info = model.FirstOrDefault(m => m.Name == name)
            ?? throw Contradiction($"sequence_batching {role} '{name}' is not a model {kind}; the model's {kind}s are [{string.Join(", ", model.Select(m => $"'{m.Name}'"))}]");
        if (type != TensorDataType.Invalid && info.DataType != type)
        {
            throw Contradiction($"sequence_batching {role} '{name}': config data type is {type.ToConfigName()} but the model declares {info.DataType.ToConfigName()}");
        }
    }

    /// <summary>The sessions the CPU instances of one version share (weights once, docs/memory.md).</summary>
    internal SessionShare Sessions { get; } = new();

    public IModelInstance CreateInstance(ModelInstanceSpec spec) => OnnxModelInstance.Create(spec, Sessions);

    private static ImmutableArray<T> Complete<T>(
        ModelConfig config,
        ImmutableArray<T> declared,
        IReadOnlyList<OnnxTensorInfo> model,
        bool batching,
        string kind,
        Func<string, TensorDataType, ImmutableArray<long>, T> create,
        Func<T, (string Name, TensorDataType Type, ImmutableArray<long> Dims, ImmutableArray<long>? Reshape)> read)
    {
        var result = ImmutableArray.CreateBuilder<T>();
        foreach (var item in declared)
        {
            var (name, type, dims, reshape) = read(item);
            var info = model.FirstOrDefault(m => m.Name == name)
                ?? throw Contradiction($"configuration {kind} '{name}' is not in the model; the model's {kind}s are [{string.Join(", ", model.Select(m => $"'{m.Name}'"))}]");
            if (info.DataType == TensorDataType.Invalid)
            {
                throw Contradiction($"model {kind} '{name}' has an element type Turbine cannot serve ({info.OnnxType})");
            }

            if (type != info.DataType)
            {
                throw Contradiction($"{kind} '{name}': config data_type is {type.ToConfigName()} but the model declares {info.DataType.ToConfigName()}");
            }

            if (info.Dims is { } modelDims)
            {
                var declaredDims = reshape ?? dims;
                long[] expected = batching ? [-1L, .. declaredDims] : [.. declaredDims];
                if (batching && modelDims.Length > 0 && modelDims[0] != -1)
                {
                    throw Contradiction($"{kind} '{name}': max_batch_size is {config.MaxBatchSize} but the model fixes the first dimension to {modelDims[0]}; use max_batch_size 0 or export the model with a dynamic batch dimension");
                }

                if (modelDims.Length != expected.Length)
                {
                    throw Contradiction($"{kind} '{name}': config implies rank {expected.Length} ({ShapeText(expected)}{(batching ? " with the batch dimension" : "")}) but the model's rank is {modelDims.Length} ({ShapeText(modelDims)})");
                }

                for (var d = batching ? 1 : 0; d < expected.Length; d++)
                {
                    if (modelDims[d] != -1 && expected[d] != modelDims[d])
                    {
                        throw Contradiction($"{kind} '{name}': config dims {ShapeText(expected)} contradict the model's shape {ShapeText(modelDims)} at dimension {d}");
                    }
                }
            }

            result.Add(item);
        }

        foreach (var info in model)
        {
            // Control and state tensors of a stateful model are the server's, never request inputs or outputs.
            if (declared.Any(d => read(d).Name == info.Name) || config.SequenceBatching?.IsServerTensor(info.Name) == true)
            {
                continue;
            }

            if (info.DataType == TensorDataType.Invalid)
            {
                throw Contradiction($"model {kind} '{info.Name}' has an element type Turbine cannot serve ({info.OnnxType})");
            }

            if (info.Dims is null)
            {
                throw Contradiction($"model {kind} '{info.Name}' has no static rank; declare it in config.pbtxt");
            }

            if (batching && (info.Dims.Length == 0 || info.Dims[0] != -1))
            {
                throw Contradiction(info.Dims.Length == 0
                    ? $"{kind} '{info.Name}': max_batch_size is {config.MaxBatchSize} but the model's {kind} is a scalar (rank 0) with no batch dimension; use max_batch_size 0"
                    : $"{kind} '{info.Name}': max_batch_size is {config.MaxBatchSize} but the model fixes the first dimension to {info.Dims[0]}; use max_batch_size 0 or export the model with a dynamic batch dimension");
            }

            var dims = batching ? info.Dims.Skip(1) : info.Dims;
            result.Add(create(info.Name, info.DataType, [.. dims]));
        }

        return result.ToImmutable();
    }

    private static string ShapeText(IReadOnlyList<long> dims) => "[" + string.Join(",", dims) + "]";

    private static InferenceException Contradiction(string message) => new(StatusCode.InvalidArgument, message);
}
