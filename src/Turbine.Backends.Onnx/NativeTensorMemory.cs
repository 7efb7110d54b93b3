using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace Turbine.Backends.Onnx;

/// <summary>
/// Exposes an output <see cref="OrtValue"/>'s native buffer as <see cref="Memory{T}"/> so the front end
/// writes it to the wire straight from ONNX Runtime's memory (no managed copy). Disposing releases the value.
/// </summary>
internal sealed unsafe class NativeTensorMemory : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;
    private OrtValue? _value;
    private IntPtr _handle;

    public NativeTensorMemory(OrtValue value)
    {
        _value = value;
        var span = value.GetTensorMutableRawData();
        _length = span.Length;
        fixed (byte* p = span)
        {
            // Native memory does not move: the pointer stays valid until the value is released.
            _pointer = p;
        }
    }

    /// <summary>Over a raw <c>OrtValue*</c> from <see cref="OrtNative"/>: released with <see cref="OrtNative.ReleaseValue"/>.</summary>
    /// <param name="handle">The value, owned from here on.</param>
    /// <param name="pointer">Its tensor data.</param>
    /// <param name="length">Its length in bytes.</param>
    public NativeTensorMemory(IntPtr handle, byte* pointer, int length)
    {
        _handle = handle;
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        Interlocked.Exchange(ref _value, null)?.Dispose();
        OrtNative.ReleaseValue(Interlocked.Exchange(ref _handle, IntPtr.Zero));
    }
}
