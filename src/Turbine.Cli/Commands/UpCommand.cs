using System.CommandLine;
using Turbine.Samples;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine up</c>: the one-command embedded default. Creates the sample repository if absent and serves it.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var repository = new Option<string>("--model-repository")
        {
            Description = "Repository to serve; the samples are created there if it has no models.",
            DefaultValueFactory = _ => Path.Combine(Environment.GetEnvironmentVariable("TURBINE_HOME")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".turbine"), "models"),
        };
        var options = new ServeOptions();
        var command = new Command("up", "Run Turbine's embedded default: create the sample models if absent and serve them.") { repository };
        options.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(repository)!);
            if (!Directory.Exists(path) || !Directory.EnumerateDirectories(path).Any())
            {
                Console.WriteLine($"turbine: creating sample models in {path}");
                SampleRepository.Create(path);
            }

            return UpGateway.RunAsync(options.Read(parse, path), ct);
        });
        return command;
    }
}
