using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turbine.Features.Definitions;

/// <summary>The outcome of <see cref="FeatureRegistry.Apply"/>: the new registry version and what changed.</summary>
public sealed record ApplyResult(int Version, IReadOnlyList<string> Changes, IReadOnlyList<string> Breaking, bool Forced);

/// <summary>
/// Registers a validated repository: a versioned record of the definitions in <c>.turbine/registry.json</c> under the
/// repository (each applied version also kept as <c>.turbine/history/v{N}.json</c>). A breaking change to a feature
/// view (a view or feature removed, a feature's type or the view's entities changed) is refused unless forced,
/// because models trained on the old definition would silently get other data.
/// </summary>
public static class FeatureRegistry
{
    public const string Folder = ".turbine";

    public static string RegistryPath(FeatureRepo repo) => Path.Combine(repo.Root, Folder, "registry.json");

    /// <summary>The registry as last applied, or null when the repository was never applied.</summary>
    public static JsonObject? Read(FeatureRepo repo)
    {
        var path = RegistryPath(repo);
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
    }

    public static ApplyResult Apply(FeatureRepo repo, bool force, TimeProvider? time = null)
    {
        var previous = Read(repo);
        var next = Describe(repo);
        var changes = new List<string>();
        var breaking = new List<string>();
        var oldViews = previous?["feature_views"] as JsonObject ?? [];
        var newViews = (JsonObject)next["feature_views"]!;
        Compare("feature view", oldViews, newViews, changes, breaking, checkEntities: true);
        Compare("on-demand feature view", previous?["on_demand_feature_views"] as JsonObject ?? [], (JsonObject)next["on_demand_feature_views"]!, changes, breaking, checkEntities: false);
        foreach (var name in Names(previous?["feature_services"] as JsonObject).Union(Names((JsonObject)next["feature_services"]!)))
        {
            var a = previous?["feature_services"]?[name]?.ToJsonString();
            var b = next["feature_services"]![name]?.ToJsonString();
            if (a != b)
            {
                changes.Add(a is null ? $"feature service '{name}' added" : b is null ? $"feature service '{name}' removed" : $"feature service '{name}' changed");
            }
        }

        if (breaking.Count > 0 && !force)
        {
            throw new FeatureRepoException("breaking change refused (apply with --force to register it anyway): " + string.Join("; ", breaking));
        }

        var version = (previous?["version"]?.GetValue<int>() ?? 0) + (changes.Count > 0 || previous is null ? 1 : 0);
        // View versions: bumped when that view's definition changed.
        foreach (var (name, node) in newViews)
        {
            var old = oldViews[name];
            var oldVersion = old?["version"]?.GetValue<int>() ?? 0;
            var same = old is not null && Strip(old) == Strip(node!);
            node!["version"] = same ? oldVersion : oldVersion + 1;
        }

        next["version"] = version;
        next["applied_at"] = (time ?? TimeProvider.System).GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        if (previous is null || changes.Count > 0)
        {
            var folder = Path.Combine(repo.Root, Folder);
            Directory.CreateDirectory(Path.Combine(folder, "history"));
            var text = next.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path.Combine(folder, "history", $"v{version}.json"), text);
            var tmp = RegistryPath(repo) + ".tmp";
            File.WriteAllText(tmp, text);
            File.Move(tmp, RegistryPath(repo), overwrite: true);
        }

        if (previous is null)
        {
            changes.Insert(0, $"registered project '{repo.Project}': {repo.Entities.Count} entities, {repo.FeatureViews.Count} feature views, {repo.OnDemandFeatureViews.Count} on-demand feature views, {repo.FeatureServices.Count} feature services");
        }

        return new ApplyResult(version, changes, breaking, force && breaking.Count > 0);
    }

    private static string Strip(JsonNode node)
    {
        var copy = (JsonObject)node.DeepClone();
        copy.Remove("version");
        return copy.ToJsonString();
    }

    private static IEnumerable<string> Names(JsonObject? o) => o?.Select(p => p.Key) ?? [];

    private static void Compare(string kind, JsonObject before, JsonObject after, List<string> changes, List<string> breaking, bool checkEntities)
    {
        foreach (var name in Names(before).Union(Names(after)).Order(StringComparer.Ordinal))
        {
            var a = before[name];
            var b = after[name];
            if (a is null)
            {
                changes.Add($"{kind} '{name}' added");
                continue;
            }

            if (b is null)
            {
                changes.Add($"{kind} '{name}' removed");
                breaking.Add($"{kind} '{name}' removed");
                continue;
            }

            if (Strip(a) == Strip(b))
            {
                continue;
            }

            changes.Add($"{kind} '{name}' changed");
            var fa = (JsonObject)a["features"]!;
            var fb = (JsonObject)b["features"]!;
            foreach (var (f, t) in fa)
            {
                if (fb[f] is not { } nt)
                {
                    breaking.Add($"{kind} '{name}': feature '{f}' removed");
                }
                else if (nt.GetValue<string>() != t!.GetValue<string>())
                {
                    breaking.Add($"{kind} '{name}': feature '{f}' changed type {t} -> {nt}");
                }
            }

            if (checkEntities && a["entities"]!.ToJsonString() != b["entities"]!.ToJsonString())
            {
                breaking.Add($"{kind} '{name}': entities changed {a["entities"]!.ToJsonString()} -> {b["entities"]!.ToJsonString()}");
            }
        }
    }

    /// <summary>A canonical JSON description of the definitions (what versions are computed from).</summary>
    public static JsonObject Describe(FeatureRepo repo)
    {
        var views = new JsonObject();
        foreach (var v in repo.FeatureViews.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var features = new JsonObject();
            foreach (var f in v.Features)
            {
                features[f.Name] = FeatureTypes.Name(f.Type);
            }

            views[v.Name] = new JsonObject
            {
                ["entities"] = new JsonArray([.. v.Entities.Select(e => (JsonNode)$"{e}:{repo.Entities[e].JoinKey}:{FeatureTypes.Name(repo.Entities[e].Type)}")]),
                ["features"] = features,
                ["ttl_seconds"] = v.Ttl.TotalSeconds,
                ["source"] = v.Source,
                ["online"] = v.Online,
            };
        }

        var odfvs = new JsonObject();
        foreach (var od in repo.OnDemandFeatureViews.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var features = new JsonObject();
            var expressions = new JsonObject();
            foreach (var f in od.Features)
            {
                features[f.Name] = FeatureTypes.Name(f.Type);
                expressions[f.Name] = f.Expression;
            }

            odfvs[od.Name] = new JsonObject { ["features"] = features, ["expressions"] = expressions, ["sources"] = new JsonArray([.. od.Sources.Select(s => (JsonNode)s)]) };
        }

        var services = new JsonObject();
        foreach (var s in repo.FeatureServices.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            services[s.Name] = new JsonArray([.. s.Features.Select(f => (JsonNode)f)]);
        }

        return new JsonObject
        {
            ["project"] = repo.Project,
            ["feature_views"] = views,
            ["on_demand_feature_views"] = odfvs,
            ["feature_services"] = services,
        };
    }
}
