using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Turbine.Batch.Tables;

/// <summary>
/// JSON Lines: one object per line; the columns are the first object's keys (later keys not among them are ignored,
/// missing ones are null). Parts are ranges of <c>partRows</c> records. Blank lines are skipped and not counted.
/// </summary>
internal sealed class JsonLinesTableReader : ITableReader
{
    private readonly BoundedLineReader _lines;
    private readonly int _partRows;
    private readonly Dictionary<string, int> _index;
    private string? _pending;

    private JsonLinesTableReader(BoundedLineReader lines, int partRows, List<TableColumn> columns, string? first)
    {
        _lines = lines;
        _partRows = partRows;
        Columns = columns;
        _index = columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _pending = first;
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public int? PartCount { get; private set; }

    public long? RowsIn(Func<int, bool> wanted) => null;

    public static async Task<JsonLinesTableReader> OpenAsync(Stream stream, int partRows, int maxLineChars, CancellationToken cancellationToken)
    {
        var lines = new BoundedLineReader(stream, maxLineChars);
        try
        {
            string? first;
            do
            {
                first = await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            while (first is not null && string.IsNullOrWhiteSpace(first));

            var columns = new List<TableColumn>();
            if (first is not null)
            {
                using var document = ParseObject(first, 1);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    var cell = JsonValues.ToCell(property.Value);
                    var kind = JsonValues.KindOf(cell);
                    columns.Add(kind == ColumnKind.List
                        ? TableColumn.ListOf(property.Name, ((object?[])cell!).Length > 0 ? JsonValues.KindOf(((object?[])cell!)[0]) : ColumnKind.Double)
                        : TableColumn.Scalar(property.Name, kind));
                }
            }

            return new JsonLinesTableReader(lines, partRows, columns, first);
        }
        catch
        {
            lines.Dispose();
            throw;
        }
    }

    private static JsonDocument ParseObject(string line, long row)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"row {row}: not valid JSON: {e.Message}", e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidDataException($"row {row}: a JSON Lines row must be an object, got {document.RootElement.ValueKind}");
        }

        return document;
    }

    public async IAsyncEnumerable<TablePart> ReadPartsAsync(Func<int, bool> wanted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var part = 0;
        long row = 1;
        while (true)
        {
            var take = wanted(part);
            var columns = take ? Columns.Select(_ => new object?[_partRows]).ToArray() : [];
            Dictionary<int, string>? errors = null;
            var count = 0;
            var first = row;
            while (count < _partRows)
            {
                var line = _pending ?? await _lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                _pending = null;
                if (line is null)
                {
                    break;
                }

                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (take)
                {
                    try
                    {
                        using var document = ParseObject(line, row);
                        foreach (var property in document.RootElement.EnumerateObject())
                        {
                            if (_index.TryGetValue(property.Name, out var c))
                            {
                                columns[c][count] = JsonValues.ToCell(property.Value);
                            }
                        }
                    }
                    catch (InvalidDataException e)
                    {
                        (errors ??= [])[count] = e.Message[(e.Message.IndexOf(':', StringComparison.Ordinal) + 2)..];
                    }
                }

                count++;
                row++;
            }

            if (count == 0)
            {
                PartCount = part;
                yield break;
            }

            if (take)
            {
                if (count < _partRows)
                {
                    for (var c = 0; c < columns.Length; c++)
                    {
                        Array.Resize(ref columns[c], count);
                    }
                }

                yield return new TablePart(part, first, count, columns, errors);
            }

            part++;
            if (count < _partRows)
            {
                PartCount = part;
                yield break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _lines.Dispose();
        return ValueTask.CompletedTask;
    }
}
