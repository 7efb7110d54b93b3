using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Turbine.Backends.Onnx;

/// <summary>
/// ONNX Runtime's C API called directly, for the per-request path only (issue 22, P7 round 3). The managed
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// allocates ~800 B per call for a two-input, two-output model (its name-lookup delegates, four <c>IntPtr[]</c>, a LINQ
/// select iterator, a <c>DisposableList</c>, an <see cref="OrtValue"/> per input and output, the boxed enumerator);
/// this path allocates nothing: the arrays are per instance, the values are raw <c>OrtValue*</c> handles.
/// </summary>
/// <remarks>
/// The function pointers are read, once, from the package's own <c>OrtApi</c> table (the managed assembly's
/// <c>NativeMethods.api_</c>, whose fields carry the C API's names), and the session, run-options and memory-info
/// handles from the managed objects' fields: the same native library and objects the managed API uses, nothing loaded
/// twice. Those members are not public; if a package version renames them, <see cref="Available"/> is false and
/// instances keep the managed <c>Run</c> (same results, more allocation), and the test
/// <c>OnnxNativeRunTests.FastPathIsActive</c> fails so the upgrade is noticed.
/// </remarks>
internal static unsafe class OrtNative
{
    private static readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr> RunFn;
    private static readonly delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataFn;
    private static readonly delegate* unmanaged<IntPtr, void> ReleaseValueFn;
    private static readonly delegate* unmanaged<IntPtr, void**, IntPtr> GetTensorMutableDataFn;
    private static readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShapeFn;
    private static readonly delegate* unmanaged<IntPtr, void> ReleaseTensorTypeAndShapeInfoFn;
    private static readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetTensorElementTypeFn;
    private static readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCountFn;
    private static readonly delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensionsFn;
    private static readonly delegate* unmanaged<IntPtr, IntPtr> GetErrorMessageFn;
    private static readonly delegate* unmanaged<IntPtr, void> ReleaseStatusFn;
    private static readonly FieldInfo? SessionHandleField;
    private static readonly FieldInfo? RunOptionsHandleField;

    /// <summary>Why the direct path is off (null when it is on): shown by the test that checks it.</summary>
    public static string? Unavailable { get; }

    /// <summary>The CPU memory info handle inputs are created with (<see cref="OrtMemoryInfo.DefaultInstance"/>).</summary>
    public static IntPtr CpuMemoryInfo { get; }

