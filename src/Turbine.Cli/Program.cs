using System.CommandLine;
using System.Text.RegularExpressions;
using Turbine.Cli.Commands;

var root = new RootCommand("Turbine: a model-serving platform for .NET (Open Inference Protocol / KServe v2, Triton-compatible).");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(SamplesCommand.Create());
root.Subcommands.Add(InferCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(LogsCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(RegistryCommand.Create());
root.Subcommands.Add(GatewayCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, then a pointer to help: scripts and humans both read the first line.
    var message = Regex.Replace(parsed.Errors[0].Message, @"\s+", " ").Trim();
    var names = new List<string> { "turbine" };
    for (var r = parsed.CommandResult; r.Command != root; r = (System.CommandLine.Parsing.CommandResult)r.Parent!)
    {
        names.Insert(1, r.Command.Name);
    }

    var command = string.Join(' ', names);
    Console.Error.WriteLine($"turbine: error: {message} (see '{command} --help')");
    return 2;
}

// The server drains on SIGTERM itself (generic host); do not let the parser kill the process after 2 s.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
