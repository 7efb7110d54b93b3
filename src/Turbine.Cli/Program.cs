using System.CommandLine;
using Turbine.Cli.Commands;

var root = new RootCommand("Turbine: a model-serving platform for .NET (Open Inference Protocol / KServe v2, Triton-compatible).");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(SamplesCommand.Create());
root.Subcommands.Add(InferCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, then a pointer to help: scripts and humans both read the first line.
    Console.Error.WriteLine($"turbine: error: {parsed.Errors[0].Message} (see 'turbine {string.Join(' ', parsed.CommandResult.Command.Name == root.Name ? [] : new[] { parsed.CommandResult.Command.Name })} --help')".Replace("  ", " ", StringComparison.Ordinal));
    return 2;
}

// The server drains on SIGTERM itself (generic host); do not let the parser kill the process after 2 s.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
