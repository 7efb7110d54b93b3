using System.Collections.Concurrent;
using Turbine.Client;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>Model metadata from a real server's <c>GET /v2/models/{m}</c>, cached per model; null for a model the server does not know.</summary>
public sealed class ServerMetadataSource(Uri server) : IModelMetadataSource, IDisposable
{
    private readonly TurbineHttpClient _client = new(server);
    private readonly ConcurrentDictionary<string, ModelMetadataResult> _cache = new();

    public int Fetches;

    public async ValueTask<ModelMetadataResult?> GetAsync(string model, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(model, out var cached))
        {
            return cached;
        }

        try
        {
            Interlocked.Increment(ref Fetches);
            var metadata = await _client.GetModelMetadataAsync(model, ct: cancellationToken);
            _cache[model] = metadata;
            return metadata;
        }
        catch (TurbineClientException e) when (e.StatusCode is 400 or 404)
        {
            return null;
        }
    }

    public void Dispose() => _client.Dispose();
}
