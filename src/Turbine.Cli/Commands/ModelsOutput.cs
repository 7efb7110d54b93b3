using System.Globalization;
using System.Text.Json;
using Turbine.Client.Registry;

namespace Turbine.Cli.Commands;

/// <summary>What <c>turbine models</c> prints: aligned tables for people, or the registry's JSON for scripts.</summary>
internal sealed class ModelsOutput(TextWriter writer, bool json)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public void Pushed(RegistryModelVersion v)
    {
        if (!WroteJson(v))
        {
            writer.WriteLine($"pushed {v.Model} version {Num(v.Version)} (sha256 {v.Artifact.Sha256}, {Num(v.Artifact.Size ?? 0)} bytes, {v.Artifact.Packing}{(v.Format is null ? "" : ", " + v.Format)})");
        }
    }

    public void Models(IReadOnlyList<RegistryModel> models)
    {
        if (WroteJson(new { models }))
        {
            return;
        }

        Table(["NAME", "LATEST", "STAGES", "ALIASES", "DESCRIPTION"], models.Select(m => new[]
        {
            m.Name,
            m.LatestVersion is { } l ? Num(l) : "-",
            Map(m.Stages),
            Map(m.Aliases),
            m.Description ?? "",
        }));
    }

    public void Model(RegistryModel model, IReadOnlyList<RegistryModelVersion> versions)
    {
        if (WroteJson(new { model, versions }))
        {
            return;
        }

        writer.WriteLine($"name:        {model.Name}");
        writer.WriteLine($"description: {model.Description}");
        writer.WriteLine($"owner:       {model.Owner}");
        writer.WriteLine($"tags:        {string.Join(", ", model.Tags.Select(t => t.Key + "=" + t.Value))}");
        writer.WriteLine($"stages:      {Map(model.Stages)}");
        writer.WriteLine($"aliases:     {Map(model.Aliases)}");
        writer.WriteLine();
        Versions(versions);
    }

    public void Versions(IReadOnlyList<RegistryModelVersion> versions)
    {
        if (WroteJson(new { versions }))
        {
            return;
        }

        Table(["MODEL", "VERSION", "STAGE", "ALIASES", "CREATED", "SHA256", "METRICS"], versions.Select(v => new[]
        {
            v.Model,
            Num(v.Version),
            v.Stage,
            string.Join(",", v.Aliases),
            v.CreatedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "",
            v.Artifact.Sha256.Length > 12 ? v.Artifact.Sha256[..12] : v.Artifact.Sha256,
            string.Join(",", v.Metrics.Select(m => m.Key + "=" + m.Value.ToString(CultureInfo.InvariantCulture))),
        }));
    }

    public void Version(RegistryModelVersion v)
    {
        if (WroteJson(v))
        {
            return;
        }

        writer.WriteLine($"model:       {v.Model}");
        writer.WriteLine($"version:     {Num(v.Version)}");
        writer.WriteLine($"stage:       {v.Stage}");
        writer.WriteLine($"aliases:     {string.Join(", ", v.Aliases)}");
        writer.WriteLine($"created:     {v.CreatedAt?.ToString("u", CultureInfo.InvariantCulture)}{(v.CreatedBy is null ? "" : " by " + v.CreatedBy)}");
        writer.WriteLine($"description: {v.Description}");
        writer.WriteLine($"artifact:    sha256 {v.Artifact.Sha256}, {Num(v.Artifact.Size ?? 0)} bytes, {v.Artifact.Packing}{(v.Artifact.FileName is null ? "" : " " + v.Artifact.FileName)}");
        writer.WriteLine($"format:      {v.Format}");
        if (v.Signature is { } s)
        {
            foreach (var t in s.Inputs)
            {
                writer.WriteLine($"input:       {t.Name} {t.Datatype} [{string.Join(",", t.Shape)}]");
            }

            foreach (var t in s.Outputs)
            {
                writer.WriteLine($"output:      {t.Name} {t.Datatype} [{string.Join(",", t.Shape)}]");
            }
        }

        writer.WriteLine($"metrics:     {string.Join(", ", v.Metrics.Select(m => m.Key + "=" + m.Value.ToString(CultureInfo.InvariantCulture)))}");
        writer.WriteLine($"params:      {string.Join(", ", v.Params.Select(m => m.Key + "=" + m.Value))}");
        if (v.Lineage is { } l)
        {
            var parts = new List<string>();
            AddPart(parts, "dataset", l.DatasetUri);
            AddPart(parts, "dataset digest", l.DatasetDigest);
            AddPart(parts, "code", l.CodeRepository);
            AddPart(parts, "commit", l.CodeCommit);
            AddPart(parts, "run", l.RunId);
            AddPart(parts, "parent version", l.ParentVersion is { } p ? Num(p) : null);
            writer.WriteLine($"lineage:     {string.Join(", ", parts)}");
        }
    }

    public void Pulled(RegistryModelVersion v, IReadOnlyList<string> written)
    {
        if (!WroteJson(new { model = v.Model, version = v.Version, sha256 = v.Artifact.Sha256, written }))
        {
            writer.WriteLine($"pulled {v.Model} version {Num(v.Version)} (sha256 {v.Artifact.Sha256} verified) into {string.Join(", ", written)}");
        }
    }

    public void Alias(string model, string alias, long version)
    {
        if (!WroteJson(new { model, alias, version }))
        {
            writer.WriteLine($"{model}@{alias} -> version {Num(version)}");
        }
    }

    public void Lineage(RegistryVersionLineage lineage)
    {
        if (WroteJson(lineage))
        {
            return;
        }

        writer.WriteLine("ancestors:");
        Versions(lineage.Ancestors);
        writer.WriteLine("descendants:");
        Versions(lineage.Descendants);
    }

    private bool WroteJson(object value)
    {
        if (!json)
        {
            return false;
        }

        writer.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        return true;
    }

    private void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            writer.WriteLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Map(IReadOnlyDictionary<string, long> map) =>
        string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + Num(p.Value)));

    private static void AddPart(List<string> parts, string label, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parts.Add(label + " " + value);
        }
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
