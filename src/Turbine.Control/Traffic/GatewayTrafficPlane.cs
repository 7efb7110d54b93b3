using System.Collections.Frozen;
using Turbine.Gateway.Activation;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Telemetry;

namespace Turbine.Control.Traffic;

/// <summary>
/// <see cref="ITrafficPlane"/> over the in-process gateway: each deployment gets one pool per revision
/// (<see cref="PoolName"/>) and a model route per model name (one weighted revision: <c>pool</c>; two: <c>split</c> with
/// the percents as weights), pushed through <see cref="InMemoryGatewayConfigSource.TryUpdate"/>. It owns only those pools
/// and routes: every other part of the config (a static gateway config's pools, routes, auth, limits) is kept as is.
/// Updates are serialized, so concurrent publishes of different deployments all land.
/// </summary>
public sealed class GatewayTrafficPlane : ITrafficPlane, IDisposable
{
    /// <summary>Between the deployment and the revision id in a pool name.</summary>
    public const string PoolSeparator = "--";

    private static readonly long[] NoCounts = new long[GatewayTrafficStats.LatencyBucketsMs.Count + 1];

    private readonly InMemoryGatewayConfigSource _source;
    private readonly GatewayActivation _activation;
    private readonly GatewayTrafficStats _stats;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Published> _published = new(StringComparer.Ordinal);
    private volatile FrozenDictionary<string, string> _poolOwners = FrozenDictionary<string, string>.Empty;

