using System.Text.Json;
using Turbine.Batch.Storage;
using Turbine.Batch.Tables;

namespace Turbine.Batch.Jobs;

/// <summary>
/// Assembles the output from the committed parts of every shard (<c>turbine batch merge</c>, and the end of a
/// one-shard run): checks that every part of the input is committed exactly once, then writes the output file and the
/// errors file atomically, parts in input order.
/// </summary>
public static class BatchAssembler
{
    /// <summary>Assembles <paramref name="output"/> and <paramref name="errorsPath"/>.</summary>
    /// <param name="store">Where the output and its parts are.</param>
    /// <param name="output">The output path.</param>
    /// <param name="errorsPath">The errors file path.</param>
    /// <param name="format">The output format.</param>
    /// <param name="cancellationToken">Stops the merge (nothing is replaced).</param>
    /// <returns>Rows written.</returns>
    /// <exception cref="BatchJobException">A shard is missing or incomplete, or the manifests disagree.</exception>
    public static async Task<long> AssembleAsync(IBatchStore store, string output, string errorsPath, TableFormat format, CancellationToken cancellationToken)
    {
        var folder = output + ".parts";
        var manifests = new List<BatchManifest>();
        foreach (var name in await store.ListAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            if (name.StartsWith("manifest-", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            {
                var text = await store.ReadTextAsync(store.Combine(folder, name), cancellationToken).ConfigureAwait(false);
                manifests.Add(JsonSerializer.Deserialize<BatchManifest>(text!, BatchManifest.Json)!);
            }
        }

        if (manifests.Count == 0)
        {
            throw new BatchJobException($"no manifest in {folder}: run 'turbine batch run' first");
        }

        var count = manifests[0].ShardCount;
        if (manifests.Any(m => m.ShardCount != count || m.Fingerprint != manifests[0].Fingerprint))
        {
            throw new BatchJobException($"the manifests in {folder} come from different jobs (shard counts or fingerprints differ); rerun with --overwrite");
        }

        var missing = Enumerable.Range(0, count).Where(i => manifests.All(m => m.ShardIndex != i)).ToList();
        if (missing.Count > 0)
        {
            throw new BatchJobException($"shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} of {count} ha{(missing.Count > 1 ? "ve" : "s")} not started: run them (--shard-index) before merging");
        }

        var incomplete = manifests.Where(m => !m.Complete).Select(m => m.ShardIndex).Order().ToList();
        if (incomplete.Count > 0)
        {
            throw new BatchJobException($"shard{(incomplete.Count > 1 ? "s" : "")} {string.Join(", ", incomplete)} of {count} ha{(incomplete.Count > 1 ? "ve" : "s")} not finished: run {(incomplete.Count > 1 ? "them" : "it")} again with --resume");
        }

        var total = manifests[0].TotalParts!.Value;
        var parts = new List<(int Index, CommittedPart Part)>();
        for (var p = 0; p < total; p++)
        {
            var owner = manifests.Single(m => m.ShardIndex == p % count);
            parts.Add((p, owner.Parts[p]));
        }

        var columns = manifests[0].Columns;
        await store.WriteAsync(output, async stream =>
        {
            if (format == TableFormat.Parquet)
            {
                await MergeParquetAsync(store, folder, parts.Where(p => p.Part.OutputRows > 0).Select(p => p.Index), columns, stream, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (format == TableFormat.Csv)
            {
                await TableWriter.WriteCsvHeaderAsync(stream, columns).ConfigureAwait(false);
            }

            foreach (var (index, _) in parts)
            {
                await store.CopyToAsync(store.Combine(folder, BatchManifest.PartFileName(index, format)), stream, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(errorsPath, async stream =>
        {
            foreach (var (index, part) in parts.Where(p => p.Part.Errors > 0))
            {
                await store.CopyToAsync(store.Combine(folder, BatchManifest.ErrorsFileName(index)), stream, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return parts.Sum(p => (long)p.Part.OutputRows);
    }

    private static async Task MergeParquetAsync(IBatchStore store, string folder, IEnumerable<int> parts, List<TableColumn> columns, Stream destination, CancellationToken cancellationToken)
    {
        // Row groups are copied part by part; a remote part is spooled to a local temporary file first.
        var schema = TableWriter.ParquetSchemaOf(columns);
        var writer = await Parquet.ParquetWriter.CreateAsync(schema, destination, null, false, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var index in parts)
            {
                var source = await store.OpenReadAsync(store.Combine(folder, BatchManifest.PartFileName(index, TableFormat.Parquet)), seekable: true, cancellationToken).ConfigureAwait(false);
                var reader = await ParquetTableReader.OpenAsync(source, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await foreach (var part in reader.ReadPartsAsync(_ => true, cancellationToken).ConfigureAwait(false))
                    {
                        await TableWriter.WriteRowGroupAsync(writer, schema, columns, part.Columns, part.RowCount, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }
}
