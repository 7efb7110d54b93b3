using Microsoft.ML.Tokenizers;
using Turbine.Backend;

namespace TextEmbedding;

/// <summary>
/// TEXT (BYTES [N], UTF-8 sentences) → input_ids, attention_mask, token_type_ids (INT64 [N, L]): MiniLM's WordPiece
/// tokenization ([CLS] … [SEP], lower-cased) with the vocabulary shipped next to model.dll (parameter "vocabulary",
/// default vocab.txt), padded with 0 to the longest sentence and cut at "max_tokens" (default 256).
/// </summary>
public sealed class TokenizerModel : ITurbineModel
{
    private BertTokenizer _tokenizer = null!;
    private int _maxTokens = 256;

    public void Initialize(ModelContext context)
    {
        var vocabulary = context.Parameters.TryGetValue("vocabulary", out var name) ? name : "vocab.txt";
        if (Path.IsPathRooted(vocabulary) || vocabulary.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"parameter 'vocabulary' must name a file in the version folder, got '{vocabulary}'");
        }

        if (context.Parameters.TryGetValue("max_tokens", out var max))
        {
            _maxTokens = int.Parse(max, System.Globalization.CultureInfo.InvariantCulture);
        }

        _tokenizer = Create(Path.Combine(context.VersionDirectory, vocabulary));
    }

    /// <summary>The tokenizer exactly as the model uses it (the reference in the sample's test uses the same call).</summary>
    public static BertTokenizer Create(string vocabularyPath) =>
        BertTokenizer.Create(vocabularyPath, new BertOptions { LowerCaseBeforeTokenization = true });

    /// <summary>[CLS] tokens [SEP], cut to <paramref name="maxTokens"/> keeping the final [SEP].</summary>
    public static IReadOnlyList<int> Encode(BertTokenizer tokenizer, string text, int maxTokens)
    {
        var ids = tokenizer.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);
        return ids.Count <= maxTokens ? ids : [.. ids.Take(maxTokens - 1), ids[^1]];
    }

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            var texts = request.Input("TEXT").ReadStrings();
            var ids = texts.Select(t => Encode(_tokenizer, t, _maxTokens)).ToList();
            var length = ids.Count == 0 ? 0 : ids.Max(i => i.Count);
            var inputIds = new long[ids.Count * length];
            var mask = new long[ids.Count * length];
            for (var row = 0; row < ids.Count; row++)
            {
                for (var i = 0; i < ids[row].Count; i++)
                {
                    inputIds[(row * length) + i] = ids[row][i];
                    mask[(row * length) + i] = 1;
                }
            }

            long[] shape = [ids.Count, length];
            request.Respond(
                Tensor.Create<long>("input_ids", shape, inputIds),
                Tensor.Create<long>("attention_mask", shape, mask),
                Tensor.Create<long>("token_type_ids", shape, new long[inputIds.Length]));
        }

        return Task.CompletedTask;
    }

    public void Shutdown()
    {
    }
}
