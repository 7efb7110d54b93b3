using System.CommandLine;
using Turbine.Samples;

namespace Turbine.Cli.Commands;

/// <summary><c>turbine samples create DIR</c>: writes the sample model repository (built locally, no downloads).</summary>
internal static class SamplesCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "Folder to write the sample repository into." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Rewrite sample models that already exist." };
        var graphs = new Option<bool>("--graphs")
        {
            Description = $"Also write the graph samples: the ensemble {SampleGraphs.SimpleChain} (simple twice) and the Switch graph " +
                $"{SampleGraphs.IrisRouter} (iris, then {SampleGraphs.SepalScore} or {SampleGraphs.PetalScore} by its top class).",
        };
        var create = new Command("create", "Write the sample model repository: " + string.Join(", ", SampleRepository.ModelNames) + ".") { dir, overwrite, graphs };
        create.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            var output = parse.InvocationConfiguration.Output;
            var (created, kept) = CreateSamples(path, parse.GetValue(overwrite), output);
            output.WriteLine(Summary(path, created, kept));
            if (parse.GetValue(graphs))
            {
                output.WriteLine(CreateGraphSamples(path, parse.GetValue(overwrite)));
            }

            return 0;
        });
        return new Command("samples", "Sample models.") { create };
    }

    /// <summary>
    /// Writes each sample model that <paramref name="path"/> lacks (every one with <paramref name="overwrite"/>),
    /// printing a line per model as it is built (building takes seconds); returns the names created and kept.
    /// </summary>
    public static (IReadOnlyList<string> Created, IReadOnlyList<string> Kept) CreateSamples(string path, bool overwrite, TextWriter progress)
    {
        var created = new List<string>();
        var kept = new List<string>();
        var names = SampleRepository.ModelNames;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (!overwrite && Directory.Exists(Path.Combine(path, name)))
            {
                kept.Add(name);
                continue;
            }

            progress.WriteLine($"turbine: building sample model {name} ({i + 1}/{names.Count})");
            progress.Flush();
            SampleRepository.CreateModel(path, name);
            created.Add(name);
        }

        return (created, kept);
    }

    /// <summary>
    /// Writes the graph samples (they need <c>simple</c> and <c>iris</c>, which <see cref="CreateSamples"/> wrote) that
    /// <paramref name="path"/> lacks, or all of them with <paramref name="overwrite"/>; returns one line saying what it did.
    /// </summary>
    public static string CreateGraphSamples(string path, bool overwrite)
    {
        var written = new List<string>();
        if (overwrite || !Directory.Exists(Path.Combine(path, SampleGraphs.SimpleChain)))
        {
            SampleGraphs.WriteSimpleChain(path);
            written.Add(SampleGraphs.SimpleChain);
        }

        if (overwrite || !Directory.Exists(Path.Combine(path, SampleGraphs.IrisRouter)))
        {
            SampleGraphs.WriteIrisRouter(path);
            written.Add($"{SampleGraphs.IrisRouter} (with {SampleGraphs.SepalScore}, {SampleGraphs.PetalScore})");
        }

        return written.Count == 0
            ? "graph samples: kept existing (--overwrite rewrites them)"
            : $"graph samples: created {string.Join(", ", written)}";
    }

    /// <summary>One line saying which sample models were created and which existing ones were kept.</summary>
    public static string Summary(string path, IReadOnlyList<string> created, IReadOnlyList<string> kept)
    {
        if (kept.Count == 0)
        {
            return $"created sample models in {path}: {string.Join(", ", created)}";
        }

        var keptText = $"kept existing {string.Join(", ", kept)} (--overwrite rewrites them)";
        return created.Count == 0
            ? $"sample models in {path}: nothing created; {keptText}"
            : $"sample models in {path}: created {string.Join(", ", created)}; {keptText}";
    }
}
