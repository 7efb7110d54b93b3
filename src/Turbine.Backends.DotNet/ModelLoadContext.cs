using System.Reflection;
using System.Runtime.Loader;
using Turbine.Core.Repository;

namespace Turbine.Backends.DotNet;

/// <summary>
/// The collectible load context of one model version. Assemblies and native libraries resolve from the version
/// folder, through <see cref="ModelFiles"/> (inside the folder after links, regular files only, size-limited), except
/// those the server itself ships (the SDK <c>Turbine.Backend</c>, the framework and the server's own dependencies),
/// which are shared so that the model and the host agree on their types.
/// </summary>
internal sealed class ModelLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> HostAssemblies = ReadHostAssemblies();
    private readonly ModelFiles _files;

    public ModelLoadContext(string name, string versionDirectory)
        : base(name, isCollectible: true)
    {
        VersionDirectory = versionDirectory;
        _files = new ModelFiles(versionDirectory, new ModelFileLimits());
    }

    public string VersionDirectory { get; }

    /// <summary>Loads an assembly file of the version folder from its bytes (no file stays open or mapped).</summary>
    public Assembly LoadFile(string fileName, string field)
    {
        var bytes = _files.ReadAllBytes("", fileName, field, ModelFileKind.Model);
        using var stream = new MemoryStream(bytes, writable: false);
        return LoadFromStream(stream);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || HostAssemblies.Contains(name))
        {
            return null;
        }

        return _files.TryResolve("", name + ".dll", "dependency", ModelFileKind.Model) is null ? null : LoadFile(name + ".dll", $"dependency '{name}'");
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var folder in new[] { "", "runtimes/linux-x64/native" })
        {
            foreach (var candidate in new[] { unmanagedDllName, $"lib{unmanagedDllName}.so", $"{unmanagedDllName}.so" })
            {
                if (_files.TryResolve(folder, candidate, "native library", ModelFileKind.Model) is { } path)
                {
                    return LoadUnmanagedDllFromPath(path);
                }
            }
        }

        return IntPtr.Zero;
    }

    private static HashSet<string> ReadHostAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { typeof(Turbine.Backend.ITurbineModel).Assembly.GetName().Name! };
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
        {
            foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
