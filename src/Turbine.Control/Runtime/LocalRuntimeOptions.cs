namespace Turbine.Control.Runtime;

/// <summary>
/// Settings of <see cref="LocalProcessRuntime"/>: how replicas (<c>turbine serve</c> children on loopback) are started,
/// where their files live, and the bounds of every wait and file. Checked by <see cref="Validate"/> when the runtime is
/// built.
/// </summary>
public sealed record LocalRuntimeOptions
{
    /// <summary>Flags the runtime sets on every replica itself; <see cref="ExtraServeArguments"/> may not give them.</summary>
    public static readonly IReadOnlyList<string> ReservedFlags =
    [
        "--host", "--http-port", "--grpc-port", "--metrics-port", "--model-repository", "--registry", "--model",
        "--registry-cache", "--registry-token", "--strict-readiness", "--exit-on-error", "--management-token", "--payload-log-dir",
        "--parent-pid",
    ];

    /// <summary>
    /// How to run <c>turbine</c>: the executable, then leading arguments (for example <c>["dotnet", "/opt/turbine/turbine.dll"]</c>);
    /// the runtime appends <c>serve ...</c>. Null (the default): this process's own executable
    /// (<see cref="Environment.ProcessPath"/>), or, when that is the <c>dotnet</c> host, <c>dotnet &lt;app folder&gt;/turbine.dll</c>.
    /// </summary>
    public IReadOnlyList<string>? ServerCommand { get; init; }

    /// <summary>
    /// Absolute folder the runtime owns: one subfolder per replica (<c>&lt;deployment&gt;/&lt;replica&gt;/</c>) with its
    /// log file, its <c>replica.json</c> (what adoption needs) and, for registry models, its materialized repository.
    /// Required.
    /// </summary>
    public string WorkDirectory { get; init; } = "";

    /// <summary>
    /// Absolute folder of the registry blob cache shared by every replica (content-addressed <c>blobs/sha256/</c>; a
    /// download lands under a unique temporary name and is renamed into place, so two replicas pulling one artifact at
    /// once are safe). Each replica materializes its own repository next to its log. Default
    /// <c>&lt;WorkDirectory&gt;/registry-cache</c>.
    /// </summary>
    public string? RegistryCacheDirectory { get; init; }

    /// <summary>
    /// Registry bearer token for replicas serving registry models; passed in the child's environment
    /// (<c>TURBINE_REGISTRY_TOKEN</c>), never on its command line. Null: the child inherits this process's environment.
    /// </summary>
    public string? RegistryToken { get; init; }

    /// <summary>
    /// How long <see cref="LocalProcessRuntime.StartAsync"/> watches a new child for an early exit (a port taken between
    /// the runtime's probe and the child's bind is retried with new ports) before returning it as starting; it returns
    /// sooner once the child's HTTP port accepts connections. Default 10 s; at most 10 minutes.
    /// </summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// True (the default): a replica whose model fails to load at start exits (<c>--exit-on-error</c>), so the start or
    /// the next probe reports it with the server's reason. False: it keeps running, not ready (<c>--strict-readiness</c>),
    /// and each probe's message carries the model's state and reason from the server's repository index.
    /// </summary>
    public bool ExitOnLoadFailure { get; init; } = true;

    /// <summary>
    /// False (the default): replicas outlive a controller killed with <c>kill -9</c> and the next controller adopts them.
    /// True (<c>turbine up</c>): each replica gets <c>--parent-pid</c> with this process's id and stops by itself, as on
    /// SIGTERM, within about a second of this process ending however it ends, so a crashed <c>up</c> leaves no replicas
    /// behind (nothing would adopt them or serve their registry). A graceful stop is the controller's either way.
    /// </summary>
    public bool StopWithController { get; init; }

    /// <summary>Starts tried per replica when the child cannot bind its ports (fresh ports each time). Default 3; 1 to 10.</summary>
    public int MaxStartAttempts { get; init; } = 3;

    /// <summary>How long one probe (each HTTP call of it) may take. Default 2 s; at most 30 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Size at which a replica's log file is rotated (its newest bytes are copied to <c>replica.log.1</c>, replacing the
    /// older one, and the file is emptied); checked at each probe and log read. Default 10 MiB; 4 KiB to 1 GiB.
    /// </summary>
    public long MaxLogBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Most bytes read from the end of a log file for <see cref="ReplicaProcess.LogTail"/>. Default 64 KiB; 1 KiB to 4 MiB.</summary>
    public int MaxLogTailBytes { get; init; } = 64 * 1024;

    /// <summary>Most lines <see cref="ReplicaProcess.LogTail"/> returns, whatever is asked. Default 1000; 1 to 100 000.</summary>
    public int MaxLogTailLines { get; init; } = 1000;

