using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using Parquet;
using Parquet.Schema;
using Turbine.Features.Definitions;

namespace Turbine.Features.Sources;

/// <summary>
/// Streams a Parquet or CSV source (a file, or every matching regular file of a folder in name order) as
/// <see cref="SourceBatch"/>es holding only the columns asked for, so memory is bounded by one row group whatever
/// the source's length. A missing column or an unreadable file stops with the file, row group and column.
/// </summary>
public static class SourceReader
{
    /// <summary>Rows per batch read from a CSV source.</summary>
    public const int CsvBatchRows = 16_384;

    /// <summary>Largest row group read at once (rows); a larger one is refused rather than exhausting memory.</summary>
    public const long MaxRowGroupRows = 16_000_000;

    public static IReadOnlyList<string> Files(string path, SourceFormat format)
    {
        var ext = format == SourceFormat.Parquet ? ".parquet" : ".csv";
        if (Directory.Exists(path))
        {
            return Directory.EnumerateFiles(path, "*" + ext)
                .Where(IsRegularFile)
                .Order(StringComparer.Ordinal)
                .ToArray();
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FeatureRepoException($"source file '{path}': not found");
        }

        if (info.LinkTarget is not null)
        {
            throw new FeatureRepoException($"source file '{path}': a link, not a regular file");
        }

        if (!IsRegularFile(path))
        {
            // A FIFO or a device: opening it could block forever or read without end.
            throw new FeatureRepoException($"source file '{path}': not a regular file");
        }

        return [path];
    }

    /// <summary>lstat says a regular file (no link, FIFO, socket or device).</summary>
    private static bool IsRegularFile(string path) =>
        Turbine.Core.Repository.NativeFiles.TryStat(path, followLinks: false, out var stat) && stat.IsRegularFile;

    /// <summary>How many row groups a Parquet source holds in all (for progress); null for CSV and for S3 (not downloaded twice).</summary>
    public static async Task<int?> CountRowGroupsAsync(string path, SourceFormat format, CancellationToken cancellationToken = default)
    {
        if (format != SourceFormat.Parquet || SourceStorage.IsS3(path))
        {
            return null;
        }

        var total = 0;
        foreach (var file in Files(path, format))
        {
            var stream = File.OpenRead(file);
            await using (stream.ConfigureAwait(false))
            {
                try
                {
                    var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        total += reader.RowGroupCount;
                    }
                }
                catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
                {
                    throw new FeatureRepoException($"{Path.GetFileName(file)}: not a readable Parquet file: {e.Message}", e);
                }
            }
        }

