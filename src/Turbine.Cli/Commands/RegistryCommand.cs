using System.CommandLine;
using System.Globalization;
using Turbine.Cli.Logging;
using Turbine.Registry;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine registry</c>: the model registry service; <c>turbine registry token create|list|revoke</c> manage API
/// tokens straight on the metadata store (so the first admin token exists before the server runs).
/// </summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var defaults = new RegistryOptions();
        var host = HostFlag.Create(defaults.Host);
        var port = new Option<int>("--http-port", "--port") { Description = "HTTP port (0 = pick a free port). --port is an older spelling.", DefaultValueFactory = _ => defaults.Port };
        var dev = new Option<bool>("--dev") { Description = "Run without API tokens (loopback hosts only)." };
        var artifacts = new Option<string?>("--artifacts") { Description = "Artifact folder (default <data>/artifacts); with S3, the upload spool." };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { Description = "S3-compatible endpoint URL (env TURBINE_S3_ENDPOINT).", DefaultValueFactory = _ => Env("ENDPOINT") };
        var s3Bucket = new Option<string?>("--s3-bucket") { Description = "Store artifacts in this S3 bucket (env TURBINE_S3_BUCKET).", DefaultValueFactory = _ => Env("BUCKET") };
        // Secrets are read from the environment at run time, not as option defaults: --help would print them.
        var s3AccessKey = new Option<string?>("--s3-access-key") { Description = "S3 access key (env TURBINE_S3_ACCESS_KEY)." };
        var s3SecretKey = new Option<string?>("--s3-secret-key") { Description = "S3 secret key (env TURBINE_S3_SECRET_KEY)." };
        var s3Region = new Option<string>("--s3-region") { Description = "S3 signing region (env TURBINE_S3_REGION).", DefaultValueFactory = _ => Env("REGION") ?? defaults.S3Region };
        var s3Prefix = new Option<string?>("--s3-prefix") { Description = "Key prefix inside the bucket (env TURBINE_S3_PREFIX).", DefaultValueFactory = _ => Env("PREFIX") };
        var maxArtifact = new Option<long>("--max-artifact-bytes") { Description = "Largest artifact upload accepted (413 above).", DefaultValueFactory = _ => defaults.MaxArtifactBytes };
        ServeOptions.Rule(port, (option, value) => RegistryOptionsValidator.CheckPort(option.Name, value));
        var store = new StoreOptions();
        var command = new Command("registry", "Run the model registry service (REST API, OpenAPI at /openapi/v1.json).")
        {
            host, port, dev, artifacts, s3Endpoint, s3Bucket, s3AccessKey, s3SecretKey, s3Region, s3Prefix, maxArtifact,
        };
        store.AddTo(command);
        command.Subcommands.Add(TokenCommand());
        command.SetAction(async (parse, ct) =>
        {
            var options = store.Read(parse) with
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                Dev = parse.GetValue(dev),
                ArtifactsDirectory = parse.GetValue(artifacts),
                S3Endpoint = parse.GetValue(s3Endpoint),
                S3Bucket = parse.GetValue(s3Bucket),
                S3AccessKey = parse.GetValue(s3AccessKey) ?? Env("ACCESS_KEY"),
                S3SecretKey = parse.GetValue(s3SecretKey) ?? Env("SECRET_KEY"),
                S3Region = parse.GetValue(s3Region)!,
                ConfigureLogging = RoleLogging.For(Turbine.Server.Logging.LogFormat.Text),
                S3Prefix = parse.GetValue(s3Prefix),
                MaxArtifactBytes = parse.GetValue(maxArtifact),
            };
            RegistryServer server;
            try
            {
                Turbine.Server.PortProbe.EnsureFree(options.Host, [(options.Port, "registry", "--port")]);
                server = await RegistryServer.StartAsync(options, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ArgumentException or IOException or System.Data.Common.DbException or UnauthorizedAccessException)
            {
                var message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
                await Console.Error.WriteLineAsync($"turbine: error: cannot start the registry: {message}").ConfigureAwait(false);
                return 1;
            }

            await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command TokenCommand()
    {
        var token = new Command("token", "Manage API tokens directly on the registry's metadata store.");

        var store = new StoreOptions();
        var name = new Option<string>("--name") { Description = "Token name (the actor in the audit log).", Required = true };
        var role = new Option<string>("--role") { Description = "reader | writer | admin.", Required = true };
        role.AcceptOnlyFromAmong("reader", "writer", "admin");
        var models = new Option<string>("--models") { Description = "Model-name pattern the token may touch (* and ? wildcards).", DefaultValueFactory = _ => "*" };
        var create = new Command("create", "Create a token and print its secret (shown only this once).") { name, role, models };
        store.AddTo(create);
        create.SetAction(async (parse, ct) =>
        {
            try
            {
                var created = await RegistryTokens.CreateAsync(store.Read(parse), parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(models), ct).ConfigureAwait(false);
                Console.WriteLine($"created token {created.Id} '{created.Name}' role {created.Role} models '{created.Models}'");
                Console.WriteLine(created.Secret);
                return 0;
            }
            catch (ArgumentException e)
            {
                var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
                await Console.Error.WriteLineAsync($"turbine: error: {message}").ConfigureAwait(false);
                return 2;
            }
        });

        var listStore = new StoreOptions();
        var list = new Command("list", "List tokens (never their secrets).");
        listStore.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            Console.WriteLine("ID\tNAME\tROLE\tMODELS\tCREATED\tREVOKED");
            foreach (var t in await RegistryTokens.ListAsync(listStore.Read(parse), ct).ConfigureAwait(false))
            {
                Console.WriteLine(string.Join('\t', t.Id.ToString(CultureInfo.InvariantCulture), t.Name, t.Role, t.Models,
                    t.CreatedAt.ToString("u", CultureInfo.InvariantCulture), t.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-"));
            }

            return 0;
        });

        var revokeStore = new StoreOptions();
        var id = new Argument<long>("id") { Description = "The token id (see 'token list')." };
        var revoke = new Command("revoke", "Revoke a token; it stops working at once.") { id };
        revokeStore.AddTo(revoke);
        revoke.SetAction(async (parse, ct) =>
        {
            var tokenId = parse.GetValue(id);
            if (await RegistryTokens.RevokeAsync(revokeStore.Read(parse), tokenId, ct).ConfigureAwait(false))
            {
                Console.WriteLine($"revoked token {tokenId}");
                return 0;
            }

            await Console.Error.WriteLineAsync($"turbine: error: no active token with id {tokenId}").ConfigureAwait(false);
            return 1;
        });

        token.Subcommands.Add(create);
        token.Subcommands.Add(list);
        token.Subcommands.Add(revoke);
        return token;
    }

    private static string? Env(string suffix) => Environment.GetEnvironmentVariable("TURBINE_S3_" + suffix) is { Length: > 0 } value ? value : null;

    /// <summary>The metadata-store flags shared by the server and the token commands.</summary>
    private sealed class StoreOptions
    {
        private readonly Option<string> _data = new("--data") { Description = "Data folder (SQLite registry.db, artifacts/).", DefaultValueFactory = _ => RegistryOptions.DefaultDataDirectory() };
        // Not a DefaultValueFactory: the connection string may hold a password, and --help prints defaults.
        private readonly Option<string?> _database = new("--database") { Description = "PostgreSQL connection string; metadata goes there instead of SQLite (env TURBINE_REGISTRY_DATABASE)." };

        public void AddTo(Command command)
        {
            command.Options.Add(_data);
            command.Options.Add(_database);
        }

        public RegistryOptions Read(ParseResult parse) => new()
        {
            DataDirectory = Path.GetFullPath(parse.GetValue(_data)!),
            Database = (parse.GetValue(_database) ?? Environment.GetEnvironmentVariable("TURBINE_REGISTRY_DATABASE")) is { Length: > 0 } database ? database : null,
        };
    }
}
