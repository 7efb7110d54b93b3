using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Backends.Onnx;

/// <summary>
/// Weights once: the CPU instances of one loaded model version (an instance group with <c>count</c> &gt; 1) run on one
/// ONNX Runtime session instead of one session each, so the version's weights, prepacked weights and graph are held
/// once. <c>InferenceSession.Run</c> is safe to call concurrently; each instance keeps its own run options and argument
/// buffers. Sessions are keyed by the load's configuration object (a reload has a new one, so it never reuses the old
/// version's session) and freed when the last instance using one is disposed.
/// </summary>
internal sealed class SessionShare
{
    /// <summary>The config parameter that turns sharing off for a model (<c>"false"</c>): one session per instance.</summary>
    public const string Parameter = "share_session";

    private readonly Lock _lock = new();
    private readonly Dictionary<Key, Entry> _sessions = new();

    /// <summary>True when the instance may share its version's session: not a GPU instance, and not turned off by <see cref="Parameter"/>.</summary>
    public static bool Shares(ModelInstanceSpec spec) =>
        spec.Kind != ModelInstanceKind.Gpu
        && !(spec.Config.Parameters.TryGetValue(Parameter, out var share) && string.Equals(share.Trim(), "false", StringComparison.OrdinalIgnoreCase));

    /// <summary>Sessions shared now (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>A hold on the version's shared session, created by <paramref name="create"/> for the first instance.</summary>
    public Lease Acquire(ModelInstanceSpec spec, Func<ModelInstanceSpec, InferenceSession> create)
    {
        var key = new Key(spec.Config, spec.ModelFilePath, spec.Version);
        lock (_lock)
        {
            if (_sessions.TryGetValue(key, out var existing))
            {
                existing.References++;
                return new Lease(this, key, existing.Session);
            }
        }

        // Instances of one version are created one after another by its load, so two first creations do not race;
        // if they ever did, the second session is used alone and freed with its instance.
        var session = create(spec);
        lock (_lock)
        {
            if (_sessions.TryAdd(key, new Entry(session)))
            {
                return new Lease(this, key, session);
            }
        }

        return new Lease(null, key, session);
    }

    private void Release(Key key)
    {
        InferenceSession? free = null;
        lock (_lock)
        {
            if (_sessions.TryGetValue(key, out var entry) && --entry.References == 0)
            {
                _sessions.Remove(key);
                free = entry.Session;
            }
        }

        free?.Dispose();
    }

    internal readonly record struct Key(ModelConfig Config, string Path, long Version)
    {
        public bool Equals(Key other) => ReferenceEquals(Config, other.Config) && Path == other.Path && Version == other.Version;

        public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Config), Path, Version);
    }

    private sealed class Entry(InferenceSession session)
    {
        public InferenceSession Session { get; } = session;

        public int References { get; set; } = 1;
    }

    /// <summary>One instance's hold on a session; disposing it releases the hold (the last one frees the session).</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly SessionShare? _owner;
        private readonly Key _key;
        private int _disposed;

        internal Lease(SessionShare? owner, Key key, InferenceSession session)
        {
            _owner = owner;
            _key = key;
            Session = session;
        }

        public InferenceSession Session { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            if (_owner is null)
            {
                Session.Dispose();
            }
            else
            {
                _owner.Release(_key);
            }
        }
    }
}
