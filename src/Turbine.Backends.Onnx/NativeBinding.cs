using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx;

/// <summary>
/// One instance's state for <see cref="OrtNative"/>: the session and run-options handles, every input and output
/// name as zero-terminated UTF-8 in native memory (looked up by name, no per-request conversion), the argument arrays
/// reused by each call, and per output the last shape ONNX Runtime reported, reused while it does not change.
/// </summary>
/// <remarks>
/// Not thread-safe: an instance runs one request at a time (the scheduler's contract, see <c>IModelInstance</c>).
/// The reused shape array is handed to every response whose output has those dimensions; shapes are never written
/// after a tensor is created (a reshape or slice makes a new array), so sharing it is safe.
/// </remarks>
internal sealed class NativeBinding : IDisposable
{
    private readonly Dictionary<string, IntPtr> _inputs;
    private readonly Dictionary<string, OutputSlot> _outputs;
    private readonly List<IntPtr> _owned = [];

    private NativeBinding(InferenceSession session, RunOptions runOptions)
    {
        Session = OrtNative.SessionHandle(session);
        RunOptions = OrtNative.RunOptionsHandle(runOptions);
        _inputs = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
        _outputs = new Dictionary<string, OutputSlot>(StringComparer.Ordinal);
        try
        {
            foreach (var name in session.InputMetadata.Keys)
            {
                _inputs[name] = Utf8(name);
            }

            foreach (var name in session.OutputMetadata.Keys)
            {
                _outputs[name] = new OutputSlot(Utf8(name));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The native session handle.</summary>
    public IntPtr Session { get; }

    /// <summary>The native run-options handle (the instance's <see cref="Microsoft.ML.OnnxRuntime.RunOptions"/>, whose <c>Terminate</c> cancels).</summary>
    public IntPtr RunOptions { get; }

    public IntPtr[] InputNames { get; private set; } = [];

    public IntPtr[] InputValues { get; private set; } = [];

    public MemoryHandle[] Pins { get; private set; } = [];

    public IntPtr[] OutputNames { get; private set; } = [];

    public IntPtr[] OutputValues { get; private set; } = [];

    /// <summary>
    /// The binding for <paramref name="session"/>, or null when the direct path is not available or the model has an
    /// input or output that is not a numeric tensor (strings are marshalled by the managed API).
    /// </summary>
    /// <param name="session">The instance's session.</param>
    /// <param name="runOptions">The instance's run options.</param>
    public static NativeBinding? TryCreate(InferenceSession session, RunOptions runOptions)
    {
        if (!OrtNative.Available)
        {
            return null;
        }

        foreach (var metadata in session.InputMetadata.Values.Concat(session.OutputMetadata.Values))
        {
            if (!metadata.IsTensor || metadata.IsString
                || OnnxTypes.ToDataType(metadata.ElementDataType) is TensorDataType.Invalid or TensorDataType.Bytes)
            {
                return null;
            }
        }

        return new NativeBinding(session, runOptions);
    }

    /// <summary>True when every name is one of the model's own inputs and outputs (anything else takes the managed path, which reports it).</summary>
    /// <param name="inputs">The request's inputs.</param>
    /// <param name="outputNames">The outputs asked for.</param>
    public bool Knows(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!_inputs.ContainsKey(inputs[i].Name) || inputs[i].DataType is TensorDataType.Bytes or TensorDataType.Invalid)
            {
                return false;
            }
        }

        for (var i = 0; i < outputNames.Count; i++)
        {
            if (!_outputs.ContainsKey(outputNames[i]))
            {
                return false;
            }
        }

        return true;
    }

    public IntPtr InputName(string name) => _inputs[name];

    public OutputSlot Output(string name) => _outputs[name];

    /// <summary>Grows the argument arrays (never shrinks: a smaller call uses a prefix).</summary>
    /// <param name="inputs">Inputs in this call.</param>
    /// <param name="outputs">Outputs in this call.</param>
    public void EnsureCapacity(int inputs, int outputs)
    {
        if (InputNames.Length < inputs)
        {
            InputNames = new IntPtr[inputs];
            InputValues = new IntPtr[inputs];
            Pins = new MemoryHandle[inputs];
        }

        if (OutputNames.Length < outputs)
        {
            OutputNames = new IntPtr[outputs];
            OutputValues = new IntPtr[outputs];
        }
    }

    public void Dispose()
    {
        foreach (var pointer in _owned)
        {
            Marshal.FreeCoTaskMem(pointer);
        }

        _owned.Clear();
    }

    private IntPtr Utf8(string name)
    {
        var pointer = Marshal.StringToCoTaskMemUTF8(name);
        _owned.Add(pointer);
        return pointer;
    }

    /// <summary>One output: its native name and the shape array last reported for it.</summary>
    internal sealed class OutputSlot(IntPtr utf8Name)
    {
        public IntPtr Utf8Name { get; } = utf8Name;

#pragma warning disable CA1051 // passed by ref to OrtNative.TypeAndShape, which replaces it only when the dimensions change
        public long[] Shape = [];
#pragma warning restore CA1051
    }
}
