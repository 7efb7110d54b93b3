using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Cli.Logging;
using Turbine.Control;
using Turbine.Control.Api;

namespace Turbine.Cli.Commands;

internal static partial class ControlCommand
{
    /// <summary>Largest <c>--tokens-file</c> read.</summary>
    private const long MaxTokensFileBytes = 64 * 1024;

    private static Command CreateServe(Action<IServiceCollection>? configureServices)
    {
        var defaults = new ControlOptions();
        var host = HostFlag.Create(defaults.Host);
        var port = new Option<int>("--port") { Description = "HTTP port of the control API (0 = pick a free port).", DefaultValueFactory = _ => defaults.Port };
        var data = new Option<string>("--data") { Description = "Data folder (control.db lives here).", DefaultValueFactory = _ => defaults.DataDirectory };
        var database = new Option<string?>("--database") { Description = "The SQLite file of the control store (default <data>/control.db)." };
        var registry = new Option<string?>("--registry-url") { Description = "Accept this registry's tokens (reader: read; writer or admin: write); asked at GET /api/v1/auth/whoami." };
        var tokensFile = new Option<string?>("--tokens-file") { Description = "Static tokens, one per line: NAME read|write SECRET (# comments); for use without a registry." };
        var dev = new Option<bool>("--dev") { Description = "Run without tokens (loopback hosts only)." };
        var maxSpec = new Option<int>("--max-spec-bytes") { Description = "Largest InferenceService accepted by apply (413 above).", DefaultValueFactory = _ => defaults.MaxSpecBytes };
        var plane = new ControlPlaneFlags();
        var dashboard = new DashboardFlags();
        var batch = new BatchJobFlags();
        var command = new Command("serve", "Run the control plane: the control API (OpenAPI at /openapi/v1.json), the public gateway and the reconciler that runs each deployment's replicas.")
        {
            host, port, data, database, registry, tokensFile, dev, maxSpec,
        };
        plane.AddTo(command);
        dashboard.AddTo(command);
        batch.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            ControlOptions options;
            try
            {
                Uri? registryUrl = null;
                if (parse.GetValue(registry) is { } text && !Uri.TryCreate(text, UriKind.Absolute, out registryUrl))
                {
                    throw new UsageException($"--registry-url '{text}' is not an absolute URL");
                }

                options = new ControlOptions
                {
                    Host = parse.GetValue(host)!,
                    Port = parse.GetValue(port),
                    DataDirectory = parse.GetValue(data)!,
                    DatabasePath = parse.GetValue(database),
                    RegistryUrl = registryUrl,
                    StaticTokens = parse.GetValue(tokensFile) is { } file ? ReadTokensFile(file) : [],
                    Dev = parse.GetValue(dev),
                    MaxSpecBytes = parse.GetValue(maxSpec),
                    PostgresConnectionString = plane.Postgres(parse),
                    ConfigureLogging = RoleLogging.For(Turbine.Server.Logging.LogFormat.Text),
                };
            }
            catch (UsageException e)
            {
                await error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            if (ControlOptionsValidator.Problems(options) is [_, ..] problems)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync($"turbine: error: {problem}").ConfigureAwait(false);
                }

                return 2;
            }

            ControlPlaneOptions planeOptions;
            Action<IServiceCollection> batchServices;
            try
            {
                planeOptions = plane.Read(parse, options);
                options = dashboard.Apply(parse, options, planeOptions);
                batchServices = batch.Services(parse, options.DataDirectory);
            }
            catch (UsageException e)
            {
                await error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            ControlHost server;
            try
            {
                // The integrator's seam (tests) or the real plane: gateway, runtime, resolver and reconciler in this process.
                var services = configureServices ?? (s => ControlPlane.Register(s, planeOptions, options.DataDirectory));
                server = await ControlHost.StartAsync(options, s => { services(s); batchServices(s); }, app =>
                {
                    if (configureServices is null)
                    {
                        ControlPlane.MapMetrics(app);
                    }

                    Turbine.Control.Batch.BatchJobsApi.Map(app);
                }, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ArgumentException or IOException or System.Data.Common.DbException or UnauthorizedAccessException or InvalidOperationException)
            {
                await error.WriteLineAsync($"turbine: error: cannot start the control service: {OneLine(e.Message)}").ConfigureAwait(false);
                return 1;
            }

            if (server.Services.GetService<ControlPlane>()?.Gateway is { } gateway)
            {
                await Console.Out.WriteLineAsync($"turbine control ready: API on {server.Url}{(options.Dashboard.Enabled ? $" dashboard on {server.Url}dashboard/" : "")} gateway HTTP on {gateway.HttpAddress} gRPC on {gateway.GrpcAddress}").ConfigureAwait(false);
            }

            await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>Reads <c>NAME read|write SECRET</c> lines from a regular file of bounded size; every bad line is named.</summary>
    internal static IReadOnlyList<ControlStaticToken> ReadTokensFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Attributes.HasFlag(FileAttributes.Directory))
        {
            throw new UsageException($"--tokens-file '{path}' is not a file");
        }

        if (info.Length > MaxTokensFileBytes)
        {
            throw new UsageException($"--tokens-file '{path}' has {info.Length} bytes; at most {MaxTokensFileBytes} are read");
        }

        var tokens = new List<ControlStaticToken>();
        var problems = new List<string>();
        var number = 0;
        var bytes = ReadBoundedAsync(info.FullName, (int)MaxTokensFileBytes, CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new UsageException($"--tokens-file '{path}' holds more than {MaxTokensFileBytes} bytes");
        foreach (var raw in System.Text.Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[1] is not ("read" or "write"))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"--tokens-file '{path}' line {number}: expected 'NAME read|write SECRET'"));
                continue;
            }

            tokens.Add(new ControlStaticToken(parts[0], parts[2], parts[1] == "read" ? ControlScope.Read : ControlScope.Write));
        }

        return problems.Count > 0 ? throw new UsageException(string.Join("; ", problems)) : tokens;
    }
}
