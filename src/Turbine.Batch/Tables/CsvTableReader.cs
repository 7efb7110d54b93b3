using System.Runtime.CompilerServices;
using CsvHelper;

namespace Turbine.Batch.Tables;

/// <summary>
/// CSV with a header row (RFC 4180 quoting, CsvHelper's parser). Every column is text; the column ↔ tensor mapping
/// parses numbers and JSON arrays (<c>"[1,2,3]"</c>) as the model's input needs. Parts are ranges of records.
/// </summary>
internal sealed class CsvTableReader : ITableReader
{
    private readonly CsvReader _parser;
    private readonly int _partRows;

    private CsvTableReader(CsvReader parser, int partRows, List<TableColumn> columns)
    {
        _parser = parser;
        _partRows = partRows;
        Columns = columns;
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public int? PartCount { get; private set; }

    public long? RowsIn(Func<int, bool> wanted) => null;

    public static async Task<CsvTableReader> OpenAsync(Stream stream, int partRows, int maxFieldChars)
    {
        var parser = CsvReader.Create(stream, new CsvReaderOptions { Separator = ',', MaxRecordSize = maxFieldChars, PoolStrings = false }, false);
        try
        {
            var columns = new List<TableColumn>();
            await parser.ReadHeaderAsync(CancellationToken.None).ConfigureAwait(false);
            {
                var header = parser.Headers.ToArray();
                if (header.Distinct(StringComparer.Ordinal).Count() != header.Length)
                {
                    throw new InvalidDataException($"the CSV header repeats a column name: {string.Join(",", header)}");
                }

                columns.AddRange(header.Select(h => TableColumn.Scalar(h, ColumnKind.String)));
            }

            return new CsvTableReader(parser, partRows, columns);
        }
        catch (CsvFormatException e)
        {
            await parser.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"the CSV header does not parse: {e.Message.Split('\n')[0]}", e);
        }
        catch
        {
            await parser.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async IAsyncEnumerable<TablePart> ReadPartsAsync(Func<int, bool> wanted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var part = 0;
        long row = 1;
        var width = Columns.Count;
        while (true)
        {
            var take = wanted(part);
            var columns = take ? Columns.Select(_ => new object?[_partRows]).ToArray() : [];
            Dictionary<int, string>? errors = null;
            var count = 0;
            var first = row;
            while (count < _partRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool read;
                try
                {
                    read = await _parser.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (CsvFormatException e)
                {
                    throw new InvalidDataException($"row {row}: {e.Message.Split('\n')[0]}", e);
                }

                if (!read)
                {
                    break;
                }

                if (take)
                {
                    if (_parser.FieldCount != width)
                    {
                        (errors ??= [])[count] = $"has {_parser.FieldCount} fields, the header has {width}";
                    }
                    else
                    {
                        for (var c = 0; c < width; c++)
                        {
                            columns[c][count] = _parser.GetString(c);
                        }
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

    public ValueTask DisposeAsync() => _parser.DisposeAsync();
}