    static OrtNative()
    {
        try
        {
            var assembly = typeof(InferenceSession).Assembly;
            var native = assembly.GetType("Microsoft.ML.OnnxRuntime.NativeMethods", throwOnError: true)!;
            var apiField = native.GetField("api_", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                ?? throw new MissingFieldException("NativeMethods.api_");
            var api = apiField.GetValue(null) ?? throw new MissingFieldException("NativeMethods.api_ is null");
            RunFn = (delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)Pointer(api, "Run");
            CreateTensorWithDataFn = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)Pointer(api, "CreateTensorWithDataAsOrtValue");
            ReleaseValueFn = (delegate* unmanaged<IntPtr, void>)Pointer(api, "ReleaseValue");
            GetTensorMutableDataFn = (delegate* unmanaged<IntPtr, void**, IntPtr>)Pointer(api, "GetTensorMutableData");
            GetTensorTypeAndShapeFn = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)Pointer(api, "GetTensorTypeAndShape");
            ReleaseTensorTypeAndShapeInfoFn = (delegate* unmanaged<IntPtr, void>)Pointer(api, "ReleaseTensorTypeAndShapeInfo");
            GetTensorElementTypeFn = (delegate* unmanaged<IntPtr, int*, IntPtr>)Pointer(api, "GetTensorElementType");
            GetDimensionsCountFn = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)Pointer(api, "GetDimensionsCount");
            GetDimensionsFn = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)Pointer(api, "GetDimensions");
            GetErrorMessageFn = (delegate* unmanaged<IntPtr, IntPtr>)Pointer(api, "GetErrorMessage");
            ReleaseStatusFn = (delegate* unmanaged<IntPtr, void>)Pointer(api, "ReleaseStatus");

            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;
            SessionHandleField = typeof(InferenceSession).GetField("_nativeHandle", Instance)
                ?? throw new MissingFieldException("InferenceSession._nativeHandle");
            RunOptionsHandleField = typeof(RunOptions).GetField("handle", Instance)
                ?? throw new MissingFieldException("RunOptions.handle");
            var memoryInfoField = typeof(OrtMemoryInfo).GetField("handle", Instance)
                ?? throw new MissingFieldException("OrtMemoryInfo.handle");
            CpuMemoryInfo = (IntPtr)memoryInfoField.GetValue(OrtMemoryInfo.DefaultInstance)!;
            if (CpuMemoryInfo == IntPtr.Zero)
            {
                throw new MissingFieldException("OrtMemoryInfo.DefaultInstance has no handle");
            }
        }
        catch (Exception e) when (e is MissingMemberException or TypeLoadException or InvalidCastException or TargetException or ArgumentException)
        {
            Unavailable = $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>True when the direct path can be used (the package's internals were found).</summary>
    public static bool Available => Unavailable is null;

    /// <summary>The native session handle of <paramref name="session"/>.</summary>
    /// <param name="session">A live session.</param>
    public static IntPtr SessionHandle(InferenceSession session) => (IntPtr)SessionHandleField!.GetValue(session)!;

    /// <summary>The native handle of <paramref name="options"/>.</summary>
    /// <param name="options">Live run options.</param>
    public static IntPtr RunOptionsHandle(RunOptions options) => (IntPtr)RunOptionsHandleField!.GetValue(options)!;

    /// <summary><c>OrtApi::Run</c>; <paramref name="outputs"/> receives new values the caller releases.</summary>
    /// <param name="session">Session handle.</param>
    /// <param name="runOptions">Run options handle.</param>
    /// <param name="inputNames">Zero-terminated UTF-8 input names.</param>
    /// <param name="inputs">Input value handles, one per name.</param>
    /// <param name="inputCount">Number of inputs.</param>
    /// <param name="outputNames">Zero-terminated UTF-8 output names.</param>
    /// <param name="outputCount">Number of outputs.</param>
    /// <param name="outputs">Receives the output value handles (must be zero on entry).</param>
    public static void Run(IntPtr session, IntPtr runOptions, IntPtr* inputNames, IntPtr* inputs, int inputCount, IntPtr* outputNames, int outputCount, IntPtr* outputs) =>
        Check(RunFn(session, runOptions, inputNames, inputs, (nuint)inputCount, outputNames, (nuint)outputCount, outputs));

    /// <summary>A tensor value over caller-owned (pinned) memory; release it with <see cref="ReleaseValue"/>.</summary>
    /// <param name="data">The pinned bytes.</param>
    /// <param name="length">Their length.</param>
    /// <param name="shape">Dimensions.</param>
    /// <param name="elementType">ONNX element type.</param>
    public static IntPtr CreateTensor(void* data, int length, ReadOnlySpan<long> shape, int elementType)
    {
        IntPtr value;
        fixed (long* dims = shape)
        {
            Check(CreateTensorWithDataFn(CpuMemoryInfo, data, (nuint)length, dims, (nuint)shape.Length, elementType, &value));
        }

        return value;
    }

    /// <summary>Releases a value (and ONNX Runtime's buffer when it owns one).</summary>
    /// <param name="value">The handle; zero is ignored.</param>
    public static void ReleaseValue(IntPtr value)
    {
        if (value != IntPtr.Zero)
        {
            ReleaseValueFn(value);
        }
    }

    /// <summary>The tensor's data pointer.</summary>
    /// <param name="value">A tensor value.</param>
    public static byte* TensorData(IntPtr value)
    {
        void* data;
        Check(GetTensorMutableDataFn(value, &data));
        return (byte*)data;
    }

    /// <summary>A tensor's element type and dimensions; <paramref name="shape"/> is reused when it holds the same dimensions.</summary>
    /// <param name="value">A tensor value.</param>
    /// <param name="elementType">Receives the ONNX element type.</param>
    /// <param name="shape">The previous shape for this output (reused when equal), replaced otherwise.</param>
    public static void TypeAndShape(IntPtr value, out int elementType, ref long[] shape)
    {
        IntPtr info;
        Check(GetTensorTypeAndShapeFn(value, &info));
        try
        {
            int type;
            Check(GetTensorElementTypeFn(info, &type));
            elementType = type;
            nuint count;
            Check(GetDimensionsCountFn(info, &count));
            if (count > 64)
            {
                throw new OrtNativeException($"output has {count} dimensions");
            }

            var dims = stackalloc long[(int)count];
            Check(GetDimensionsFn(info, dims, count));
            var current = new ReadOnlySpan<long>(dims, (int)count);
            if (!current.SequenceEqual(shape))
            {
                shape = current.ToArray();
            }
        }
        finally
        {
            ReleaseTensorTypeAndShapeInfoFn(info);
        }
    }

    private static void Check(IntPtr status)
    {
        if (status == IntPtr.Zero)
        {
            return;
        }

        var message = Marshal.PtrToStringUTF8(GetErrorMessageFn(status)) ?? "unknown error";
        ReleaseStatusFn(status);
        throw new OrtNativeException(message);
    }

    private static IntPtr Pointer(object api, string name)
    {
        var field = api.GetType().GetField(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingFieldException("OrtApi." + name);
        var pointer = (IntPtr)field.GetValue(api)!;
        return pointer == IntPtr.Zero ? throw new MissingFieldException("OrtApi." + name + " is null") : pointer;
    }
}

/// <summary>A failed <see cref="OrtNative"/> call: ONNX Runtime's status message.</summary>
internal sealed class OrtNativeException : Exception
{
    public OrtNativeException()
    {
    }

    public OrtNativeException(string message)
        : base(message)
    {
    }

    public OrtNativeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
