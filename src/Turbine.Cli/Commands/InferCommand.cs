namespace Turbine.Cli.Commands; internal static class InferCommand { public static System.CommandLine.Command Create() => new("infer", "todo"); }
