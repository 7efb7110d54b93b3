using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Control.Autoscaling;
using Turbine.Control.Runtime;
using Turbine.Control.Storage;
using Turbine.Control.Traffic;

namespace Turbine.Control.Reconciling;

/// <summary>
/// The controller's loop: level-triggered and idempotent. Every <see cref="ReconcilerOptions.TickInterval"/> (and at
/// once after <see cref="Trigger"/>) it compares each deployment's desired state (<see cref="IControlStore"/>) with what
/// runs (replicas from <see cref="IReplicaRuntime"/>, routes in <see cref="ITrafficPlane"/>) and acts: resolves the
/// storageUri, starts and replaces replicas (crash backoff), ticks the autoscaler, steps rollouts and publishes the
/// ready replicas to the gateway. On start it adopts the replicas a previous controller left running.
/// </summary>
public sealed partial class Reconciler : IDeploymentController, IAsyncDisposable
{
    private readonly IControlStore _store;
    private readonly IReplicaRuntime _runtime;
    private readonly IRevisionResolver _resolver;
    private readonly ITrafficPlane _traffic;
    private readonly ReconcilerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AutoscalerMetrics? _metrics;
    private readonly Random _random;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, DeploymentState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeploymentStatus> _status = new(StringComparer.Ordinal);
    private Task? _loop;
    private readonly StopOnce _stop = new();
    private int _disposed;
    private volatile bool _anyStarting;

    /// <summary>Creates the reconciler; <see cref="StartAsync"/> adopts running replicas and starts the loop.</summary>
    /// <param name="store">Desired state, events and replica records.</param>
    /// <param name="runtime">Starts and stops replicas.</param>
    /// <param name="resolver">Resolves storageUris to revisions.</param>
    /// <param name="traffic">The gateway.</param>
    /// <param name="options">Controller-wide settings (validated).</param>
    /// <param name="time">The clock (fake in tests).</param>
    /// <param name="logger">Where decisions are logged.</param>
    /// <param name="meterFactory">Publishes the autoscaler gauges when given.</param>
    /// <param name="random">Replica id suffixes (seedable in tests).</param>
    public Reconciler(
        IControlStore store,
        IReplicaRuntime runtime,
        IRevisionResolver resolver,
        ITrafficPlane traffic,
        ReconcilerOptions? options = null,
        TimeProvider? time = null,
        ILogger<Reconciler>? logger = null,
        IMeterFactory? meterFactory = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(traffic);
        _options = options ?? new ReconcilerOptions();
        if (_options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException("invalid reconciler options: " + string.Join("; ", problems), nameof(options));
        }

        _store = store;
        _runtime = runtime;
        _resolver = resolver;
        _traffic = traffic;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = meterFactory is null ? null : new AutoscalerMetrics(meterFactory);
        _random = random ?? Random.Shared;
        _traffic.ActivationRequested += Trigger;
    }

    /// <summary>Adopts the replicas recorded in the store whose processes still run, then starts the loop.</summary>
    /// <param name="cancellationToken">Cancels the adoption.</param>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await AdoptAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public DeploymentStatus? GetStatus(string name) => _status.GetValueOrDefault(name);

    /// <summary>The status of every deployment the reconciler has seen.</summary>
    public IReadOnlyCollection<DeploymentStatus> Statuses => _status.Values.ToArray();

