using System.Text.Json;
using System.Text.RegularExpressions;

namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// The run-time facts of a Dockerfile's last stage, read from the file itself (so a test runs what the image runs, not a
/// copy): ENTRYPOINT, CMD and the HEALTHCHECK command (exec form, JSON arrays), ENV (KEY=VALUE pairs), EXPOSE, USER.
/// </summary>
internal sealed partial class DockerfileSpec
{
    public IReadOnlyList<string> Entrypoint { get; private init; } = [];

    public IReadOnlyList<string> Cmd { get; private init; } = [];

    public IReadOnlyList<string> HealthCheck { get; private init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; private init; } = new Dictionary<string, string>();

    public IReadOnlyList<int> Exposed { get; private init; } = [];

    public string User { get; private init; } = "";

    public static DockerfileSpec Load(string path)
    {
        // Instructions of the last stage, continuation lines joined, comments dropped.
        var instructions = new List<(string Keyword, string Args)>();
        var pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var whole = pending + line;
            pending = "";
            var space = whole.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? whole : whole[..space]).ToUpperInvariant();
            if (keyword == "FROM")
            {
                instructions.Clear();
            }

            instructions.Add((keyword, space < 0 ? "" : whole[(space + 1)..].Trim()));
        }

        string[] Exec(string keyword) =>
            instructions.LastOrDefault(i => i.Keyword == keyword).Args is { Length: > 0 } json
                ? JsonSerializer.Deserialize<string[]>(json)!
                : [];

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, rest) in instructions.Where(i => i.Keyword == "ENV"))
        {
            foreach (Match pair in EnvPair().Matches(rest))
            {
                env[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        var health = instructions.LastOrDefault(i => i.Keyword == "HEALTHCHECK").Args ?? "";
        var cmdAt = health.IndexOf("CMD ", StringComparison.Ordinal);
        return new DockerfileSpec
        {
            Entrypoint = Exec("ENTRYPOINT"),
            Cmd = Exec("CMD"),
            HealthCheck = cmdAt < 0 ? [] : JsonSerializer.Deserialize<string[]>(health[(cmdAt + 4)..])!,
            Env = env,
            Exposed = [.. instructions.Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse)],
            User = instructions.LastOrDefault(i => i.Keyword == "USER").Args ?? "",
        };
    }

    // KEY=VALUE with an unquoted value (possibly empty), the form the Dockerfile uses.
    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S*)")]
    private static partial Regex EnvPair();
}