    /// <param name="source">The gateway's config source (the one its host serves from).</param>
    /// <param name="activation">The gateway's activator (<c>GatewayHost.Activation</c>).</param>
    /// <param name="stats">The gateway's traffic counters (<c>GatewayHost.Traffic</c>).</param>
    public GatewayTrafficPlane(InMemoryGatewayConfigSource source, GatewayActivation activation, GatewayTrafficStats stats)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(stats);
        _source = source;
        _activation = activation;
        _stats = stats;
        _activation.ActivationRequested += OnActivationRequested;
    }

    public event Action<string>? ActivationRequested;

    /// <summary>The gateway pool of one revision of a deployment: <c>{deployment}--{revisionId}</c>, other characters than <c>[A-Za-z0-9._-]</c> as <c>_</c>.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="revisionId">The revision id.</param>
    public static string PoolName(string deployment, string revisionId) =>
        Sanitize(deployment) + PoolSeparator + Sanitize(revisionId);

    public string? Publish(DeploymentRoutes routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (Problem(routes) is { } problem)
        {
            return $"deployment '{routes.Deployment}': {problem}";
        }

        lock (_lock)
        {
            var current = _source.Current;
            var previous = _published.GetValueOrDefault(routes.Deployment);
            foreach (var model in routes.ModelNames)
            {
                if (current.Models.ContainsKey(model) && previous?.Models.Contains(model) != true)
                {
                    return $"deployment '{routes.Deployment}': model '{model}' is already routed by {OwnerOfModel(model)}; nothing changed";
                }
            }

            var pools = new Dictionary<string, PoolConfig>(StringComparer.Ordinal);
            var revisions = new List<(string RevisionId, string? Pool)>();
            var replicaIds = new Dictionary<string, string>(StringComparer.Ordinal);
            var weighted = new List<(string Pool, int Percent)>();
            foreach (var revision in routes.Revisions)
            {
                var name = PoolName(routes.Deployment, revision.RevisionId);
                if (current.Pools.ContainsKey(name) && previous?.Pools.ContainsKey(name) != true)
                {
                    return $"deployment '{routes.Deployment}': pool '{name}' already exists in the gateway config (another deployment or the static config); nothing changed";
                }

                if (revision.Replicas.Count == 0 && routes.Activator is null)
                {
                    revisions.Add((revision.RevisionId, null)); // not routable: no replica and nothing to hold requests
                    continue;
                }

                pools[name] = PoolFor(routes, revision);
                revisions.Add((revision.RevisionId, name));
                foreach (var r in revision.Replicas)
                {
                    replicaIds[PoolKey(name, ReplicaKey(r.Http))] = r.ReplicaId;
                }

                if (revision.Percent > 0)
                {
                    weighted.Add((name, revision.Percent));
                }
            }

            var config = current with
            {
                Pools = Merge(current.Pools, previous?.Pools.Keys, pools),
                Models = Merge(current.Models, previous?.Models, Routes(routes.ModelNames, weighted)),
            };
            if (!_source.TryUpdate(config, out var errors))
            {
                return $"deployment '{routes.Deployment}': the gateway refused the routes: {string.Join("; ", errors)}";
            }

            _published[routes.Deployment] = new Published(pools.ToFrozenDictionary(StringComparer.Ordinal), [.. routes.ModelNames], revisions, replicaIds);
            RebuildOwners();
            return null;
        }
    }

    public void Remove(string deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        lock (_lock)
        {
            if (!_published.TryGetValue(deployment, out var previous))
            {
                return;
            }

            var current = _source.Current;
            var config = current with
            {
                Pools = Merge(current.Pools, previous.Pools.Keys, new Dictionary<string, PoolConfig>()),
                Models = Merge(current.Models, previous.Models, new Dictionary<string, ModelRouteConfig>()),
            };
            if (_source.TryUpdate(config, out _))
            {
                _published.Remove(deployment);
                RebuildOwners();
            }
        }
    }

    /// <summary>The model names routed to <paramref name="deployment"/> now; empty when it is not published.</summary>
    /// <param name="deployment">The deployment name.</param>
    public IReadOnlyList<string> ModelNames(string deployment)
    {
        lock (_lock)
        {
            return _published.GetValueOrDefault(deployment) is { } p ? [.. p.Models.Order(StringComparer.Ordinal)] : [];
        }
    }

    public TrafficSnapshot Snapshot(string deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Published? published;
        lock (_lock)
        {
            published = _published.GetValueOrDefault(deployment);
        }

        if (published is null)
        {
            return new TrafficSnapshot(new Dictionary<string, int>(), 0, []);
        }

        var inFlight = new Dictionary<string, int>(StringComparer.Ordinal);
        var held = 0;
        var revisions = new List<RevisionTraffic>(published.Revisions.Count);
        foreach (var (revisionId, pool) in published.Revisions)
        {
            if (pool is null || _stats.Snapshot(pool) is not { } s)
            {
                revisions.Add(new RevisionTraffic(revisionId, 0, 0, GatewayTrafficStats.LatencyBucketsMs, NoCounts));
                continue;
            }

            held += _activation.Held(pool);
            foreach (var (replica, count) in s.InFlightByReplica)
            {
                var id = published.ReplicaIds.GetValueOrDefault(PoolKey(pool, replica), replica);
                inFlight[id] = inFlight.GetValueOrDefault(id) + count;
            }

            revisions.Add(new RevisionTraffic(revisionId, s.Requests, s.Errors, s.LatencyBucketsMs, s.LatencyCounts));
        }

        return new TrafficSnapshot(inFlight, held, revisions);
    }

    public void Dispose() => _activation.ActivationRequested -= OnActivationRequested;

    /// <summary>What a controller may not publish: the gateway's own validation catches the rest.</summary>
    internal static string? Problem(DeploymentRoutes routes)
    {
        if (string.IsNullOrWhiteSpace(routes.Deployment))
        {
            return "the deployment name is empty";
        }

        if (routes.ModelNames.Count == 0)
        {
            return "no model name to route";
        }

        if (routes.ModelNames.FirstOrDefault(m => string.IsNullOrWhiteSpace(m) || m == "*") is { } bad)
        {
            return $"'{bad}' is not a model name a deployment may route";
        }

        if (routes.ModelNames.Distinct(StringComparer.Ordinal).Count() != routes.ModelNames.Count)
        {
            return "a model name is listed twice";
        }

        if (routes.Revisions.Count is < 1 or > 2)
        {
            return $"expected one or two revisions, got {routes.Revisions.Count}";
        }

        if (routes.Revisions.Select(r => PoolName(routes.Deployment, r.RevisionId)).Distinct(StringComparer.Ordinal).Count() != routes.Revisions.Count)
        {
            return "the two revisions have the same id";
        }

        if (routes.Revisions.FirstOrDefault(r => r.Percent is < 0 or > 100 || string.IsNullOrWhiteSpace(r.RevisionId)) is { } wrong)
        {
            return $"revision '{wrong.RevisionId}': needs an id and a percent between 0 and 100, got {wrong.Percent}";
        }

        if (routes.Revisions.Sum(r => r.Percent) != 100)
        {
            return $"the revisions' percents must add up to 100, got {routes.Revisions.Sum(r => r.Percent)}";
        }

        if (routes.ContainerConcurrency is < 0 or > int.MaxValue)
        {
            return $"containerConcurrency must be between 0 and {int.MaxValue}, got {routes.ContainerConcurrency}";
        }

        if (routes.Activator is { } a && (a.QueueSize is < 1 or > ActivatorConfig.MaxQueueSize || a.MaxWait <= TimeSpan.Zero || a.MaxWait.TotalMilliseconds > ActivatorConfig.MaxWaitLimitMs))
        {
            return $"activator: queue size must be 1..{ActivatorConfig.MaxQueueSize} and the wait 1 ms..{ActivatorConfig.MaxWaitLimitMs} ms, got {a.QueueSize} and {a.MaxWait.TotalMilliseconds} ms";
        }

        return null;
    }

    /// <summary>
    /// A revision's pool. The reconciler publishes only ready replicas, so a new replica is healthy (gets traffic) at
    /// once; active checks every second and ejection after two failures take a dead one out quickly; and because
    /// inference requests are idempotent, a request whose replica died (connection refused, or reset before any
    /// response byte) is retried on another replica within a generous budget, so a kill -9 loses no request.
    /// </summary>
    internal static PoolConfig PoolFor(DeploymentRoutes routes, RevisionRoute revision) => new()
    {
        Replicas = [.. revision.Replicas.Select(r => new ReplicaConfig { Http = r.Http.ToString(), Grpc = r.Grpc.ToString() })],
        Policy = "leastRequests",
        MaxConcurrencyPerReplica = (int)routes.ContainerConcurrency,
        RequestTimeoutMs = routes.RequestTimeout is { } timeout ? (int)Math.Min(timeout.TotalMilliseconds, PoolConfig.MaxRequestTimeoutMs) : 0,
        HealthCheck = new HealthCheckConfig { Enabled = true, IntervalMs = 1000, TimeoutMs = 1000 },
        Outlier = new OutlierConfig { ConsecutiveFailures = 2, EjectionMs = 10_000, MaxEjectionPercent = 100 },
        Retry = new RetryConfig { MaxAttempts = 3, Idempotent = true, BudgetPercent = 100, MinRetriesPerSecond = 100 },
        Activator = routes.Activator is { } a
            ? new ActivatorConfig { QueueSize = a.QueueSize, MaxWaitMs = (int)Math.Ceiling(a.MaxWait.TotalMilliseconds) }
            : null,
    };

    private static Dictionary<string, ModelRouteConfig> Routes(IReadOnlyList<string> models, List<(string Pool, int Percent)> weighted)
    {
        var routes = new Dictionary<string, ModelRouteConfig>(StringComparer.Ordinal);
        if (weighted.Count == 0)
        {
            return routes; // no revision can take traffic: the models are not routed (the gateway answers "unknown model")
        }

        foreach (var model in models)
        {
            routes[model] = weighted.Count == 1
                ? new ModelRouteConfig { Pool = weighted[0].Pool }
                : new ModelRouteConfig { Split = [.. weighted.Select(w => new SplitTargetConfig { Pool = w.Pool, Weight = w.Percent })] };
        }

        return routes;
    }

    private static Dictionary<string, T> Merge<T>(Dictionary<string, T> current, IEnumerable<string>? owned, Dictionary<string, T> mine)
    {
        var merged = new Dictionary<string, T>(current, current.Comparer);
        foreach (var key in owned ?? [])
        {
            merged.Remove(key);
        }

        foreach (var (key, value) in mine)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static string ReplicaKey(Uri http) => new Uri(http.ToString()).ToString().TrimEnd('/');

    private static string PoolKey(string pool, string replica) => pool + "\n" + replica;

    private static string Sanitize(string value) =>
        string.Create(value.Length, value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                var c = v[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_';
            }
        });

    private string OwnerOfModel(string model) =>
        _published.FirstOrDefault(p => p.Value.Models.Contains(model)).Key is { } owner ? $"deployment '{owner}'" : "the gateway's static config";

    private void RebuildOwners() =>
        _poolOwners = _published.SelectMany(p => p.Value.Pools.Keys.Select(pool => KeyValuePair.Create(pool, p.Key))).ToFrozenDictionary(StringComparer.Ordinal);

    private void OnActivationRequested(string pool)
    {
        if (_poolOwners.TryGetValue(pool, out var deployment))
        {
            ActivationRequested?.Invoke(deployment);
        }
    }

    /// <summary>What the plane published for one deployment: its pools (by name), models, revisions (pool null = not routable) and replica ids by pool and URL.</summary>
    private sealed record Published(
        FrozenDictionary<string, PoolConfig> Pools,
        HashSet<string> Models,
        List<(string RevisionId, string? Pool)> Revisions,
        Dictionary<string, string> ReplicaIds);
}
