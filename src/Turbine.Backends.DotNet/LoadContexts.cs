using System.Runtime.CompilerServices;
using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Backends.DotNet;

/// <summary>
/// One <see cref="ModelLoadContext"/> per loaded model version, shared by its instances and unloaded when the last
/// one is disposed. A version is identified by its model file and the config object of the load that created it, so a
/// reload (a new config object) gets a new context while the old one drains.
/// </summary>
internal sealed class LoadContexts
{
    private readonly Dictionary<Key, Shared> _live = [];
    private readonly List<WeakReference> _created = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<WeakReference> Created
    {
        get
        {
            lock (_lock)
            {
                return [.. _created];
            }
        }
    }

    public Handle Acquire(ModelInstanceSpec spec)
    {
        var key = new Key(spec.ModelFilePath, spec.Config);
        lock (_lock)
        {
            if (!_live.TryGetValue(key, out var shared))
            {
                var directory = Path.GetDirectoryName(spec.ModelFilePath)!;
                shared = new Shared(new ModelLoadContext($"{spec.Config.Name}/{spec.Version}", directory));
                _live[key] = shared;
                _created.Add(new WeakReference(shared.Context, trackResurrection: false));
            }

            shared.References++;
            return new Handle(this, key, shared.Context);
        }
    }

    private void Release(Key key)
    {
        ModelLoadContext? unload = null;
        lock (_lock)
        {
            if (_live.TryGetValue(key, out var shared) && --shared.References == 0)
            {
                _live.Remove(key);
                unload = shared.Context;
            }
        }

        unload?.Unload();
    }

    private sealed class Shared(ModelLoadContext context)
    {
        public ModelLoadContext Context { get; } = context;

        public int References { get; set; }
    }

    internal readonly record struct Key(string Path, ModelConfig Config)
    {
        public bool Equals(Key other) => Path == other.Path && ReferenceEquals(Config, other.Config);

        public override int GetHashCode() => HashCode.Combine(Path, RuntimeHelpers.GetHashCode(Config));
    }

    /// <summary>An instance's hold on its version's context.</summary>
    internal sealed class Handle(LoadContexts owner, Key key, ModelLoadContext context) : IDisposable
    {
        private int _disposed;

        public ModelLoadContext Context { get; private set; } = context;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Context = null!;
                owner.Release(key);
            }
        }
    }
}
