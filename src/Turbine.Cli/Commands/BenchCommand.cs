using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Turbine.Cli.Bench;
using Turbine.Cli.Progress;
using Turbine.Client;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine bench -m MODEL ...</c>: a perf_analyzer-like load generator. Parses and validates the flags, then
/// hands over to <see cref="BenchSession"/>; the measurement lives in <c>Bench/</c>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model name.", Required = true };
        var url = new Option<string?>("--url", "-u") { Description = "Server URL (default: $TURBINE_URL or http://127.0.0.1:8000 for http, $TURBINE_GRPC_URL or http://127.0.0.1:8001 for grpc)." };
        var protocol = new Option<string>("--protocol") { Description = "Protocol: http (REST) or grpc.", DefaultValueFactory = _ => "http" };
        protocol.AcceptOnlyFromAmong("http", "grpc");
        var binary = new Option<bool>("--binary") { Description = "HTTP: tensors in the binary data extension (the default)." };
        var json = new Option<bool>("--json") { Description = "HTTP: tensors as JSON arrays instead of the binary extension." };
        var concurrency = new Option<string?>("--concurrency-range") { Description = "Closed loop: START[:END[:STEP]] requests in flight (default 1)." };
        var rate = new Option<string?>("--request-rate-range") { Description = "Open loop: START[:END[:STEP]] requests per second." };
        var distribution = new Option<string>("--request-distribution") { Description = "Open loop spacing: constant (1/R apart) or poisson.", DefaultValueFactory = _ => "constant" };
        distribution.AcceptOnlyFromAmong("constant", "poisson");
        var maxOutstanding = new Option<int>("--max-outstanding") { Description = "Open loop: most requests in flight.", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Batch size of each request.", DefaultValueFactory = _ => 1 };
        var interval = new Option<int>("--measurement-interval", "-p") { Description = "Measurement window in ms.", DefaultValueFactory = _ => BenchSettings.DefaultMeasurementIntervalMs };
        var data = new Option<string>("--input-data") { Description = "random (seeded), zero, or FILE.json {\"INPUT0\":[...], ...} of flat values.", DefaultValueFactory = _ => "random" };
        var shapes = new Option<string[]>("--shape") { Description = "NAME:d1,d2,... for variable dims, without the batch dim (repeatable)." };
        var trials = new Option<int>("--max-trials") { Description = "Most measurement windows per level.", DefaultValueFactory = _ => BenchSettings.DefaultMaxTrials };
        var stability = new Option<double>("--stability-percentage", "-s") { Description = "Allowed spread (%) of throughput and p50 over the last 3 windows.", DefaultValueFactory = _ => BenchSettings.DefaultStabilityPercentage };
        var format = new Option<string>("--format") { Description = "Output: table, csv or json.", DefaultValueFactory = _ => BenchReportWriter.Table };
        format.AcceptOnlyFromAmong(BenchReportWriter.Table, BenchReportWriter.Csv, BenchReportWriter.Json);
        var version = new Option<string?>("--model-version") { Description = "Model version (default: the newest ready)." };
        var seed = new Option<int>("--seed") { Description = "Seed of random input data and Poisson gaps.", DefaultValueFactory = _ => 1 };
        var token = InferCommand.TokenOption();
        var command = new Command("bench", "Measure a model's throughput and latency under load (perf_analyzer-like).")
        {
            model, url, protocol, binary, json, concurrency, rate, distribution, maxOutstanding, batch, interval, data, shapes,
            trials, stability, format, version, seed, token,
        };
        command.SetAction(async (parse, ct) =>
        {
            BenchSession session;
            try
            {
                session = CreateSession(
                    parse.GetValue(model)!, parse.GetValue(version), parse.GetValue(protocol)!, parse.GetValue(url), parse.GetValue(binary),
                    parse.GetValue(json), parse.GetValue(concurrency), parse.GetValue(rate), parse.GetValue(distribution)!, parse.GetValue(maxOutstanding),
                    parse.GetValue(batch), parse.GetValue(interval), parse.GetValue(data)!, parse.GetValue(shapes) ?? [], parse.GetValue(trials),
                    parse.GetValue(stability), parse.GetValue(seed), InferCommand.ReadToken(parse, token));
            }
            catch (ArgumentException e)
            {
                // A bad flag value: one line and exit code 2, as the parser's own errors.
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message} (see 'turbine bench --help')").ConfigureAwait(false);
                return 2;
            }

            try
            {
                return await RunAsync(session, parse.GetValue(format)!, ct).ConfigureAwait(false);
            }
            catch (TurbineClientException e)
            {
                var status = e.GrpcStatusCode is { } grpc ? grpc.ToString() : e.StatusCode.ToString(CultureInfo.InvariantCulture);
                await Console.Error.WriteLineAsync($"turbine: error: server answered {status}: {e.ServerMessage}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is HttpRequestException or ArgumentException or FormatException or JsonException or InvalidOperationException or IOException)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static BenchSession CreateSession(string model, string? version, string protocol, string? url, bool binary, bool json,
        string? concurrency, string? rate, string distribution, int maxOutstanding, int batch, int intervalMs, string data, string[] shapeSpecs,
        int trials, double stability, int seed, string? token)
    {
        if (binary && json)
        {
            throw new ArgumentException("--binary and --json exclude each other");
        }

        if (concurrency is not null && rate is not null)
        {
            throw new ArgumentException("--concurrency-range and --request-rate-range exclude each other; give one");
        }

        var mode = rate is not null ? LoadMode.RequestRate : LoadMode.Concurrency;
        var range = rate is not null
            ? LoadRange.Parse(rate, "--request-rate-range", integers: false)
            : LoadRange.Parse(concurrency ?? "1", "--concurrency-range", integers: true);
        Require(batch >= 1, $"--batch-size {batch}: expected a positive integer");
        Require(intervalMs >= 1, $"--measurement-interval {intervalMs}: expected a positive number of milliseconds");
        Require(trials >= 1, $"--max-trials {trials}: expected a positive integer (the run must end)");
        Require(stability > 0 && double.IsFinite(stability), $"--stability-percentage {stability.ToString(CultureInfo.InvariantCulture)}: expected a positive number");
        Require(maxOutstanding >= 1, $"--max-outstanding {maxOutstanding}: expected a positive integer");
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var spec in shapeSpecs)
        {
            var (name, dims) = InputDataBuilder.ParseShape(spec);
            Require(shapes.TryAdd(name, dims), $"--shape {name} is given twice");
        }

        var kind = data switch { "random" => InputDataKind.Random, "zero" => InputDataKind.Zero, _ => InputDataKind.File };
        return new BenchSession
        {
            Model = model,
            Version = version,
            Protocol = protocol,
            Url = url,
            Token = token,
            Json = json,
            DataKind = kind,
            DataFile = kind == InputDataKind.File ? data : null,
            Shapes = shapes,
            Settings = new BenchSettings(mode, range.Levels(), batch, TimeSpan.FromMilliseconds(intervalMs), trials, stability,
                distribution == "poisson" ? RateDistribution.Poisson : RateDistribution.Constant, maxOutstanding, seed),
        };
    }

    private static async Task<int> RunAsync(BenchSession session, string format, CancellationToken ct)
    {
        // Ctrl+C (and SIGTERM) end the run cleanly: the levels measured so far are printed.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            stop.Cancel();
        }

        Console.CancelKeyPress += OnCancel;
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        try
        {
            // Progress on stderr (stdout carries the report, maybe JSON or CSV): a bar on a terminal, lines otherwise.
            var display = ProgressDisplay.ForStandardError("turbine bench");
            BenchReport report;
            try
            {
                report = await session.RunAsync(line => display.Line($"turbine bench: {line}"), stop.Token, display.Update).ConfigureAwait(false);
            }
            finally
            {
                display.Complete();
            }

            await Console.Out.WriteAsync(BenchReportWriter.Write(report, format)).ConfigureAwait(false);
            if (report.Levels.Sum(l => l.Errors) > 0)
            {
                await Console.Error.WriteLineAsync($"turbine bench: warning: {report.Levels.Sum(l => l.Errors)} request(s) failed; first error: {report.FirstError}").ConfigureAwait(false);
            }

            return report.Interrupted ? 130 : 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("turbine bench: interrupted before any level was measured").ConfigureAwait(false);
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