    /// <inheritdoc />
    public void Trigger(string name)
    {
        // One pending wake covers any number of triggers: each pass looks at every deployment.
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another trigger won the race; the loop wakes anyway.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    /// <summary>One pass over every deployment (the loop calls it each tick; tests call it with fake time).</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    internal async Task ReconcileAllAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var records = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var count = 0;
            foreach (var result in records)
            {
                if (result.Value is not { } record)
                {
                    continue;
                }

                seen.Add(record.Name);
                if (!_states.TryGetValue(record.Name, out var state))
                {
                    if (_states.Count >= _options.MaxDeployments)
                    {
                        PublishFailedStatus(record, $"the controller manages at most {_options.MaxDeployments} deployments (MaxDeployments)");
                        continue;
                    }

                    state = new DeploymentState(record.Name);
                    _states[record.Name] = state;
                }
                else if (state.TornDown)
                {
                    // Deleted and applied again while the old replicas still stop: start over, keep waiting for those stops.
                    var fresh = new DeploymentState(record.Name);
                    fresh.Draining.AddRange(state.Draining);
                    _states[record.Name] = state = fresh;
                }

                count++;
                try
                {
                    await ReconcileAsync(state, record, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One deployment's fault must not stop the others; the next pass tries again.
                    Log.PassFailed(_logger, record.Name, e);
                }
            }

            // A stored row that no longer parses keeps its replicas running (nothing is known to be wrong with them).
            foreach (var result in records)
            {
                if (result.Error is { } error && error.Kind == ControlErrorKind.Corrupt)
                {
                    foreach (var name in _states.Keys)
                    {
                        if (error.Message.Contains('\'' + name + '\'', StringComparison.Ordinal))
                        {
                            seen.Add(name);
                        }
                    }
                }
            }

            foreach (var gone in _states.Keys.Where(n => !seen.Contains(n)).ToList())
            {
                TearDown(_states[gone]);
            }

            ReapDrained();
            _anyStarting = _states.Values.Any(s => s.Revisions.Concat(s.Retiring is null ? [] : [s.Retiring])
                .Any(r => r.Replicas.Any(x => x.State == ReplicaState.Starting)));

            // The artifacts of every revision with replicas (or about to start some) stay in the resolver's cache.
            _resolver.RevisionsInUse(_states.Values
                .SelectMany(s => s.Revisions.Concat(s.Retiring is null ? [] : [s.Retiring]))
                .Select(r => r.Model.RevisionId)
                .ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAllAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.LoopFailed(_logger, e);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var woken = _wake.WaitAsync(wait.Token);
                // A starting replica is probed sooner than the tick, so it joins the gateway soon after it is ready.
                var delay = _anyStarting && _options.StartingProbeInterval < _options.TickInterval ? _options.StartingProbeInterval : _options.TickInterval;
                var tick = Task.Delay(delay, _time, wait.Token);
                await Task.WhenAny(woken, tick).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(woken, tick).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The other of the two was cancelled.
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Stops the loop; with <see cref="ReconcilerOptions.StopReplicasOnShutdown"/>, drains and stops every replica: each
    /// gets SIGTERM after <see cref="ReconcilerOptions.DrainDelay"/> and SIGKILL past <see cref="ReconcilerOptions.DrainGrace"/>.
    /// Always finishes (every wait is bounded). Runs once; a second or concurrent call waits for the same stop.
    /// </summary>
    public ValueTask DisposeAsync() => new(_stop.RunAsync(StopCoreAsync));

    private async Task StopCoreAsync()
    {
        Volatile.Write(ref _disposed, 1);
        _traffic.ActivationRequested -= Trigger;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The loop has stopped (or is stuck past its bound): take the gate with a bound too, so shutdown finishes.
        var entered = await _gate.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
        try
        {
            var stops = new List<Task>();
            foreach (var state in _states.Values)
            {
                if (_options.StopReplicasOnShutdown)
                {
                    TearDown(state, deleteStatus: false);
                }

                stops.AddRange(state.Draining.Select(d => d.Stopping));
            }

            await Task.WhenAll(stops).WaitAsync(_options.DrainGrace + _options.DrainDelay + TimeSpan.FromSeconds(5), CancellationToken.None)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            if (entered)
            {
                _gate.Release();
            }
        }

        _stopping.Dispose();
        _wake.Dispose();
        _gate.Dispose();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private async Task EventAsync(string deployment, ControlEventKind kind, string reason, string message)
    {
        Log.Event(_logger, deployment, kind, reason, message);
        try
        {
            await _store.AppendEventAsync(deployment, kind, reason, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.EventNotStored(_logger, deployment, e);
        }
    }

    /// <summary>Records a warning once while its condition lasts (<paramref name="key"/> is cleared when it ends).</summary>
    private Task WarnOnceAsync(DeploymentState state, string key, string reason, string message) =>
        state.Reported.Add(key + ": " + message) ? EventAsync(state.Name, ControlEventKind.Warning, reason, message) : Task.CompletedTask;

    private static void ClearReported(DeploymentState state, string key) =>
        state.Reported.RemoveWhere(k => k.StartsWith(key + ": ", StringComparison.Ordinal));

    private void PublishFailedStatus(DeploymentRecord record, string message) =>
        _status[record.Name] = new DeploymentStatus(record.Name, record.Generation, DeploymentPhase.Failed, message, 0, 0, [], null, null, null, null, record.Paused, Now);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "reconciling deployment {Deployment} failed; retrying next pass")]
        public static partial void PassFailed(ILogger logger, string deployment, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "the reconcile loop failed; retrying next tick")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Deployment}: {Kind} {Reason}: {Message}")]
        public static partial void Event(ILogger logger, string deployment, ControlEventKind kind, string reason, string message);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Deployment}: an event could not be stored")]
        public static partial void EventNotStored(ILogger logger, string deployment, Exception exception);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Deployment}: stopping replica {Replica} failed")]
        public static partial void StopFailed(ILogger logger, string deployment, string replica, Exception exception);
    }
}