    /// <summary>
    /// Further <c>turbine serve</c> arguments for every replica (for example <c>--exit-timeout-secs 20</c>); may not
    /// give <see cref="ReservedFlags"/>. Default none; at most 64.
    /// </summary>
    public IReadOnlyList<string> ExtraServeArguments { get; init; } = [];

    /// <summary>Every problem of these options, each naming the setting; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        CheckFolder(problems, nameof(WorkDirectory), WorkDirectory, required: true);
        CheckFolder(problems, nameof(RegistryCacheDirectory), RegistryCacheDirectory, required: false);
        if (ServerCommand is not null)
        {
            if (ServerCommand.Count == 0 || string.IsNullOrWhiteSpace(ServerCommand[0]))
            {
                problems.Add($"{nameof(ServerCommand)}: give the executable first (e.g. [\"dotnet\", \"/opt/turbine/turbine.dll\"]), or leave it unset to run this process's turbine");
            }
            else if (ServerCommand.Count > 16 || ServerCommand.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)))
            {
                problems.Add($"{nameof(ServerCommand)}: at most 16 arguments, none null or holding a NUL character");
            }
        }

        if (RegistryToken is { } token && (token.Length == 0 || token.Length > 4096 || token.Any(char.IsControl)))
        {
            problems.Add($"{nameof(RegistryToken)}: expected 1 to 4096 characters without control characters (or null)");
        }

        Range(problems, nameof(StartTimeout), StartTimeout, TimeSpan.FromMinutes(10));
        Range(problems, nameof(ProbeTimeout), ProbeTimeout, TimeSpan.FromSeconds(30));
        if (MaxStartAttempts is < 1 or > 10)
        {
            problems.Add($"{nameof(MaxStartAttempts)}: expected 1 to 10, got {MaxStartAttempts}");
        }

        if (MaxLogBytes is < 4096 or > 1L << 30)
        {
            problems.Add($"{nameof(MaxLogBytes)}: expected 4096 to {1L << 30} bytes, got {MaxLogBytes}");
        }

        if (MaxLogTailBytes is < 1024 or > 4 * 1024 * 1024)
        {
            problems.Add($"{nameof(MaxLogTailBytes)}: expected 1024 to {4 * 1024 * 1024} bytes, got {MaxLogTailBytes}");
        }

        if (MaxLogTailLines is < 1 or > 100_000)
        {
            problems.Add($"{nameof(MaxLogTailLines)}: expected 1 to 100000, got {MaxLogTailLines}");
        }

        if (ExtraServeArguments is null || ExtraServeArguments.Count > 64 || ExtraServeArguments.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)))
        {
            problems.Add($"{nameof(ExtraServeArguments)}: at most 64 arguments, none null or holding a NUL character");
        }
        else if (ExtraServeArguments.FirstOrDefault(a => ReservedFlags.Any(f => a == f || a.StartsWith(f + "=", StringComparison.Ordinal))) is { } reserved)
        {
            problems.Add($"{nameof(ExtraServeArguments)}: '{reserved}' is set by the runtime for each replica; remove it");
        }

        return problems;
    }

    /// <summary>The registry cache folder in effect.</summary>
    internal string EffectiveRegistryCache => RegistryCacheDirectory ?? Path.Combine(WorkDirectory, "registry-cache");

    /// <summary>
    /// The command that runs <c>turbine</c> (see <see cref="ServerCommand"/>); an error naming the problem when the
    /// default cannot be found.
    /// </summary>
    internal (IReadOnlyList<string>? Command, string? Problem) ResolveServerCommand()
    {
        if (ServerCommand is not null)
        {
            return (ServerCommand, null);
        }

        var self = Environment.ProcessPath;
        if (string.IsNullOrEmpty(self))
        {
            return (null, $"{nameof(ServerCommand)}: this process's executable is unknown; give the command that runs turbine");
        }

        var name = Path.GetFileNameWithoutExtension(self);
        if (!string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return ([self], null);
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "turbine.dll");
        return File.Exists(dll)
            ? ([self, dll], null)
            : (null, $"{nameof(ServerCommand)}: this process runs under the dotnet host and '{dll}' does not exist; give the command that runs turbine");
    }

    private static void CheckFolder(List<string> problems, string name, string? value, bool required)
    {
        if (value is null && !required)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(value) || !Path.IsPathFullyQualified(value) || value.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add($"{name}: expected an absolute folder path, got '{value}'");
        }
    }

    private static void Range(List<string> problems, string name, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            problems.Add($"{name}: expected more than 0 and at most {max.TotalSeconds:0} s, got {value.TotalSeconds:0.###} s");
        }
    }
}
