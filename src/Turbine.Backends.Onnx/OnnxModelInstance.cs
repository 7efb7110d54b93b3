using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Backends.Onnx;

/// <summary>
/// One ONNX Runtime session. Inputs are wrapped as <see cref="OrtValue"/>s over the request's own (pinned)
/// bytes; numeric outputs are handed to the front end as views over ONNX Runtime's output buffers.
/// </summary>
internal sealed class OnnxModelInstance : IModelInstance
{
    private static readonly byte[] EmptyBuffer = GC.AllocateArray<byte>(8, pinned: true);

    private readonly InferenceSession _session;
    private readonly IDisposable _sessionOwner;
    private readonly RunOptions _runOptions = new();
    private string[] _names = [];
    private OrtValue[] _values = [];
    private MemoryHandle[] _pins = [];

    // The direct path (OrtNative): null when the package's internals were not found or the model has a string or
    // non-tensor input or output (those keep the managed Run). The arrays are reused: one call at a time per instance.
    private readonly NativeBinding? _native;

    private OnnxModelInstance(string name, InferenceSession session, IDisposable sessionOwner)
    {
        Name = name;
        _session = session;
        _sessionOwner = sessionOwner;
        _native = NativeBinding.TryCreate(session, _runOptions);
    }

    /// <summary>True when this instance runs through <see cref="OrtNative"/> (no managed ONNX Runtime objects per request).</summary>
    internal bool UsesNativeRun => _native is not null;

    public string Name { get; }

    /// <summary>
    /// An instance on its own session, or, with <paramref name="sessions"/>, on the session the version's other CPU
    /// instances use (one copy of the weights; ONNX Runtime's <c>Run</c> is safe to call concurrently on one session),
    /// unless the config's parameter <c>share_session</c> is <c>false</c>.
    /// </summary>
    public static OnnxModelInstance Create(ModelInstanceSpec spec, SessionShare? sessions = null)
    {
        if (sessions is not null && SessionShare.Shares(spec))
        {
            var lease = sessions.Acquire(spec, CreateSession);
            return new OnnxModelInstance(spec.InstanceName, lease.Session, lease);
        }

        var session = CreateSession(spec);
        return new OnnxModelInstance(spec.InstanceName, session, session);
    }

    private static InferenceSession CreateSession(ModelInstanceSpec spec)
    {
        var options = OnnxSessionOptions.Build(spec);
        InferenceSession? session = null;
        try
        {
            session = new InferenceSession(spec.ModelFilePath, options);

            // Every version is checked against the config, not only the one auto-complete read.
            OnnxBackend.Complete(spec.Config, OnnxSignature.FromSession(session));
            var created = session;
            session = null;
            return created;
        }
        catch (OnnxRuntimeException e)
        {
            // A GPU instance's providers started but the session did not (device missing, out of GPU memory, an engine
            // TensorRT could not build): say which device, and that nothing fell back to the CPU.
            var gpu = spec.Kind == ModelInstanceKind.Gpu
                ? $" (KIND_GPU on device {spec.DeviceId}; nothing falls back to the CPU: fix the GPU set-up or set the instance group's kind to KIND_CPU)"
                : "";
            throw new InferenceException(StatusCode.InvalidArgument,
                $"ONNX Runtime failed to create a session for '{spec.ModelFilePath}' (instance {spec.InstanceName}): {e.Message}{gpu}", e);
        }
        finally
        {
            session?.Dispose();
            options.Dispose();
        }
    }

    public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var t0 = Stopwatch.GetTimestamp();
        if (_native is not null && _native.Knows(inputs, outputNames))
        {
            return ExecuteNative(_native, inputs, outputNames, t0, cancellationToken);
        }

