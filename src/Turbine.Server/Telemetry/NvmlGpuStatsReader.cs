using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Turbine.Server.Telemetry;

/// <summary>
/// GPU state through NVML, the NVIDIA driver's management library (<c>libnvidia-ml.so.1</c>), loaded with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> when the reader is created: no driver, no GPU or an NVML
/// without the calls used means no GPU metrics and one information log, never a failure. Devices are enumerated
/// once (at most <see cref="MaxDevices"/>), as Triton does at start-up; each scrape reads utilisation, memory and power.
/// Works in both builds: the metrics need the driver, not the GPU build of ONNX Runtime.
/// </summary>
internal sealed unsafe class NvmlGpuStatsReader : IGpuStatsReader, IDisposable
{
    public const string DefaultLibrary = "libnvidia-ml.so.1";

    /// <summary>Devices read at most; a host with more shows the first ones.</summary>
    public const int MaxDevices = 64;

    private const int Success = 0;

    /// <summary>NVML_DEVICE_UUID_V2_BUFFER_SIZE.</summary>
    private const int UuidBufferSize = 96;

    private readonly Lock _gate = new();
    private nint _library;
    private readonly (nint Handle, string Uuid)[] _devices = [];
    private readonly delegate* unmanaged<int> _shutdown;
    private readonly delegate* unmanaged<nint, Utilization*, int> _utilization;
    private readonly delegate* unmanaged<nint, Memory*, int> _memory;
    private readonly delegate* unmanaged<nint, uint*, int> _power;
    private bool _running;

    public NvmlGpuStatsReader(ILogger logger, string library = DefaultLibrary)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!NativeLibrary.TryLoad(library, out _library))
        {
            GpuStatsLog.NoNvml(logger, library);
            return;
        }

        if (!TryExport("nvmlInit_v2", out var init) || !TryExport("nvmlShutdown", out var shutdown)
            || !TryExport("nvmlDeviceGetCount_v2", out var count) || !TryExport("nvmlDeviceGetHandleByIndex_v2", out var handle)
            || !TryExport("nvmlDeviceGetUUID", out var uuid) || !TryExport("nvmlDeviceGetUtilizationRates", out var utilization)
            || !TryExport("nvmlDeviceGetMemoryInfo", out var memory) || !TryExport("nvmlDeviceGetPowerUsage", out var power))
        {
            GpuStatsLog.NvmlFailed(logger, "dlsym", $"{library} lacks an NVML call this reader uses");
            Unload();
            return;
        }

        _ = TryExport("nvmlErrorString", out var errorString);
        _shutdown = (delegate* unmanaged<int>)shutdown;
        _utilization = (delegate* unmanaged<nint, Utilization*, int>)utilization;
        _memory = (delegate* unmanaged<nint, Memory*, int>)memory;
        _power = (delegate* unmanaged<nint, uint*, int>)power;
        var describe = (delegate* unmanaged<int, byte*>)errorString;

        var status = ((delegate* unmanaged<int>)init)();
        if (status != Success)
        {
            GpuStatsLog.NvmlFailed(logger, "nvmlInit_v2", Describe(describe, status));
            Unload();
            return;
        }

        _running = true;
        uint found;
        status = ((delegate* unmanaged<uint*, int>)count)(&found);
        if (status != Success)
        {
            GpuStatsLog.NvmlFailed(logger, "nvmlDeviceGetCount_v2", Describe(describe, status));
            Dispose();
            return;
        }

        var devices = new List<(nint, string)>();
        var buffer = stackalloc byte[UuidBufferSize];
        for (uint i = 0; i < Math.Min(found, MaxDevices); i++)
        {
            nint device;
            if (((delegate* unmanaged<uint, nint*, int>)handle)(i, &device) != Success
                || ((delegate* unmanaged<nint, byte*, uint, int>)uuid)(device, buffer, UuidBufferSize) != Success)
            {
                continue;
            }

            devices.Add((device, Marshal.PtrToStringUTF8((nint)buffer) ?? $"GPU-{i}"));
        }

        _devices = [.. devices];
        GpuStatsLog.Found(logger, _devices.Length, string.Join(", ", _devices.Select(d => d.Uuid)));
    }

    public IReadOnlyList<GpuSample> Read()
    {
        lock (_gate)
        {
            if (!_running || _devices.Length == 0)
            {
                return [];
            }

            var samples = new GpuSample[_devices.Length];
            for (var i = 0; i < _devices.Length; i++)
            {
                var (device, uuid) = _devices[i];
                Utilization u;
                Memory m;
                uint milliwatts;
                var memoryRead = _memory(device, &m) == Success;
                samples[i] = new GpuSample(
                    uuid,
                    _utilization(device, &u) == Success ? u.Gpu / 100.0 : null,
                    memoryRead ? (long)m.Used : null,
                    memoryRead ? (long)m.Total : null,
                    _power(device, &milliwatts) == Success ? milliwatts / 1000.0 : null);
            }

            return samples;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_running)
            {
                _running = false;
                _ = _shutdown();
            }

            Unload();
        }
    }

    private void Unload()
    {
        if (_library != 0)
        {
            NativeLibrary.Free(_library);
            _library = 0;
        }
    }

    private bool TryExport(string name, out nint address) => NativeLibrary.TryGetExport(_library, name, out address);

    private static string Describe(delegate* unmanaged<int, byte*> errorString, int status) =>
        errorString is null ? $"NVML error {status}" : $"{Marshal.PtrToStringUTF8((nint)errorString(status))} (NVML error {status})";

    /// <summary><c>nvmlUtilization_t</c>: percent of time a kernel ran, and the memory controller was busy.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Utilization
    {
        public uint Gpu;
        public uint MemoryController;
    }

    /// <summary><c>nvmlMemory_t</c>, bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }
}
