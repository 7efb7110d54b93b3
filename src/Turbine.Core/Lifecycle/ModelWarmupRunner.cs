using System.Buffers.Binary;
using System.Text;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Repository;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Lifecycle;

/// <summary>
/// Runs a config's <c>model_warmup</c> samples on every instance before the version is marked READY (Triton's
/// semantics: zero, random or file data; <c>batch_size</c> prepended when the model batches; <c>count</c>
/// runs, once when unset; files are read from the model's <c>warmup/</c> folder).
/// </summary>
internal static class ModelWarmupRunner
{
    public static void Run(ModelConfig config, ModelFiles files, IReadOnlyList<IModelInstance> instances)
    {
        if (config.ModelWarmup.IsEmpty)
        {
            return;
        }

        var random = new Random(20261129);
        var outputs = config.Outputs.Select(o => o.Name).ToList();
        foreach (var warmup in config.ModelWarmup)
        {
            var label = warmup.Name.Length > 0 ? $"warmup '{warmup.Name}'" : "warmup";
            var inputs = warmup.Inputs
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => CreateInput(config, files, warmup, label, kv.Key, kv.Value, random))
                .ToList();
            var runs = Math.Max(1, warmup.Count);
            foreach (var instance in instances)
            {
                for (var i = 0; i < runs; i++)
                {
                    ExecutionResult result;
                    try
                    {
                        result = instance.Execute(inputs, outputs, CancellationToken.None);
                    }
                    catch (InferenceException e)
                    {
                        throw new InferenceException(StatusCode.InvalidArgument, $"{label} failed on instance '{instance.Name}': {e.Message}", e);
                    }

                    foreach (var o in result.Outputs)
                    {
                        o.Dispose();
                    }
                }
            }
        }
    }

    private static InferenceTensor CreateInput(ModelConfig config, ModelFiles files, ModelWarmup warmup, string label,
        string name, ModelWarmupInput input, Random random)
    {
        var spec = config.Inputs.FirstOrDefault(i => i.Name == name);
        long[] dims = [.. input.Dims];
        long[] shape = config.MaxBatchSize > 0 ? [Math.Max(1, warmup.BatchSize), .. dims] : dims;
        if (dims.Any(d => d < 0))
        {
            throw new InferenceException(StatusCode.InvalidArgument, $"{label}: input '{name}' dims {TensorShape.Format(dims)} must be fully known");
        }

        if (spec is not null && spec.DataType != input.DataType)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{label}: input '{name}' data_type {input.DataType.ToConfigName()} differs from the config's {spec.DataType.ToConfigName()}");
        }

        var count = TensorShape.ElementCount(shape);
        byte[] data;
        if (input.InputDataFile.Length > 0)
        {
            var path = input.InputDataFile;
            data = files.ReadAllBytes("warmup", path, $"{label}: input_data_file", ModelFileKind.WarmupData);
            if (input.DataType == TensorDataType.Bytes)
            {
                var elements = BytesTensor.CountElements(data, out var problem);
                if (elements != count)
                {
                    throw new InferenceException(StatusCode.InvalidArgument,
                        $"{label}: input_data_file '{path}' holds {(elements < 0 ? problem : $"{elements} BYTES elements")}, shape {TensorShape.Format(shape)} needs {count}");
                }
            }
            else if (data.Length != count * input.DataType.ElementSize())
            {
                throw new InferenceException(StatusCode.InvalidArgument,
                    $"{label}: input_data_file '{path}' has {data.Length} bytes, shape {TensorShape.Format(shape)} of {input.DataType.ToWireName()} needs {count * input.DataType.ElementSize()}");
            }
        }
        else if (input.DataType == TensorDataType.Bytes)
        {
            var elements = new List<string>((int)count);
            for (long i = 0; i < count; i++)
            {
                elements.Add(input.RandomData ? random.Next(0, 100).ToString(System.Globalization.CultureInfo.InvariantCulture) : "0");
            }

            data = BytesTensor.Frame(elements);
        }
        else
        {
            data = new byte[count * input.DataType.ElementSize()];
            if (input.RandomData)
            {
                FillRandom(data, input.DataType, random);
            }
        }

        if (spec?.Reshape is { } reshape)
        {
            shape = config.MaxBatchSize > 0 ? [shape[0], .. reshape] : [.. reshape];
        }

        return new InferenceTensor(name, input.DataType, shape, data);
    }

    /// <summary>Random values that are valid for the type (finite floats in [0,1), bools 0/1).</summary>
    private static void FillRandom(byte[] data, TensorDataType type, Random random)
    {
        var size = type.ElementSize();
        for (var offset = 0; offset < data.Length; offset += size)
        {
            var s = data.AsSpan(offset, size);
            switch (type)
            {
                case TensorDataType.Bool: s[0] = (byte)random.Next(2); break;
                case TensorDataType.FP16: BinaryPrimitives.WriteHalfLittleEndian(s, (Half)random.NextSingle()); break;
                case TensorDataType.BF16: BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)(BitConverter.SingleToUInt32Bits(random.NextSingle()) >> 16)); break;
                case TensorDataType.FP32: BinaryPrimitives.WriteSingleLittleEndian(s, random.NextSingle()); break;
                case TensorDataType.FP64: BinaryPrimitives.WriteDoubleLittleEndian(s, random.NextDouble()); break;
                default: random.NextBytes(s); break;
            }
        }
    }
}
