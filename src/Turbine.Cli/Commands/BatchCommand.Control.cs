using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Turbine.Control.Api;
using Turbine.Control.Batch;

namespace Turbine.Cli.Commands;

/// <summary><c>turbine batch submit|status|cancel --control URL</c>: batch jobs run by the control plane (docs/batch.md).</summary>
internal static partial class BatchCommand
{
    private static Option<string> ControlUrlOption() => new("--control")
    {
        Description = $"The control plane (default ${ControlCommand.UrlVariable}, else {ControlCommand.DefaultUrl}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ControlCommand.UrlVariable) is { Length: > 0 } url ? url : ControlCommand.DefaultUrl,
    };

    private static Option<string?> ControlTokenOption() => new("--token")
    {
        Description = $"Bearer token of the control plane (default ${ControlCommand.TokenVariable}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ControlCommand.TokenVariable) is { Length: > 0 } token ? token : null,
    };

    private static Command CreateSubmit()
    {
        var control = ControlUrlOption();
        var token = ControlTokenOption();
        var model = new Option<string?>("--model", "-m") { Description = "Model: a repository model or a registry reference (in-process on the control plane), or one model of --deployment." };
        var deployment = new Option<string?>("--deployment") { Description = "Score through the gateway against this deployment's model." };
        var o = new ScoringOptions(
            "Input, relative to the control plane's batch folder (or an allowed s3:// prefix).",
            "Output, relative to the batch folder.",
            "Protocol to the gateway for --deployment: http or grpc.");
        var wait = new Option<bool>("--wait") { Description = "Wait for the job to finish, printing its progress (exit code as batch run)." };
        var command = new Command("submit", "Submit a batch job to the control plane (turbine control serve --batch-folder).") { control, token, model, deployment };
        o.AddTo(command);
        command.Options.Add(wait);
        command.SetAction((parse, ct) => WithControlAsync(parse.GetValue(control)!, parse.GetValue(token), async client =>
        {
            var job = await client.SubmitBatchJobAsync(new BatchJobRequest
            {
                Model = parse.GetValue(model),
                Deployment = parse.GetValue(deployment),
                Version = parse.GetValue(o.Version),
                Protocol = parse.GetValue(o.Protocol),
                Input = parse.GetValue(o.Input),
                Output = parse.GetValue(o.Output),
                Errors = parse.GetValue(o.Errors),
                InputFormat = parse.GetValue(o.InputFormat),
                OutputFileFormat = parse.GetValue(o.OutputFileFormat),
                KeepColumns = parse.GetValue(o.Keep),
                IdColumn = parse.GetValue(o.Id),
                Map = parse.GetValue(o.Map),
                OutputColumns = parse.GetValue(o.OutputColumns),
                Classification = parse.GetValue(o.Classification),
                PartRows = parse.GetValue(o.PartRows),
                BatchSize = parse.GetValue(o.BatchSize),
                Concurrency = parse.GetValue(o.Concurrency),
                MaxErrors = parse.GetValue(o.MaxErrors),
                PartRetries = parse.GetValue(o.Retries),
                Resume = parse.GetValue(o.Resume),
                Overwrite = parse.GetValue(o.Overwrite),
            }, ct).ConfigureAwait(false);
            var json = parse.GetValue(o.Format) == "json";
            if (!parse.GetValue(wait))
            {
                WriteJob(job, json);
                return 0;
            }

            await Console.Error.WriteLineAsync($"submitted {job.Id}").ConfigureAwait(false);
            while (!job.IsFinished)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                job = await client.GetBatchJobAsync(job.Id, ct).ConfigureAwait(false);
                if (!json)
                {
                    await Console.Error.WriteLineAsync(ProgressLine(job)).ConfigureAwait(false);
                }
            }

            WriteJob(job, json);
            return job.State switch { "completed" => 0, "cancelled" => StoppedExitCode, _ => job.Error?.StartsWith("the input does not fit", StringComparison.Ordinal) == true ? 2 : 1 };
        }));
        return command;
    }

    private static Command CreateStatus()
    {
        var control = ControlUrlOption();
        var token = ControlTokenOption();
        var id = new Argument<string?>("JOB") { Description = "A job id (default: list every job).", Arity = ArgumentArity.ZeroOrOne };
        var format = new Option<string>("--output-format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("status", "Show a control-plane batch job's progress, or list the jobs.") { control, token, id, format };
        command.SetAction((parse, ct) => WithControlAsync(parse.GetValue(control)!, parse.GetValue(token), async client =>
        {
            var json = parse.GetValue(format) == "json";
            if (parse.GetValue(id) is { } job)
            {
                WriteJob(await client.GetBatchJobAsync(job, ct).ConfigureAwait(false), json);
                return 0;
            }

            var list = await client.ListBatchJobsAsync(ct).ConfigureAwait(false);
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(list, ControlJson.Options)).ConfigureAwait(false);
                return 0;
            }

            foreach (var j in list.Jobs)
            {
                await Console.Out.WriteLineAsync($"{j.Id}  {j.State,-10}  {j.Model}  {j.Input} -> {j.Output}  {ProgressLine(j)}").ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command CreateCancel()
    {
        var control = ControlUrlOption();
        var token = ControlTokenOption();
        var id = new Argument<string>("JOB") { Description = "The job id." };
        var command = new Command("cancel", "Cancel a control-plane batch job at its next part boundary (or forget a finished one).") { control, token, id };
        command.SetAction((parse, ct) => WithControlAsync(parse.GetValue(control)!, parse.GetValue(token), async client =>
        {
            var job = await client.CancelBatchJobAsync(parse.GetValue(id)!, ct).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(job is null ? $"{parse.GetValue(id)} forgotten" : $"{job.Id} {job.State}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static string ProgressLine(BatchJobResponse job) => string.Create(CultureInfo.InvariantCulture,
        $"{job.State}: {job.RowsDone}{(job.RowsTotal is { } t ? $"/{t}" : "")} rows, {job.RowsFailed} failed, {job.RowsPerSecond:0.#} rows/s{(job.EtaSeconds is { } eta ? $", ETA {eta:0} s" : "")}");

    private static void WriteJob(BatchJobResponse job, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(job, ControlJson.Options));
            return;
        }

        Console.Out.WriteLine($"{job.Id}  {ProgressLine(job)}");
        if (job.Error is { } error)
        {
            Console.Out.WriteLine($"error: {error}");
        }

        if (job.Summary is { } summary)
        {
            WriteSummary(summary, json: false);
        }
    }

    private static async Task<int> WithControlAsync(string url, string? token, Func<ControlClient, Task<int>> action)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync($"turbine: error: --control must be an http:// or https:// URL, got '{url}'").ConfigureAwait(false);
            return 2;
        }

        try
        {
            using var client = new ControlClient(uri, token);
            return await action(client).ConfigureAwait(false);
        }
        catch (ControlClientException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: cannot reach the control plane at {url}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