        return ExecuteManaged(inputs, outputNames, t0, cancellationToken);
    }

    /// <summary>
    /// The per-request path without managed ONNX Runtime objects: inputs become <c>OrtValue*</c> handles over the
    /// request's pinned bytes, <c>OrtApi::Run</c> gets the instance's reused name and value arrays, and each output
    /// handle is owned by the <see cref="NativeTensorMemory"/> the response holds (released when the response is).
    /// </summary>
    private unsafe ExecutionResult ExecuteNative(NativeBinding native, IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, long t0, CancellationToken cancellationToken)
    {
        var inputCount = inputs.Count;
        var outputCount = outputNames.Count;
        native.EnsureCapacity(inputCount, outputCount);
        var pins = native.Pins;
        var inputValues = native.InputValues;
        var outputValues = native.OutputValues;
        var created = 0;
        List<InferenceTensor>? outputs = null;
        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                var input = inputs[i];
                native.InputNames[i] = native.InputName(input.Name);
                var memory = input.Data;
                inputValues[i] = IntPtr.Zero;
                pins[i] = memory.Length == 0 ? EmptyBuffer.AsMemory().Pin() : memory.Pin();
                created++; // from here the finally releases the pin (and the value once it exists)
                inputValues[i] = OrtNative.CreateTensor(pins[i].Pointer, memory.Length, input.Shape,
                    (int)OnnxTypes.ToElementType(input.DataType));
            }

            for (var i = 0; i < outputCount; i++)
            {
                native.OutputNames[i] = native.Output(outputNames[i]).Utf8Name;
                outputValues[i] = IntPtr.Zero; // a non-zero entry would be taken as a pre-allocated output
            }

            var t1 = Stopwatch.GetTimestamp();
            var ran = false;
            try
            {
                using (cancellationToken.CanBeCanceled ? cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, _runOptions) : default)
                {
                    try
                    {
                        fixed (IntPtr* inNames = native.InputNames, inValues = inputValues, outNames = native.OutputNames, outValues = outputValues)
                        {
                            OrtNative.Run(native.Session, native.RunOptions, inNames, inValues, inputCount, outNames, outputCount, outValues);
                        }

                        ran = true;
                    }
                    catch (OrtNativeException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new InferenceException(StatusCode.Internal, $"ONNX Runtime failed to run model instance '{Name}': {e.Message}", e);
                    }
                    catch (OrtNativeException)
                    {
                        // Terminated by the cancellation callback: answered as cancelled below.
                    }
                }
            }
            finally
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    _runOptions.Terminate = false;
                }
            }

            if (!ran)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            var t2 = Stopwatch.GetTimestamp();
            outputs = new List<InferenceTensor>(outputCount);
            for (var i = 0; i < outputCount; i++)
            {
                outputs.Add(NativeOutput(outputNames[i], native.Output(outputNames[i]), outputValues[i]));
                outputValues[i] = IntPtr.Zero; // the tensor owns it now
            }

            var t3 = Stopwatch.GetTimestamp();
            var result = new ExecutionResult(outputs, Ns(t1 - t0), Ns(t2 - t1), Ns(t3 - t2));
            outputs = null;
            return result;
        }
        finally
        {
            if (outputs is not null)
            {
                foreach (var output in outputs)
                {
                    output.Dispose();
                }
            }

            for (var i = 0; i < outputCount; i++)
            {
                OrtNative.ReleaseValue(outputValues[i]);
                outputValues[i] = IntPtr.Zero;
            }

            for (var i = 0; i < created; i++)
            {
                OrtNative.ReleaseValue(inputValues[i]);
                inputValues[i] = IntPtr.Zero;
                pins[i].Dispose();
                pins[i] = default;
            }
        }
    }

    private static unsafe InferenceTensor NativeOutput(string name, NativeBinding.OutputSlot slot, IntPtr value)
    {
        OrtNative.TypeAndShape(value, out var elementType, ref slot.Shape);
        var type = OnnxTypes.ToDataType((Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)elementType);
        if (type is TensorDataType.Invalid or TensorDataType.Bytes)
        {
            throw new InferenceException(StatusCode.Internal,
                $"output '{name}' has unsupported element type {(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)elementType}");
        }

        var shape = slot.Shape;
        var length = checked((int)(TensorShape.ElementCount(shape) * type.ElementSize()));
        var data = length == 0 ? null : OrtNative.TensorData(value);
        var memory = new NativeTensorMemory(value, data, length);
        return new InferenceTensor(name, type, shape, memory.Memory, memory);
    }

    private ExecutionResult ExecuteManaged(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, long t0, CancellationToken cancellationToken)
    {
        // One call at a time per instance (the scheduler's contract), so the argument arrays are reused.
        if (_names.Length != inputs.Count)
        {
            _names = new string[inputs.Count];
            _values = new OrtValue[inputs.Count];
            _pins = new MemoryHandle[inputs.Count];
        }

        var names = _names;
        var values = _values;
        var pins = _pins;
        var created = 0;
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                names[i] = inputs[i].Name;
                values[i] = CreateInput(inputs[i], out pins[i]);
                created++;
            }

            var t1 = Stopwatch.GetTimestamp();
            IDisposableReadOnlyCollection<OrtValue>? results = null;
            try
            {
                using (cancellationToken.CanBeCanceled ? cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, _runOptions) : default)
                {
                    try
                    {
                        results = _session.Run(_runOptions, names, values, outputNames);
                    }
                    catch (OnnxRuntimeException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new InferenceException(StatusCode.Internal, $"ONNX Runtime failed to run model instance '{Name}': {e.Message}", e);
                    }
                    catch (OnnxRuntimeException)
                    {
                        // Terminated by the cancellation callback: answered as cancelled below.
                    }
                }
            }
            finally
            {
                // The registration is disposed here, so no callback can set the flag any more; the options are
                // reused by the next request on this instance, which must not inherit a terminate.
                if (cancellationToken.IsCancellationRequested)
                {
                    _runOptions.Terminate = false;
                }
            }

            if (results is null)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            var t2 = Stopwatch.GetTimestamp();
            var outputs = new List<InferenceTensor>(outputNames.Count);
            var index = 0;
            foreach (var value in results)
            {
                outputs.Add(CreateOutput(outputNames[index++], value));
            }

            var t3 = Stopwatch.GetTimestamp();
            return new ExecutionResult(outputs, Ns(t1 - t0), Ns(t2 - t1), Ns(t3 - t2));
        }
        finally
        {
            for (var i = 0; i < created; i++)
            {
                values[i].Dispose();
                values[i] = null!;
                pins[i].Dispose();
                pins[i] = default;
            }
        }
    }

    public void Dispose()
    {
        _sessionOwner.Dispose();
        _runOptions.Dispose();
        _native?.Dispose();
    }

    private static unsafe OrtValue CreateInput(InferenceTensor tensor, out MemoryHandle pin)
    {
        if (tensor.DataType == TensorDataType.Bytes)
        {
            pin = default;
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            var index = 0;
            foreach (var element in BytesTensor.Enumerate(tensor.Data.Span))
            {
                value.StringTensorSetElementAt(element, index++);
            }

            return value;
        }

        var memory = tensor.Data;
        if (memory.Length == 0)
        {
            pin = EmptyBuffer.AsMemory().Pin();
        }
        else
        {
            pin = memory.Pin();
        }

        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance,
            OnnxTypes.ToElementType(tensor.DataType),
            tensor.Shape,
            (IntPtr)pin.Pointer,
            memory.Length);
    }

    private InferenceTensor CreateOutput(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var type = OnnxTypes.ToDataType(info.ElementDataType);
        var shape = info.Shape;
        if (type == TensorDataType.Bytes)
        {
            try
            {
                return StringOutput(name, value, shape, checked((int)info.ElementCount));
            }
            finally
            {
                value.Dispose();
            }
        }

        if (type == TensorDataType.Invalid)
        {
            value.Dispose();
            throw new InferenceException(StatusCode.Internal, $"output '{name}' has unsupported element type {info.ElementDataType}");
        }

        var memory = new NativeTensorMemory(value);
        return new InferenceTensor(name, type, shape, memory.Memory, memory);
    }

    private static InferenceTensor StringOutput(string name, OrtValue value, long[] shape, int count)
    {
        var size = 0;
        for (var i = 0; i < count; i++)
        {
            size += 4 + value.GetStringElementAsSpan(i).Length;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var element = value.GetStringElementAsSpan(i);
            element.CopyTo(buffer.AsSpan(offset + 4));
            var n = element.Length;
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), n);
            offset += 4 + n;
        }

        return new InferenceTensor(name, TensorDataType.Bytes, shape, buffer.AsMemory(0, size), new PooledBuffer(buffer));
    }

    private static long Ns(long ticks) => (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));

    private sealed class PooledBuffer(byte[] buffer) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public void Dispose()
        {
            var b = Interlocked.Exchange(ref _buffer, null);
            if (b is not null)
            {
                ArrayPool<byte>.Shared.Return(b);
            }
        }
    }
}
