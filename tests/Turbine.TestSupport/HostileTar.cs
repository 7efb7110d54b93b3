using System.Formats.Tar;
using System.Text;

namespace Turbine.TestSupport;

/// <summary>
/// Builds tar artifacts in the test, including entries an attacker would use (devices, FIFOs, links, absolute and
/// '..' names): System.Formats.Tar writes them without root.
/// </summary>
public static class HostileTar
{
    /// <summary>A tar at <paramref name="path"/>: <c>1/model.onnx</c> with the model bytes, then the given entries.</summary>
    public static string Write(string path, byte[] model, params TarEntry[] entries)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        using var writer = new TarWriter(stream, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "1/"));
        writer.WriteEntry(Text("1/model.onnx", model));
        foreach (var entry in entries)
        {
            writer.WriteEntry(entry);
        }

        return path;
    }

    public static TarEntry Text(string name, string text) => Text(name, Encoding.UTF8.GetBytes(text));

    public static TarEntry Text(string name, byte[] bytes) =>
        new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) };

    public static TarEntry Fifo(string name) => new PaxTarEntry(TarEntryType.Fifo, name);

    /// <summary>A character device; 1:5 is /dev/zero on Linux.</summary>
    public static TarEntry CharacterDevice(string name, int major = 1, int minor = 5) =>
        new PaxTarEntry(TarEntryType.CharacterDevice, name) { DeviceMajor = major, DeviceMinor = minor };

    public static TarEntry BlockDevice(string name) => new PaxTarEntry(TarEntryType.BlockDevice, name) { DeviceMajor = 8, DeviceMinor = 0 };

    public static TarEntry SymbolicLink(string name, string target) => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };

    public static TarEntry HardLink(string name, string target) => new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target };
}
