using System.Collections.Concurrent;
using Turbine.Client;
using Turbine.Gateway.LoadBalancing;

namespace Turbine.Gateway.Routing;

/// <summary>
/// <see cref="IModelMetadataSource"/> over the backends: <c>GET /v2/models/{m}</c> on a replica of the model's pool
/// (the first pool its route names, else the <c>*</c> route's), cached for 30 s per model. Null for a model the
/// gateway does not route or the server does not know (404, or Triton's 400); <see cref="ModelMetadataUnavailableException"/>
/// when the pool has no replica to ask.
/// </summary>
internal sealed class ModelMetadataSource(PoolRegistry pools, TimeProvider time) : IModelMetadataSource, IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, TurbineHttpClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ModelMetadataResult Value, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<ModelMetadataResult?> GetAsync(string model, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(model, out var hit) && time.GetUtcNow() - hit.At < Ttl)
        {
            return hit.Value;
        }

        var set = pools.Current;
        var route = set.Config.Models.GetValueOrDefault(model) ?? set.Config.Models.GetValueOrDefault("*");
        var poolName = route?.PoolReferences("").Select(p => p.Pool).FirstOrDefault();
        var pool = poolName is null ? null : set.Get(poolName);
        if (pool is null)
        {
            return null; // not routed: unknown to the gateway
        }

        var replica = pool.Pick(model, grpc: false, null, out _)
            ?? throw new ModelMetadataUnavailableException($"pool '{pool.Name}' has no replica available");

        try
        {
            var client = _clients.GetOrAdd(replica.Id, _ => new TurbineHttpClient(replica.Http, new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }));
            var result = await client.GetModelMetadataAsync(model, ct: cancellationToken).ConfigureAwait(false);
            _cache[model] = (result, time.GetUtcNow());
            return result;
        }
        catch (TurbineClientException e) when (e.StatusCode is 400 or 404)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
