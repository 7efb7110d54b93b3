using Turbine.Batch.Mapping;
using Turbine.Batch.Scoring;
using Turbine.Batch.Tables;

namespace Turbine.Batch.Jobs;

/// <summary>
/// Scores one part: encodes each row (rows that do not convert become errors), groups rows of equal shapes, cuts them
/// into requests of at most the batch size, runs up to <c>concurrency</c> requests at once, and puts the outputs back
/// in row order.
/// </summary>
internal sealed class PartScorer(IBatchScorer scorer, ModelSignature model, BatchMapping mapping, int batchSize, int concurrency, int classification)
{
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The encoded rows and the rows that failed to convert, before any request.</summary>
    public (RowEncoder.EncodedRow[][] Rows, SortedDictionary<int, string> Errors) Encode(TablePart part)
    {
        var errors = new SortedDictionary<int, string>();
        var rows = new RowEncoder.EncodedRow[part.RowCount][];
        for (var r = 0; r < part.RowCount; r++)
        {
            if (part.RowErrors is not null && part.RowErrors.TryGetValue(r, out var readError))
            {
                errors[r] = readError;
                continue;
            }

            var encoded = new RowEncoder.EncodedRow[mapping.Inputs.Count];
            for (var i = 0; i < mapping.Inputs.Count; i++)
            {
                if (!RowEncoder.TryEncode(part, r, mapping.Inputs[i], out encoded[i], out var error))
                {
                    errors[r] = error!;
                    encoded = null;
                    break;
                }
            }

            if (encoded is not null)
            {
                rows[r] = encoded;
            }
        }

        return (rows, errors);
    }

    /// <summary>Scores the encoded rows; returns the output cells per output binding, indexed by row (null for failed rows).</summary>
    public async Task<object?[][]> ScoreAsync(RowEncoder.EncodedRow[][] rows, CancellationToken cancellationToken)
    {
        var outputs = mapping.Outputs.Select(_ => new object?[rows.Length]).ToArray();
        var batches = new List<int[]>();
        foreach (var group in Enumerable.Range(0, rows.Length).Where(r => rows[r] is not null).GroupBy(r => ShapeKey(rows[r])))
        {
            var members = group.ToArray();
            for (var start = 0; start < members.Length; start += batchSize)
            {
                batches.Add(members.AsSpan(start, Math.Min(batchSize, members.Length - start)).ToArray());
            }
        }

        var names = mapping.Outputs.Select(o => o.Spec.Name).Distinct(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            var inputs = new List<BatchTensor>(mapping.Inputs.Count);
            for (var i = 0; i < mapping.Inputs.Count; i++)
            {
                var first = rows[batch[0]][i];
                var data = new byte[batch.Sum(r => (long)rows[r][i].Data.Length)];
                var offset = 0;
                foreach (var r in batch)
                {
                    rows[r][i].Data.CopyTo(data, offset);
                    offset += rows[r][i].Data.Length;
                }

                long[] shape = model.MaxBatchSize > 0 ? [batch.Length, .. first.Shape] : first.Shape;
                inputs.Add(new BatchTensor(mapping.Inputs[i].Spec.Name, mapping.Inputs[i].Spec.DataType, shape, data));
            }

            Interlocked.Increment(ref _requests);
            var result = await scorer.InferAsync(inputs, names, classification, ct).ConfigureAwait(false);
            for (var o = 0; o < mapping.Outputs.Count; o++)
            {
                var binding = mapping.Outputs[o];
                var tensor = result.FirstOrDefault(t => t.Name == binding.Spec.Name)
                    ?? throw new BatchScoringException($"the response has no output '{binding.Spec.Name}'");
                var cells = OutputDecoder.Decode(tensor, batch.Length, binding.Scalar);
                for (var k = 0; k < batch.Length; k++)
                {
                    outputs[o][batch[k]] = cells[k];
                }
            }
        }).ConfigureAwait(false);
        return outputs;
    }

    private static string ShapeKey(RowEncoder.EncodedRow[] row) =>
        string.Join(';', row.Select(r => string.Join(',', r.Shape)));
}
