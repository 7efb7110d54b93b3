using System.CommandLine;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine health [URL]</c>: one GET of a health endpoint; exit 0 when it answers 200, 1 otherwise (refused,
/// another status, no answer in time). The container image's <c>HEALTHCHECK</c> runs it (the ASP.NET runtime image
/// has no curl); the URL defaults to <see cref="UrlVariable"/>, so one image checks whichever role it runs.
/// </summary>
internal static class HealthCommand
{
    /// <summary>Environment variable holding the URL probed when none is given.</summary>
    public const string UrlVariable = "TURBINE_HEALTH_URL";

    /// <summary>The URL probed when neither the argument nor <see cref="UrlVariable"/> gives one: a local server's readiness.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000/v2/health/ready";

    public static Command Create()
    {
        var url = new Argument<string?>("URL")
        {
            Description = $"Health endpoint to probe (default ${UrlVariable}, else {DefaultUrl}).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var timeout = new Option<double>("--timeout-secs") { Description = "How long to wait for the answer, seconds.", DefaultValueFactory = _ => 3 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 300)
            {
                r.AddError("--timeout-secs must be more than 0 and at most 300");
            }
        });
        url.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !IsHttpUrl(value))
            {
                r.AddError($"URL '{value}': expected an absolute http:// or https:// URL");
            }
        });
        var command = new Command("health", "Probe a health endpoint (default: the local server's readiness); exit 0 when it answers 200, else 1.") { url, timeout };
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(url) ?? (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } env ? env : DefaultUrl);
            if (!IsHttpUrl(target))
            {
                await Console.Error.WriteLineAsync($"turbine: error: {UrlVariable} '{target}': expected an absolute http:// or https:// URL").ConfigureAwait(false);
                return CliParser.UsageExitCode;
            }

            var (healthy, line) = await ProbeAsync(new Uri(target), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            await (healthy ? parse.InvocationConfiguration.Output : parse.InvocationConfiguration.Error).WriteLineAsync(line).ConfigureAwait(false);
            return healthy ? 0 : 1;
        });
        return command;
    }

    /// <summary>One GET of <paramref name="url"/> within <paramref name="timeout"/>: healthy on 200, and the line to print.</summary>
    public static async Task<(bool Healthy, string Line)> ProbeAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status == 200
                ? (true, $"{url}: {status} healthy")
                : (false, $"turbine: {url}: {status} {response.ReasonPhrase}: not healthy");
        }
        catch (HttpRequestException e)
        {
            return (false, $"turbine: {url}: {e.Message}: not healthy");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"turbine: {url}: no answer within {timeout.TotalSeconds:0.###} s: not healthy");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
