using System.CommandLine;
using Turbine.Cli;

var root = CliParser.CreateRoot();
var parsed = CliParser.Parse(root, args);
if (parsed.Errors.Count > 0)
{
    // One line, then a pointer to help: scripts and humans both read the first line.
    await Console.Error.WriteLineAsync(CliParser.ErrorLine(parsed, root));
    return CliParser.UsageExitCode;
}

// The server drains on SIGTERM itself (generic host); do not let the parser kill the process after 2 s.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
