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
        var create = new Command("create", "Write the sample model repository: " + string.Join(", ", SampleRepository.ModelNames) + ".") { dir, overwrite };
        create.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            SampleRepository.Create(path, parse.GetValue(overwrite));
            Console.WriteLine($"created sample models in {path}: {string.Join(", ", SampleRepository.ModelNames)}");
            return 0;
        });
        return new Command("samples", "Sample models.") { create };
    }
}
