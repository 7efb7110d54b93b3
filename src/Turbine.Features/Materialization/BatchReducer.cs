using System.Runtime.InteropServices;
using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Sources;

namespace Turbine.Features.Materialization;

/// <summary>
/// Reduces one source batch of a feature view to the latest row per entity in a window and encodes those rows for
/// the store. Rows are compared by their typed join key columns (no key bytes or strings per row); only the
/// winning rows get a serialized key and encoded values. The buffers are kept from batch to batch, so the hot
/// path allocates per written entity (its key and the store's record), not per row read.
/// </summary>
internal sealed class BatchReducer
{
    private readonly FeatureViewDefinition _view;
    private readonly SourceDefinition _source;
    private readonly IReadOnlyList<EntityDefinition> _joinKeys;
    private readonly EntityKeyWriter _keyWriter;
    private readonly EncodedRows _encoded;
    private readonly Dictionary<int, int> _latest;
    private long[] _events = [];
    private long[] _created = [];
    private long[][] _ints;
    private string?[][] _strings;
    private bool[][] _nulls;

    public BatchReducer(FeatureViewDefinition view, SourceDefinition source, IReadOnlyList<EntityDefinition> joinKeys, int keyVersion)
    {
        _view = view;
        _source = source;
        _joinKeys = joinKeys;
        _keyWriter = new EntityKeyWriter(joinKeys, keyVersion);
        _encoded = new EncodedRows(view.Features.Count);
        _ints = new long[joinKeys.Count][];
        _strings = new string?[joinKeys.Count][];
        _nulls = new bool[joinKeys.Count][];
        _latest = new Dictionary<int, int>(new RowKeyComparer(this));
    }

    /// <summary>The batch's latest row per entity with event time in [start, end], encoded (valid until the next call), and how many rows were in the window.</summary>
    public (EncodedRows Rows, long InWindow) Reduce(SourceBatch batch, long start, long end)
    {
        var n = batch.Count;
        Grow(n);
        Convert(batch, _source.TimestampField, column => TypedColumns.Times(column, _events.AsSpan(0, n)));
        if (_source.CreatedTimestampColumn is { } createdColumn)
        {
            Convert(batch, createdColumn, column => TypedColumns.Times(column, _created.AsSpan(0, n)));
        }
        else
        {
            _created.AsSpan(0, n).Clear();
        }

        for (var j = 0; j < _joinKeys.Count; j++)
        {
            var jk = _joinKeys[j];
            Convert(batch, jk.JoinKey, column => TypedColumns.Keys(column, jk.Type, n, _ints[j], _strings[j], _nulls[j]));
        }

        _latest.Clear();
        long inWindow = 0;
        for (var i = 0; i < n; i++)
        {
            var e = _events[i];
            if (e == TypedColumns.NoTime)
            {
                throw new FeatureRepoException($"{batch.Where(_source.TimestampField, i)}: no timestamp");
            }

            if (e < start || e > end)
            {
                continue;
            }

            inWindow++;
            if (HasNullKey(i))
            {
                continue;
            }

            ref var best = ref CollectionsMarshal.GetValueRefOrAddDefault(_latest, i, out var exists);
            if (!exists || e > _events[best] || (e == _events[best] && Created(i) >= Created(best)))
            {
                best = i;
            }
        }

        _encoded.Clear();
        foreach (var row in _latest.Values)
        {
            _encoded.StartRow(_keyWriter.Write(row, _ints, _strings), _events[row], Created(row));
            for (var f = 0; f < _view.Features.Count; f++)
            {
                var feature = _view.Features[f];
                try
                {
                    TypedColumns.Encode(batch.Raw[feature.Name], row, feature.Type, _encoded);
                }
                catch (RowFormatException x)
                {
                    throw new FeatureRepoException($"{batch.Where(feature.Name, x.Row)}: {x.Message}", x);
                }
            }
        }

        return (_encoded, inWindow);
    }

    /// <summary>A null created time sorts first, as a row without one.</summary>
    private long Created(int row) => _created[row] == TypedColumns.NoTime ? 0 : _created[row];

    private static void Convert(SourceBatch batch, string column, Action<Array> convert)
    {
        try
        {
            convert(batch.Raw[column]);
        }
        catch (RowFormatException x)
        {
            throw new FeatureRepoException($"{batch.Where(column, x.Row)}: {x.Message}", x);
        }
    }

    private bool HasNullKey(int row)
    {
        for (var j = 0; j < _nulls.Length; j++)
        {
            if (_nulls[j][row])
            {
                return true;
            }
        }

        return false;
    }

    private void Grow(int n)
    {
        if (_events.Length >= n)
        {
            return;
        }

        _events = new long[n];
        _created = new long[n];
        for (var j = 0; j < _joinKeys.Count; j++)
        {
            _ints[j] = new long[n];
            _strings[j] = new string?[n];
            _nulls[j] = new bool[n];
        }
    }

    /// <summary>Rows of the current batch compared by their join key values.</summary>
    private sealed class RowKeyComparer(BatchReducer owner) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b)
        {
            for (var j = 0; j < owner._joinKeys.Count; j++)
            {
                if (owner._joinKeys[j].Type == FeatureType.String
                    ? !string.Equals(owner._strings[j][a], owner._strings[j][b], StringComparison.Ordinal)
                    : owner._ints[j][a] != owner._ints[j][b])
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(int row)
        {
            var hash = 0;
            for (var j = 0; j < owner._joinKeys.Count; j++)
            {
                var h = owner._joinKeys[j].Type == FeatureType.String ? StringComparer.Ordinal.GetHashCode(owner._strings[j][row]!) : owner._ints[j][row].GetHashCode();
                hash = HashCode.Combine(hash, h);
            }

            return hash;
        }
    }
}
