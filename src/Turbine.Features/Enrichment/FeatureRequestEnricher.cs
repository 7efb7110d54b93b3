using System.Buffers.Binary;
using System.Text;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Server;

namespace Turbine.Features.Enrichment;

/// <summary>
/// The server side of enrichment: for the models it is configured with, a request's inputs named after the feature
/// service's entity columns (join keys and request data: <c>user_id</c> INT64 [n], <c>amount</c> FP64 [n], BYTES for
/// string keys) are looked up and replaced by the model's feature tensor ([n, features], FP32/FP64/INT64), before
/// the request is scheduled; REST and gRPC both call it. Because the request then carries the feature tensor, the
/// payload log records the vector that was served. Unknown ids or features are InvalidArgument (400); an unreachable
/// store is Unavailable (503, counted in <see cref="FeatureMetrics"/>). A request that carries the model's
/// input tensor itself and no entity column is served as sent.
/// </summary>
public sealed class FeatureRequestEnricher(IReadOnlyDictionary<string, FeatureEnricher> models, FeatureMetrics? metrics = null) : IRequestEnricher
{
    public bool Enriches(string model) => models.ContainsKey(model);

    public async ValueTask<InferenceError?> EnrichAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var enricher = models[request.ModelName];
        if (request.Inputs.Exists(i => i.Name == enricher.InputName) && !request.Inputs.Exists(i => enricher.EntityColumns.Contains(i.Name, StringComparer.Ordinal)))
        {
            // The client sent the feature tensor itself (a replay from the payload log, a test): served as sent.
            return null;
        }

        var entities = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
        var consumed = new List<InferenceTensor>();
        try
        {
            foreach (var input in request.Inputs)
            {
                if (enricher.EntityColumns.Contains(input.Name, StringComparer.Ordinal))
                {
                    entities[input.Name] = Values(input);
                    consumed.Add(input);
                }
            }

            var built = await enricher.BuildAsync(entities, cancellationToken).ConfigureAwait(false);
            foreach (var input in consumed)
            {
                request.Inputs.Remove(input);
                input.Dispose();
            }

            request.Inputs.Add(Tensor(built));
            metrics?.Lookups.Add(1);
            return null;
        }
        catch (FeatureRepoException e)
        {
            metrics?.BadRequests.Add(1);
            return InferenceError.InvalidArgument($"model '{request.ModelName}': {e.Message}");
        }
        catch (OnlineStoreUnavailableException e)
        {
            metrics?.CountUnavailable();
            return InferenceError.Unavailable($"model '{request.ModelName}': feature enrichment: {e.Message}");
        }
    }

    private static InferenceTensor Tensor(EnrichedInput built)
    {
        byte[] data;
        TensorDataType type;
        switch (built.Datatype)
        {
            case "FP64":
                type = TensorDataType.FP64;
                data = new byte[built.Values.Length * 8];
                for (var i = 0; i < built.Values.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), built.Values[i]);
                }

                break;
            case "INT64":
                type = TensorDataType.Int64;
                data = new byte[built.Values.Length * 8];
                for (var i = 0; i < built.Values.Length; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), (long)Math.Round(built.Values[i]));
                }

                break;
            default:
                type = TensorDataType.FP32;
                data = new byte[built.Values.Length * 4];
                for (var i = 0; i < built.Values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (float)built.Values[i]);
                }

                break;
        }

        return new InferenceTensor(built.Name, type, built.Shape, data);
    }

    /// <summary>An entity-column tensor's elements as CLR values (coerced to the join key's type by the lookup).</summary>
    private static object?[] Values(InferenceTensor t)
    {
        var span = t.Data.Span;
        var n = (int)t.ElementCount;
        var result = new object?[n];
        var width = t.DataType switch
        {
            TensorDataType.Int64 or TensorDataType.FP64 or TensorDataType.UInt64 => 8,
            TensorDataType.Int32 or TensorDataType.FP32 or TensorDataType.UInt32 => 4,
            TensorDataType.Bytes => 0,
            _ => throw new FeatureRepoException($"input '{t.Name}': datatype {t.DataType} is not supported for an entity column (INT32, INT64, FP32, FP64, BYTES)"),
        };
        if (width > 0 && span.Length != n * width)
        {
            throw new FeatureRepoException($"input '{t.Name}': {span.Length} bytes for {n} elements");
        }

        var offset = 0;
        for (var i = 0; i < n; i++)
        {
            result[i] = t.DataType switch
            {
                TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(span[(i * 8)..]),
                TensorDataType.UInt64 => (long)BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 8)..]),
                TensorDataType.FP64 => BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]),
                TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]),
                TensorDataType.UInt32 => (long)BinaryPrimitives.ReadUInt32LittleEndian(span[(i * 4)..]),
                TensorDataType.FP32 => (double)BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]),
                _ => ReadString(span, ref offset, t.Name),
            };
        }

        return result;
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int offset, string name)
    {
        if (span.Length - offset < 4)
        {
            throw new FeatureRepoException($"input '{name}': truncated BYTES element");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        if (length < 0 || length > span.Length - offset - 4)
        {
            throw new FeatureRepoException($"input '{name}': BYTES element length {length} exceeds the tensor");
        }

        var s = Encoding.UTF8.GetString(span.Slice(offset + 4, length));
        offset += 4 + length;
        return s;
    }
}
