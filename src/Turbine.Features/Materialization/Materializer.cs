using System.Text.Json;
using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Sources;

namespace Turbine.Features.Materialization;

/// <summary>
/// Loads the latest value per entity with event time in [start, end] into the online store, one row group at a
/// time: each row group is reduced to its latest row per entity and written in one store batch that keeps newer
/// stored rows, so memory is bounded by a row group whatever the range, and the result does not depend on the
/// order of row groups. After each row group a checkpoint (<c>.turbine/materialize/{view}.json</c>) records how far
/// the run got; a rerun of the same window resumes after it. A malformed source stops with the file, row group and
/// column; everything written before is complete row groups, so the store stays consistent.
/// </summary>
public sealed class Materializer(FeatureRepo repo, IOnlineStore store, TimeProvider? time = null, SourceStorage? storage = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<IReadOnlyList<MaterializeResult>> MaterializeAsync(DateTime start, DateTime end, IReadOnlyList<string>? views = null, IProgress<MaterializeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new List<MaterializeResult>();
        foreach (var view in Select(views))
        {
            results.Add(await MaterializeViewAsync(view, start, end, progress, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>Materializes each view from where the last run ended (or end minus its TTL, or the beginning) to <paramref name="end"/>.</summary>
    public async Task<IReadOnlyList<MaterializeResult>> MaterializeIncrementalAsync(DateTime end, IReadOnlyList<string>? views = null, IProgress<MaterializeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new List<MaterializeResult>();
        foreach (var view in Select(views))
        {
            var state = ReadState(view.Name);
            var start = state?.MaterializedUntil ?? (view.Ttl > TimeSpan.Zero ? end - view.Ttl : DateTime.UnixEpoch);
            results.Add(await MaterializeViewAsync(view, start, end, progress, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private IEnumerable<FeatureViewDefinition> Select(IReadOnlyList<string>? views)
    {
        if (views is null || views.Count == 0)
        {
            return repo.FeatureViews.Values.Where(v => v.Online).OrderBy(v => v.Name, StringComparer.Ordinal);
        }

        return views.Select(v => repo.FeatureViews.TryGetValue(v, out var fv) ? fv : throw new FeatureRepoException($"unknown feature view '{v}'"));
    }

    private async Task<MaterializeResult> MaterializeViewAsync(FeatureViewDefinition view, DateTime start, DateTime end, IProgress<MaterializeProgress>? progress, CancellationToken ct)
    {
        if (end < start)
        {
            throw new FeatureRepoException($"materialize '{view.Name}': end {end:O} is before start {start:O}");
        }

        var source = repo.Sources[view.Source];
        var joinKeys = repo.EntitiesOf(view);
        var featureNames = view.Features.Select(f => f.Name).ToArray();
        var columns = joinKeys.Select(j => j.JoinKey).Append(source.TimestampField).Concat(source.CreatedTimestampColumn is { } c ? [c] : []).Concat(featureNames).Distinct(StringComparer.Ordinal).ToArray();
        var reducer = new BatchReducer(view, source, joinKeys, repo.EntityKeySerializationVersion);
        var state = ReadState(view.Name);
        var resume = state?.Checkpoint is { } cp && cp.Start == start && cp.End == end ? cp : null;
        long read = 0, inWindow = 0, written = 0;
        var skipped = 0;
        var fileIndex = -1;
        string? currentFile = null;
        await foreach (var batch in SourceReader.ReadAsync(source, columns, storage, ct).ConfigureAwait(false))
        {
            if (batch.File != currentFile)
            {
                currentFile = batch.File;
                fileIndex++;
            }

            if (resume is not null && (fileIndex < resume.FileIndex || (fileIndex == resume.FileIndex && batch.RowGroup <= resume.RowGroup)))
            {
                skipped++;
                continue;
            }

            read += batch.Count;
            var (entities, rowsInWindow) = reducer.Reduce(batch, start.Ticks, end.Ticks);
            inWindow += rowsInWindow;
            if (entities.Count > 0)
            {
                written += await store.WriteEncodedAsync(view.Name, featureNames, entities, ct).ConfigureAwait(false);
            }

            WriteState(view.Name, state = (state ?? new MaterializeState()) with { Checkpoint = new Checkpoint(start, end, fileIndex, batch.RowGroup) });
            progress?.Report(new MaterializeProgress(view.Name, SourceReader.Display(batch.File), batch.RowGroup, read, written, resume is not null));
        }

        // Done: the window counts as materialized; the checkpoint is cleared.
        var until = state?.MaterializedUntil is { } prev && prev > end ? prev : end;
        WriteState(view.Name, new MaterializeState { MaterializedUntil = until, LastRunAt = _time.GetUtcNow().UtcDateTime });
        return new MaterializeResult(view.Name, start, end, read, inWindow, written, skipped);
    }

    private string StatePath(string view) => Path.Combine(repo.Root, FeatureRegistry.Folder, "materialize", view + ".json");

    internal MaterializeState? ReadState(string view)
    {
        var path = StatePath(view);
        return File.Exists(path) ? JsonSerializer.Deserialize<MaterializeState>(File.ReadAllText(path)) : null;
    }

    private void WriteState(string view, MaterializeState state)
    {
        var path = StatePath(view);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(state));
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>Where a view's materialization stands: materialized up to when, and an unfinished run's checkpoint.</summary>
internal sealed record MaterializeState
{
    public DateTime? MaterializedUntil { get; init; }

    public DateTime? LastRunAt { get; init; }

    public Checkpoint? Checkpoint { get; init; }
}

/// <summary>The last row group written by a run of the window [Start, End].</summary>
internal sealed record Checkpoint(DateTime Start, DateTime End, int FileIndex, int RowGroup);
