using System.CommandLine;
using System.Globalization;
using Turbine.Control.Rendering;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine control render -f svc.yaml --target kserve|kubernetes [--output-dir DIR|-]</c>: the same declaration
/// <c>apply</c> takes, validated the same way (offline: no control service is asked), rendered to Kubernetes objects by
/// <see cref="ManifestRenderer"/>. Notes on what was not mapped go to standard error and, as comments, to the output.
/// </summary>
internal static partial class ControlCommand
{
    private static Command CreateRender()
    {
        var file = new Option<string>("--filename", "-f") { Description = "The InferenceService YAML file ('-' reads standard input).", Required = true };
        var target = new Option<string>("--target") { Description = "kserve: InferenceService + the Turbine ServingRuntime; kubernetes: Deployment, Service, ScaledObject or HPA, PodMonitor, gateway routes.", Required = true };
        target.AcceptOnlyFromAmong("kserve", "kubernetes");
        var outputDir = new Option<string>("--output-dir") { Description = "Write one file per object into this folder (created if missing); '-' (default) writes one YAML stream to standard output.", DefaultValueFactory = _ => "-" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "metadata.namespace of every object (and of the Prometheus queries)." };
        var image = new Option<string>("--image") { Description = "The Turbine image.", DefaultValueFactory = _ => RenderOptions.DefaultImage };
        var autoscaler = new Option<string>("--autoscaler") { Description = "kubernetes target: keda (concurrency, rps, cpu, memory; scale to zero) or hpa (cpu, memory).", DefaultValueFactory = _ => "keda" };
        autoscaler.AcceptOnlyFromAmong("keda", "hpa");
        var prometheus = new Option<string>("--prometheus-url") { Description = "The Prometheus KEDA queries.", DefaultValueFactory = _ => RenderOptions.DefaultPrometheusUrl.ToString() };
        var registryUrl = new Option<string?>("--registry-url") { Description = "kubernetes target: the registry registry:// storageUris are pulled from, as the pods reach it." };
        var registrySecret = new Option<string?>("--registry-token-secret") { Description = "kubernetes target: a Secret whose key 'token' is the registry token." };
        var s3Secret = new Option<string?>("--s3-secret") { Description = "kubernetes target: a Secret with the storage initializer's S3 settings (AWS_ACCESS_KEY_ID, …) for s3:// storageUris." };
        var command = new Command("render", "Render a deployment spec to Kubernetes objects (validated as apply does; no control service needed).")
        {
            file, target, outputDir, ns, image, autoscaler, prometheus, registryUrl, registrySecret, s3Secret,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var options = new RenderOptions
                {
                    Target = parse.GetValue(target) == "kserve" ? RenderTarget.KServe : RenderTarget.Kubernetes,
                    Namespace = parse.GetValue(ns) is { } n ? DnsLabel(n, "--namespace") : null,
                    Image = parse.GetValue(image) is { Length: > 0 } i ? i : throw new UsageException("--image must not be empty"),
                    Autoscaler = parse.GetValue(autoscaler) == "hpa" ? RenderAutoscaler.Hpa : RenderAutoscaler.Keda,
                    PrometheusUrl = HttpUrl(parse.GetValue(prometheus)!, "--prometheus-url"),
                    RegistryUrl = parse.GetValue(registryUrl) is { } r ? HttpUrl(r, "--registry-url") : null,
                    RegistryTokenSecret = parse.GetValue(registrySecret) is { } rs ? DnsLabel(rs, "--registry-token-secret") : null,
                    S3Secret = parse.GetValue(s3Secret) is { } ss ? DnsLabel(ss, "--s3-secret") : null,
                };
                var (origin, yaml) = await ReadSpecAsync(parse.GetValue(file)!, ct).ConfigureAwait(false);
                var result = ManifestRenderer.Render(yaml, origin, options);
                foreach (var note in result.Notes)
                {
                    await error.WriteLineAsync("turbine: note: " + note).ConfigureAwait(false);
                }

                if (!result.Succeeded)
                {
                    foreach (var e in result.Errors)
                    {
                        await error.WriteLineAsync("turbine: error: " + e).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync($"turbine: error: {origin}: {result.Errors.Count} error(s); nothing was rendered").ConfigureAwait(false);
                    return 1;
                }

                var dir = parse.GetValue(outputDir)!;
                if (dir == "-")
                {
                    await output.WriteAsync(ManifestYaml.Write(result.Objects, result.Notes)).ConfigureAwait(false);
                    return 0;
                }

                foreach (var path in await WriteObjectsAsync(dir, result, ct).ConfigureAwait(false))
                {
                    await output.WriteLineAsync(path).ConfigureAwait(false);
                }

                return 0;
            }
            catch (Exception e) when (e is UsageException or IOException or UnauthorizedAccessException)
            {
                return await FailAsync(error, e).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>One file per object, <c>NN-kind-name.yaml</c> in apply order (the notes head the first); returns the paths written.</summary>
    private static async Task<List<string>> WriteObjectsAsync(string dir, RenderResult result, CancellationToken cancellationToken)
    {
        if (File.Exists(dir))
        {
            throw new UsageException($"--output-dir '{dir}' is a file; give a folder");
        }

        Directory.CreateDirectory(dir);
        var paths = new List<string>(result.Objects.Count);
        for (var i = 0; i < result.Objects.Count; i++)
        {
            var obj = result.Objects[i];
            var kind = ((string?)obj["kind"] ?? "object").ToLowerInvariant();
            var name = (string?)obj["metadata"]?["name"] ?? "unnamed";
            var path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{i + 1:00}-{kind}-{name}.yaml"));
            var notes = i == 0 ? result.Notes : [];
            await File.WriteAllTextAsync(path, ManifestYaml.Write([obj], notes), cancellationToken).ConfigureAwait(false);
            paths.Add(path);
        }

        return paths;
    }

    private static Uri HttpUrl(string text, string option) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"{option} must be an http:// or https:// URL, got '{text}'");

    /// <summary>A namespace or Secret name: a DNS-1123 label (1-63 of a-z 0-9 -, letters or digits at both ends).</summary>
    private static string DnsLabel(string text, string option) =>
        text.Length is > 0 and <= 63 && text.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-') && text[0] != '-' && text[^1] != '-'
            ? text
            : throw new UsageException($"{option} must be a DNS-1123 label (1-63 characters from a-z 0-9 -, not starting or ending with -), got '{text}'");
}
