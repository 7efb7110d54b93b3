using System.Text.Json;
using Turbine.Batch.Mapping;
using Turbine.Batch.Tables;

namespace Turbine.Batch.Jobs;

public sealed partial class BatchJob
{
    private string ManifestPath => _output.Combine(_options.PartsFolder, BatchManifest.FileName(_options.ShardIndex, _options.ShardCount));

    private async Task<BatchManifest> LoadManifestAsync(string fingerprint, TableFormat format, BatchMapping mapping)
    {
        var text = await _output.ReadTextAsync(ManifestPath, CancellationToken.None).ConfigureAwait(false);
        if (text is not null && !_options.Overwrite)
        {
            if (!_options.Resume)
            {
                throw new BatchJobException($"{ManifestPath} exists from an earlier run: pass --resume to continue it, or --overwrite to start over");
            }

            var existing = JsonSerializer.Deserialize<BatchManifest>(text, BatchManifest.Json)
                ?? throw new BatchJobException($"{ManifestPath} is empty");
            if (existing.Fingerprint != fingerprint)
            {
                throw new BatchJobException(
                    $"{ManifestPath} belongs to a different job (the input changed, or the model, mapping, output format, --part-rows or --shard-count differ); rerun with --overwrite to start over");
            }

            return existing;
        }

        var manifest = new BatchManifest
        {
            Fingerprint = fingerprint,
            ShardIndex = _options.ShardIndex,
            ShardCount = _options.ShardCount,
            Format = format,
            Columns = [.. mapping.OutputSchema],
        };
        await SaveManifestAsync(manifest).ConfigureAwait(false);
        return manifest;
    }

    private Task SaveManifestAsync(BatchManifest manifest) =>
        _output.WriteAsync(ManifestPath, stream => JsonSerializer.SerializeAsync(stream, manifest, BatchManifest.Json), CancellationToken.None);

    /// <summary>
    /// Writes the part's output and errors files (each atomically, replacing any left by a killed run), then commits the
    /// part by rewriting the manifest. Killed before the manifest is written, the part is simply done again.
    /// </summary>
    private async Task CommitAsync(BatchManifest manifest, TablePart part, BatchMapping mapping, TableFormat format, object?[][] outputs, SortedDictionary<int, string> errors)
    {
        var rows = part.RowCount - errors.Count;
        var columns = mapping.OutputSchema.Select(_ => new object?[rows]).ToArray();
        var k = 0;
        for (var r = 0; r < part.RowCount; r++)
        {
            if (errors.ContainsKey(r))
            {
                continue;
            }

            var c = 0;
            foreach (var keep in mapping.KeepColumns)
            {
                columns[c++][k] = keep < 0 ? part.FirstRow + r : part.Columns[keep][r];
            }

            foreach (var output in outputs)
            {
                columns[c++][k] = output[r];
            }

            k++;
        }

        var partPath = _output.Combine(_options.PartsFolder, BatchManifest.PartFileName(part.Index, format));
        await _output.WriteAsync(partPath, s => TableWriter.WritePartAsync(s, format, mapping.OutputSchema, columns, rows, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
        var errorsPath = _output.Combine(_options.PartsFolder, BatchManifest.ErrorsFileName(part.Index));
        await _output.WriteAsync(errorsPath, async s =>
        {
            await using var writer = new Utf8JsonWriter(s, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            foreach (var (row, reason) in errors)
            {
                writer.WriteStartObject();
                writer.WriteNumber("row", part.FirstRow + row);
                writer.WriteString("error", reason);
                writer.WriteEndObject();
                await writer.FlushAsync().ConfigureAwait(false);
                s.WriteByte((byte)'\n');
                writer.Reset();
            }
        }, CancellationToken.None).ConfigureAwait(false);
        manifest.Parts[part.Index] = new CommittedPart(part.RowCount, rows, errors.Count);
        await SaveManifestAsync(manifest).ConfigureAwait(false);
    }
}
