using System.Globalization;
using System.Text.RegularExpressions;
using Turbine.Features.Sources;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Turbine.Features.Definitions;

/// <summary>
/// Reads every <c>*.yaml</c>/<c>*.yml</c> file at the top of a feature repository folder, merges them and validates
/// the result into a <see cref="FeatureRepo"/>. Unknown keys, duplicate names, dangling references and paths that
/// leave the folder are errors naming the file and the object.
/// </summary>
public static partial class FeatureRepoLoader
{
    /// <summary>Largest definitions file read (definitions are small; a huge file is a mistake or an attack).</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    public static FeatureRepo Load(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new FeatureRepoException($"feature repository '{root}': no such folder");
        }

        var files = Directory.EnumerateFiles(full)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new FeatureRepoException($"feature repository '{root}': no *.yaml definitions files");
        }

        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        var parts = new List<(string File, RepoFileYaml Yaml)>();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            if (info.LinkTarget is not null || info.Length > MaxFileBytes)
            {
                throw new FeatureRepoException($"{info.Name}: not a regular file of at most {MaxFileBytes} bytes");
            }

            try
            {
                var yaml = deserializer.Deserialize<RepoFileYaml>(File.ReadAllText(file)) ?? new RepoFileYaml();
                parts.Add((info.Name, yaml));
            }
            catch (YamlException e)
            {
                throw new FeatureRepoException($"{info.Name}: line {e.Start.Line}: {(e.InnerException ?? e).Message}", e);
            }
        }

        return Validate(full, parts);
    }

    private static FeatureRepo Validate(string root, List<(string File, RepoFileYaml Yaml)> parts)
    {
        string? project = null;
        OnlineStoreConfig? store = null;
        var keyVersion = 3;
        var entities = new Dictionary<string, EntityDefinition>(StringComparer.Ordinal);
        var sources = new Dictionary<string, SourceDefinition>(StringComparer.Ordinal);
        var views = new Dictionary<string, FeatureViewDefinition>(StringComparer.Ordinal);
        var odfvs = new Dictionary<string, OnDemandFeatureViewDefinition>(StringComparer.Ordinal);
        var services = new Dictionary<string, FeatureServiceDefinition>(StringComparer.Ordinal);

        foreach (var (file, y) in parts)
        {
            if (y.Project is not null)
            {
                if (project is not null)
                {
                    throw new FeatureRepoException($"{file}: 'project' is set in more than one file");
                }

                project = CheckName(file, "project", y.Project);
            }

            if (y.EntityKeySerializationVersion is { } v)
            {
                keyVersion = v is 2 or 3 ? v : throw new FeatureRepoException($"{file}: entity_key_serialization_version {v}: expected 2 or 3");
            }

            if (y.OnlineStore is { } os)
            {
                if (store is not null)
                {
                    throw new FeatureRepoException($"{file}: 'online_store' is set in more than one file");
                }

                store = os.Type switch
                {
                    null or OnlineStoreConfig.Sqlite => new OnlineStoreConfig(OnlineStoreConfig.Sqlite, InsideRoot(root, file, "online_store.path", os.Path ?? "data/online_store.db", mustExist: false), null, null),
                    OnlineStoreConfig.Redis => new OnlineStoreConfig(OnlineStoreConfig.Redis, null, os.ConnectionString ?? "127.0.0.1:6379", os.KeyTtlSeconds is null or > 0 ? os.KeyTtlSeconds : throw new FeatureRepoException($"{file}: online_store.key_ttl_seconds must be positive")),
                    _ => throw new FeatureRepoException($"{file}: online_store.type '{os.Type}': expected sqlite or redis"),
                };
            }

            foreach (var e in y.Entities ?? [])
            {
                var name = CheckName(file, "entity", e.Name);
                var type = ParseType(file, $"entity '{name}'", e.ValueType ?? "int64");
                if (type is not (FeatureType.Int32 or FeatureType.Int64 or FeatureType.String))
                {
                    throw new FeatureRepoException($"{file}: entity '{name}': value_type {e.ValueType}: join keys must be int32, int64 or string");
                }

                Add(entities, file, "entity", name, new EntityDefinition(name, CheckName(file, $"entity '{name}' join_key", e.JoinKey ?? name), type, e.Description));
            }

            foreach (var s in y.Sources ?? [])
            {
                var name = CheckName(file, "source", s.Name);
                var format = (s.Type ?? InferFormat(s.Path)) switch
                {
                    "parquet" => SourceFormat.Parquet,
                    "csv" => SourceFormat.Csv,
                    var other => throw new FeatureRepoException($"{file}: source '{name}': type '{other}': expected parquet or csv"),
                };
                var declared = s.Path ?? throw new FeatureRepoException($"{file}: source '{name}': 'path' is required");
                var path = SourceStorage.IsS3(declared) ? CheckS3(file, name, declared) : InsideRoot(root, file, $"source '{name}' path", declared, mustExist: false);
                if (s.S3EndpointOverride is { } endpoint && (!SourceStorage.IsS3(declared) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
                {
                    throw new FeatureRepoException($"{file}: source '{name}': s3_endpoint_override '{endpoint}': expected an http(s) URL, on an s3:// source");
                }

                Add(sources, file, "source", name, new SourceDefinition(name, format, path,
                    CheckName(file, $"source '{name}' timestamp_field", s.TimestampField ?? "event_timestamp"),
                    s.CreatedTimestampColumn is null ? null : CheckName(file, $"source '{name}' created_timestamp_column", s.CreatedTimestampColumn))
                { S3EndpointOverride = s.S3EndpointOverride });
            }

            foreach (var fv in y.FeatureViews ?? [])
            {
                var name = CheckName(file, "feature view", fv.Name);
                var what = $"feature view '{name}'";
                var fields = (fv.Schema ?? []).Select(f => new FeatureField(CheckName(file, $"{what} feature", f.Name), ParseType(file, $"{what} feature '{f.Name}'", f.Dtype)))
                    .ToArray();
                if (fields.Length == 0)
                {
                    throw new FeatureRepoException($"{file}: {what}: 'schema' lists no features");
                }

                if (fv.Schema!.Any(f => f.Expression is not null))
                {
                    throw new FeatureRepoException($"{file}: {what}: 'expression' belongs to on_demand_feature_views");
                }

                Duplicates(file, what, fields.Select(f => f.Name));
                Add(views, file, "feature view", name, new FeatureViewDefinition(name, fv.Entities ?? [], ParseTtl(file, what, fv.Ttl),
                    fv.Source ?? throw new FeatureRepoException($"{file}: {what}: 'source' is required"), fields, fv.Online ?? true));
            }

            foreach (var od in y.OnDemandFeatureViews ?? [])
            {
                var name = CheckName(file, "on-demand feature view", od.Name);
                var what = $"on-demand feature view '{name}'";
                var request = (od.RequestSchema ?? []).Select(f => new FeatureField(CheckName(file, $"{what} request field", f.Name), ParseType(file, $"{what} request field '{f.Name}'", f.Dtype))).ToArray();
                var features = (od.Schema ?? []).Select(f => new OnDemandFeature(CheckName(file, $"{what} feature", f.Name), ParseType(file, $"{what} feature '{f.Name}'", f.Dtype),
                    f.Expression ?? throw new FeatureRepoException($"{file}: {what} feature '{f.Name}': 'expression' is required"))).ToArray();
                if (features.Length == 0)
                {
                    throw new FeatureRepoException($"{file}: {what}: 'schema' lists no features");
                }

                Duplicates(file, what, features.Select(f => f.Name));
                Add(odfvs, file, "on-demand feature view", name, new OnDemandFeatureViewDefinition(name, od.Sources ?? [], request, features));
            }

            foreach (var fs in y.FeatureServices ?? [])
            {
                var name = CheckName(file, "feature service", fs.Name);
                Add(services, file, "feature service", name, new FeatureServiceDefinition(name, fs.Features ?? [], fs.Description));
            }
        }

        var repo = new FeatureRepo(project ?? throw new FeatureRepoException("feature repository: 'project' is required (in one of the *.yaml files)"), root,
            store ?? new OnlineStoreConfig(OnlineStoreConfig.Sqlite, InsideRoot(root, "defaults", "online_store.path", "data/online_store.db", mustExist: false), null, null),
            keyVersion, entities, sources, views, odfvs, services);
        CheckReferences(repo);
        return repo;
    }

    private static void CheckReferences(FeatureRepo repo)
    {
        foreach (var view in repo.FeatureViews.Values)
        {
            if (!repo.Sources.ContainsKey(view.Source))
            {
                throw new FeatureRepoException($"feature view '{view.Name}': source '{view.Source}' is not defined");
            }

            foreach (var e in view.Entities)
            {
                if (!repo.Entities.TryGetValue(e, out var entity))
                {
                    throw new FeatureRepoException($"feature view '{view.Name}': entity '{e}' is not defined");
                }

                if (view.Feature(entity.JoinKey) is not null)
                {
                    throw new FeatureRepoException($"feature view '{view.Name}': feature '{entity.JoinKey}' has the name of a join key");
                }
            }

            if (view.Entities.Count == 0)
            {
                throw new FeatureRepoException($"feature view '{view.Name}': 'entities' lists none");
            }

            if (repo.OnDemandFeatureViews.ContainsKey(view.Name))
            {
                throw new FeatureRepoException($"'{view.Name}' is both a feature view and an on-demand feature view");
            }
        }

        foreach (var od in repo.OnDemandFeatureViews.Values)
        {
            foreach (var s in od.Sources)
            {
                if (!repo.FeatureViews.ContainsKey(s))
                {
                    throw new FeatureRepoException($"on-demand feature view '{od.Name}': source feature view '{s}' is not defined");
                }
            }

            // Compiles every expression now, so a typo fails `apply`, not a request.
            _ = Serving.OnDemandEvaluator.Compile(repo, od);
        }

        foreach (var fs in repo.FeatureServices.Values)
        {
            _ = Serving.FeatureResolver.Resolve(repo, fs.Features, $"feature service '{fs.Name}'");
        }
    }

    /// <summary>Parses a TTL: <c>0</c> (forever), seconds, or a number with <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c>.</summary>
    public static TimeSpan ParseTtl(string file, string what, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.Zero;
        }

        var m = TtlPattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            throw new FeatureRepoException($"{file}: {what}: ttl '{text}': expected e.g. 0, 3600, 90m, 24h, 7d, 2w");
        }

        var seconds = n * (m.Groups[2].Value switch { "m" => 60, "h" => 3600, "d" => 86400, "w" => 604800, _ => 1 });
        return seconds is >= 0 and < 3.2e9 ? TimeSpan.FromSeconds(seconds) : throw new FeatureRepoException($"{file}: {what}: ttl '{text}' is out of range");
    }

    private static string CheckS3(string file, string name, string path)
    {
        try
        {
            return Turbine.Batch.Storage.S3Location.Parse(path).ToString();
        }
        catch (ArgumentException e)
        {
            throw new FeatureRepoException($"{file}: source '{name}' path: {e.Message}", e);
        }
    }

    private static string InsideRoot(string root, string file, string what, string path, bool mustExist)
    {
        if (Path.IsPathRooted(path))
        {
            throw new FeatureRepoException($"{file}: {what} '{path}': must be relative to the repository folder");
        }

        var full = Path.GetFullPath(Path.Combine(root, path));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new FeatureRepoException($"{file}: {what} '{path}': leaves the repository folder");
        }

        return !mustExist || File.Exists(full) || Directory.Exists(full) ? full : throw new FeatureRepoException($"{file}: {what} '{path}': not found");
    }

    private static string InferFormat(string? path) =>
        path is not null && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "parquet";

    private static FeatureType ParseType(string file, string what, string? text) =>
        FeatureTypes.TryParse(text, out var t) ? t : throw new FeatureRepoException($"{file}: {what}: dtype '{text}': expected one of {FeatureTypes.Accepted}");

    private static string CheckName(string file, string what, string? name) =>
        name is not null && NamePattern().IsMatch(name) ? name : throw new FeatureRepoException($"{file}: {what} name '{name}': expected letters, digits and _ (starting with a letter or _, at most 128)");

    private static void Add<T>(Dictionary<string, T> map, string file, string kind, string name, T value)
    {
        if (!map.TryAdd(name, value))
        {
            throw new FeatureRepoException($"{file}: {kind} '{name}' is defined twice");
        }
    }

    private static void Duplicates(string file, string what, IEnumerable<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!seen.Add(n))
            {
                throw new FeatureRepoException($"{file}: {what}: feature '{n}' is listed twice");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)([smhdw]?)$")]
    private static partial Regex TtlPattern();
}
