using Turbine.Backend;

namespace TextEmbedding;

/// <summary>
/// last_hidden_state (FP32 [N, L, H]) + attention_mask (INT64 [N, L]) → EMBEDDING (FP32 [N, H]): the mean of the token
/// vectors the mask keeps, divided by its L2 norm (sentence-transformers' mean pooling + normalize).
/// </summary>
public sealed class PoolingModel : ITurbineModel
{
    public void Initialize(ModelContext context)
    {
    }

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            var hidden = request.Input("last_hidden_state");
            var mask = request.Input("attention_mask").AsSpan<long>();
            var (n, l, h) = ((int)hidden.Shape[0], (int)hidden.Shape[1], (int)hidden.Shape[2]);
            var states = hidden.AsSpan<float>();
            var embedding = new float[n * h];
            Pool(states, mask, n, l, h, embedding);
            request.Respond(Tensor.Create<float>("EMBEDDING", [n, h], embedding));
        }

        return Task.CompletedTask;
    }

    /// <summary>Mean pooling over the kept tokens, then L2 normalization (accumulated in double).</summary>
    public static void Pool(ReadOnlySpan<float> states, ReadOnlySpan<long> mask, int n, int l, int h, Span<float> embedding)
    {
        var sum = new double[h];
        for (var row = 0; row < n; row++)
        {
            Array.Clear(sum);
            var kept = 0;
            for (var t = 0; t < l; t++)
            {
                if (mask[(row * l) + t] == 0)
                {
                    continue;
                }

                kept++;
                var token = states.Slice(((row * l) + t) * h, h);
                for (var d = 0; d < h; d++)
                {
                    sum[d] += token[d];
                }
            }

            var norm = 0.0;
            for (var d = 0; d < h; d++)
            {
                sum[d] /= Math.Max(kept, 1);
                norm += sum[d] * sum[d];
            }

            norm = Math.Max(Math.Sqrt(norm), 1e-12);
            for (var d = 0; d < h; d++)
            {
                embedding[(row * h) + d] = (float)(sum[d] / norm);
            }
        }
    }

    public void Shutdown()
    {
    }
}
