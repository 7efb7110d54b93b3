using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Turbine.Core.Tensors;

namespace Turbine.Core.Caching;

/// <summary>
/// The server-wide response cache (Triton's local cache): responses of models with
/// <c>response_cache { enable: true }</c>, keyed by a 128-bit hash of the model version's identity, every input
/// (name, datatype, shape, bytes) and the requested outputs with their parameters; least recently used entries
/// are evicted to stay within the byte limit. Entries hold copies of the output bytes, so a hit answers without
/// running the model and without copying.
/// </summary>
internal sealed class ResponseCache
{
    private const int EntryOverheadBytes = 128;

    private readonly Dictionary<UInt128, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private readonly Lock _lock = new();
    private long _bytes;

    public ResponseCache(long capacityBytes)
    {
        CapacityBytes = capacityBytes;
    }

    public long CapacityBytes { get; }

    public long SizeBytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Computes the key of a request for a loaded version (identified by <paramref name="versionIdentity"/>).</summary>
    public static UInt128 Key(long versionIdentity, InferenceRequest request)
    {
        var hash = new XxHash128();
        Span<byte> scratch = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(scratch, versionIdentity);
        hash.Append(scratch);
        foreach (var input in request.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            AppendString(hash, input.Name);
            BinaryPrimitives.WriteInt64LittleEndian(scratch, (long)input.DataType);
            hash.Append(scratch);
            BinaryPrimitives.WriteInt64LittleEndian(scratch, input.Shape.Length);
            hash.Append(scratch);
            foreach (var d in input.Shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(scratch, d);
                hash.Append(scratch);
            }

            BinaryPrimitives.WriteInt64LittleEndian(scratch, input.Data.Length);
            hash.Append(scratch);
            hash.Append(input.Data.Span);
        }

        AppendString(hash, "|outputs|");
        foreach (var output in request.Outputs.OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            AppendString(hash, output.Name);
            BinaryPrimitives.WriteInt64LittleEndian(scratch, output.ClassificationCount);
            hash.Append(scratch);
        }

        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>Looks a key up; a hit moves the entry to the most recently used end.</summary>
    public bool TryGet(UInt128 key, out IReadOnlyList<CachedTensor> outputs)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                outputs = node.Value.Outputs;
                return true;
            }
        }

        outputs = [];
        return false;
    }

    /// <summary>
    /// Stores copies of a response's outputs, evicting least recently used entries to make room. A response larger
    /// than the whole cache is not stored. Returns whether it was stored.
    /// </summary>
    public bool Put(UInt128 key, IReadOnlyList<InferenceTensor> outputs)
    {
        var size = EntryOverheadBytes + outputs.Sum(o => (long)o.Data.Length + EntryOverheadBytes);
        if (size > CapacityBytes)
        {
            return false;
        }

        var copies = outputs.Select(o => new CachedTensor(o.Name, o.DataType, [.. o.Shape], o.Data.ToArray())).ToList();
        lock (_lock)
        {
            if (_entries.ContainsKey(key))
            {
                return true;
            }

            while (_bytes + size > CapacityBytes && _lru.Last is { } oldest)
            {
                _lru.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Size;
            }

            _entries[key] = _lru.AddFirst(new Entry(key, copies, size));
            _bytes += size;
            return true;
        }
    }

    private static void AppendString(XxHash128 hash, string value)
    {
        Span<byte> length = stackalloc byte[4];
        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.Append(length);
        hash.Append(bytes);
    }

    private sealed record Entry(UInt128 Key, IReadOnlyList<CachedTensor> Outputs, long Size);
}