        return total;
    }

    /// <summary>The column names of a single Parquet or CSV file (a local path or an s3:// object).</summary>
    public static Task<IReadOnlyList<string>> ColumnsOfAsync(string file, SourceFormat format, CancellationToken cancellationToken = default) =>
        ColumnsOfAsync(file, format, null, cancellationToken);

    /// <summary>The column names of a single Parquet or CSV file (a local path or an s3:// object read through <paramref name="storage"/>).</summary>
    public static async Task<IReadOnlyList<string>> ColumnsOfAsync(string file, SourceFormat format, SourceStorage? storage, CancellationToken cancellationToken = default)
    {
        storage ??= SourceStorage.Default;
        var name = Display(file);
        var stream = await storage.OpenAsync(file, format == SourceFormat.Parquet, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (format == SourceFormat.Parquet)
            {
                try
                {
                    var schema = await ParquetReader.ReadSchemaAsync(stream).ConfigureAwait(false);
                    return schema.GetDataFields().Select(f => f.Name).ToArray();
                }
                catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
                {
                    throw new FeatureRepoException($"{name}: not a readable Parquet file: {e.Message}", e);
                }
            }

            var csv = CsvReader.Create(new StreamReader(stream, leaveOpen: true), new CsvReaderOptions { Separator = ',' }, leaveOpen: false);
            await using (csv.ConfigureAwait(false))
            {
                await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
                return csv.Headers.ToArray();
            }
        }
    }

    /// <summary>A file's name for messages: the file name of a local path, the whole URI of an S3 object.</summary>
    internal static string Display(string file) => SourceStorage.IsS3(file) ? file : Path.GetFileName(file);

    public static IAsyncEnumerable<SourceBatch> ReadAsync(string path, SourceFormat format, IReadOnlyCollection<string> columns, CancellationToken cancellationToken = default) =>
        ReadAsync(path, format, columns, null, null, cancellationToken);

    /// <summary>Streams a source's batches; <paramref name="storage"/> (default: <see cref="SourceStorage.Default"/>) reads s3:// paths.</summary>
    public static IAsyncEnumerable<SourceBatch> ReadAsync(SourceDefinition source, IReadOnlyCollection<string> columns, SourceStorage? storage, CancellationToken cancellationToken = default) =>
        ReadAsync(source.Path, source.Format, columns, storage, source.S3EndpointOverride, cancellationToken);

    public static async IAsyncEnumerable<SourceBatch> ReadAsync(string path, SourceFormat format, IReadOnlyCollection<string> columns, SourceStorage? storage, string? endpointOverride,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        storage ??= SourceStorage.Default;
        foreach (var file in await storage.FilesAsync(path, format, endpointOverride, cancellationToken).ConfigureAwait(false))
        {
            var stream = await storage.OpenAsync(file, format == SourceFormat.Parquet, endpointOverride, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var batches = format == SourceFormat.Parquet ? ReadParquetAsync(file, stream, columns, cancellationToken) : ReadCsvAsync(file, stream, columns, cancellationToken);
                await foreach (var batch in batches.ConfigureAwait(false))
                {
                    yield return batch;
                }
            }
        }
    }

    private static async IAsyncEnumerable<SourceBatch> ReadParquetAsync(string file, Stream stream, IReadOnlyCollection<string> columns, [EnumeratorCancellation] CancellationToken ct)
    {
        var name = Display(file);
        {
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
            {
                throw new FeatureRepoException($"{name}: not a readable Parquet file: {e.Message}", e);
            }

            await using (reader.ConfigureAwait(false))
            {
                var fields = reader.Schema.GetDataFields();
                var wanted = new List<DataField>();
                foreach (var c in columns)
                {
                    wanted.Add(fields.FirstOrDefault(f => string.Equals(f.Name, c, StringComparison.Ordinal))
                        ?? throw new FeatureRepoException($"{name}: column '{c}' not found (columns: {string.Join(", ", fields.Select(f => f.Name))})"));
                }

                long firstRow = 0;
                var buffers = new Dictionary<string, Array>(StringComparer.Ordinal);
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rg = reader.OpenRowGroupReader(g);
                    if (rg.RowCount > MaxRowGroupRows)
                    {
                        throw new FeatureRepoException($"{name}: row group {g}: {rg.RowCount} rows, more than the {MaxRowGroupRows} read at once");
                    }

                    var n = (int)rg.RowCount;
                    var data = new Dictionary<string, Array>(StringComparer.Ordinal);
                    foreach (var f in wanted)
                    {
                        try
                        {
                            data[f.Name] = buffers[f.Name] = await ParquetColumns.ReadAsync(rg, f, n, buffers.GetValueOrDefault(f.Name), ct).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
                        {
                            throw new FeatureRepoException($"{name}: row group {g}, column '{f.Name}': {e.Message}", e);
                        }
                    }

                    yield return new SourceBatch(file, g, firstRow, n, data);
                    firstRow += n;
                }
            }
        }
    }

    private static async IAsyncEnumerable<SourceBatch> ReadCsvAsync(string file, Stream stream, IReadOnlyCollection<string> columns, [EnumeratorCancellation] CancellationToken ct)
    {
        var name = Display(file);
        var csv = CsvReader.Create(new StreamReader(stream, leaveOpen: true), new CsvReaderOptions { Separator = ',', MaxRecordSize = 1 << 20, NullValues = [""] }, leaveOpen: false);
        await using (csv.ConfigureAwait(false))
        {
            await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
            var header = csv.Headers.ToArray();
            var index = columns.Select(c =>
            {
                var i = Array.IndexOf(header, c);
                return i >= 0 ? i : throw new FeatureRepoException($"{name}: column '{c}' not found (columns: {string.Join(", ", header)})");
            }).ToArray();
            var names = columns.ToArray();
            var group = 0;
            long firstRow = 0;
            while (true)
            {
                var buffers = names.Select(_ => new string?[CsvBatchRows]).ToArray();
                var count = 0;
                while (count < CsvBatchRows && await csv.ReadAsync(ct).ConfigureAwait(false))
                {
                    for (var c = 0; c < names.Length; c++)
                    {
                        buffers[c][count] = csv.FieldCount > index[c] ? csv.GetStringOrNull(index[c]) : null;
                    }

                    count++;
                }

                if (count == 0)
                {
                    yield break;
                }

                var data = new Dictionary<string, Array>(StringComparer.Ordinal);
                for (var c = 0; c < names.Length; c++)
                {
                    data[names[c]] = count == CsvBatchRows ? buffers[c] : buffers[c][..count];
                }

                yield return new SourceBatch(file, group++, firstRow, count, data);
                firstRow += count;
            }
        }
    }
}
