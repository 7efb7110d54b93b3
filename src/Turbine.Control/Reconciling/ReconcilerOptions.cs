namespace Turbine.Control.Reconciling;

/// <summary>
/// Settings of the reconciler (controller-wide; per-deployment settings come from the spec and its
/// <c>turbine.dev/</c> annotations). <see cref="Validate"/> lists every problem at once.
/// </summary>
public sealed record ReconcilerOptions
{
    /// <summary>How often every deployment is reconciled and its autoscaler ticks (Knative: 2 s).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How soon the next pass runs while a replica is starting (at most <see cref="TickInterval"/>): a replica is added to
    /// the gateway only after a probe sees it ready, so this bounds what waiting for the tick adds to a cold start.
    /// </summary>
    public TimeSpan StartingProbeInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a deployment's <c>storageUri</c> is resolved again (a registry promotion starts a rollout).</summary>
    public TimeSpan ResolveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The autoscaler's stable window for every deployment (Knative: 60 s).</summary>
    public TimeSpan StableWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The autoscaler's panic window (Knative: 10 % of the stable window, 6 s).</summary>
    public TimeSpan PanicWindow { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Longest a replica may take from start to ready before it is replaced (and counted as a crash).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a stopping replica may take to finish its in-flight requests before it is killed.</summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause between removing a replica from the gateway and sending it SIGTERM, so requests the gateway just picked it for arrive.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The first restart delay after a crash; each further crash doubles it (exponential backoff).</summary>
    public TimeSpan CrashBackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest restart delay.</summary>
    public TimeSpan CrashBackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A replica ready this long resets its revision's crash count.</summary>
    public TimeSpan CrashResetAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Crashes in a row after which a revision is reported as crash-looping (and a canary is rolled back).</summary>
    public int CrashLoopThreshold { get; init; } = 3;

    /// <summary>Most replicas started for one deployment in one pass.</summary>
    public int MaxStartsPerPass { get; init; } = 8;

    /// <summary>Most replicas per deployment whatever the spec says (maxReplicas 0 means this bound).</summary>
    public int MaxReplicasPerDeployment { get; init; } = 32;

    /// <summary>Most deployments the controller manages; more are reported as failed, not started.</summary>
    public int MaxDeployments { get; init; } = 200;

    /// <summary>Canary requests in a step above which an error rate over the limit rolls back at once (before the window ends).</summary>
    public int FailFastMinRequests { get; init; } = 20;

    /// <summary>Whether a graceful controller shutdown stops the replicas (true) or leaves them for the next controller to adopt.</summary>
    public bool StopReplicasOnShutdown { get; init; } = true;

    /// <summary>Every problem with these options, each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name}: must be positive, got {value}");
            }
        }

        Positive(TickInterval, nameof(TickInterval));
        Positive(ResolveInterval, nameof(ResolveInterval));
        Positive(StableWindow, nameof(StableWindow));
        Positive(PanicWindow, nameof(PanicWindow));
        Positive(StartTimeout, nameof(StartTimeout));
        Positive(StartingProbeInterval, nameof(StartingProbeInterval));
        Positive(DrainGrace, nameof(DrainGrace));
        Positive(CrashBackoffBase, nameof(CrashBackoffBase));
        Positive(CrashResetAfter, nameof(CrashResetAfter));
        if (DrainDelay < TimeSpan.Zero)
        {
            problems.Add($"{nameof(DrainDelay)}: must be 0 or more, got {DrainDelay}");
        }

        if (CrashBackoffMax < CrashBackoffBase)
        {
            problems.Add($"{nameof(CrashBackoffMax)} ({CrashBackoffMax}) must be at least {nameof(CrashBackoffBase)} ({CrashBackoffBase})");
        }

        if (PanicWindow > StableWindow)
        {
            problems.Add($"{nameof(PanicWindow)} ({PanicWindow}) must not exceed {nameof(StableWindow)} ({StableWindow})");
        }

        if (PanicWindow < TickInterval)
        {
            problems.Add($"{nameof(PanicWindow)} ({PanicWindow}) must be at least one tick ({TickInterval})");
        }

        foreach (var (value, name) in new[]
                 {
                     (CrashLoopThreshold, nameof(CrashLoopThreshold)), (MaxStartsPerPass, nameof(MaxStartsPerPass)),
                     (MaxReplicasPerDeployment, nameof(MaxReplicasPerDeployment)), (MaxDeployments, nameof(MaxDeployments)),
                     (FailFastMinRequests, nameof(FailFastMinRequests)),
                 })
        {
            if (value < 1)
            {
                problems.Add($"{name}: must be at least 1, got {value}");
            }
        }

        return problems;
    }
}
