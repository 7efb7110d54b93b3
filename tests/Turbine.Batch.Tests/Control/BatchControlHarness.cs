using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Batch.Scoring;
using Turbine.Control;
using Turbine.Control.Api;
using Turbine.Control.Batch;
using Turbine.Core;
using Turbine.Core.Lifecycle;

namespace Turbine.Batch.Tests.Control;

/// <summary>
/// A real control host on a free loopback port with the batch job API: static reader and writer tokens, jobs confined
/// to <see cref="Folder"/>, in-process models loaded from the sample repository by a real engine per job (optionally
/// held at a gate before their first request, so a test can act while a job is surely running).
/// </summary>
internal sealed class BatchControlHarness : IAsyncDisposable
{
    public const string ReaderSecret = "reader-secret-0123456789";
    public const string WriterSecret = "writer-secret-0123456789";

    private readonly TempFolder _data;

    private BatchControlHarness(ControlHost host, TempFolder data, string folder, GatedOpener opener)
    {
        Host = host;
        _data = data;
        Folder = folder;
        Opener = opener;
    }

    public ControlHost Host { get; }

    public string Folder { get; }

    public GatedOpener Opener { get; }

    public static async Task<BatchControlHarness> StartAsync(string repository, int maxJobs = 2, int maxQueued = 4, IBatchDeployments? deployments = null)
    {
        var data = new TempFolder("turbine-batch-control");
        var folder = Path.Combine(data.Path, "batch");
        Directory.CreateDirectory(folder);
        var opener = new GatedOpener(repository);
        var options = new ControlOptions
        {
            Port = 0,
            DataDirectory = Path.Combine(data.Path, "data"),
            StaticTokens =
            [
                new ControlStaticToken("ci-reader", ReaderSecret, ControlScope.Read),
                new ControlStaticToken("ci-writer", WriterSecret, ControlScope.Write),
            ],
            Dashboard = new Turbine.Control.Dashboard.DashboardOptions { Enabled = false },
            ConfigureLogging = b => b.SetMinimumLevel(LogLevel.Warning),
        };
        try
        {
            var host = await ControlHost.StartAsync(options, s =>
            {
                s.AddSingleton<IBatchModelOpener>(opener);
                if (deployments is not null)
                {
                    s.AddSingleton(deployments);
                }

                BatchJobsApi.Register(s, new BatchJobsOptions { Folder = folder, MaxConcurrentJobs = maxJobs, MaxQueuedJobs = maxQueued });
            }, BatchJobsApi.Map);
            return new BatchControlHarness(host, data, folder, opener);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public string File(string name) => Path.Combine(Folder, name);

    public ControlClient Client(string? secret = WriterSecret) => new(Host.Url, secret);

    public HttpClient Http(string? secret)
    {
        var http = new HttpClient { BaseAddress = Host.Url };
        if (secret is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return http;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, object body) =>
        await http.PostAsJsonAsync("api/v1/batch/jobs", body, ControlJson.Options);

    /// <summary>Polls the job until it has finished (deadline 60 s).</summary>
    public async Task<BatchJobResponse> WaitAsync(string id, Func<BatchJobResponse, bool>? until = null)
    {
        using var client = Client(ReaderSecret);
        BatchJobResponse? job = null;
        await Poll.UntilOrFailAsync(async () => (until ?? (j => j.IsFinished))(job = await client.GetBatchJobAsync(id)), TimeSpan.FromSeconds(60),
            () => $"batch job {id} did not get there; last seen: {job}", TimeSpan.FromMilliseconds(50));
        return job!;
    }

    public async ValueTask DisposeAsync()
    {
        Opener.Release();
        await Host.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Loads the model in an engine of its own, as the CLI's opener does; with <see cref="Hold"/> the first request waits for <see cref="Release"/>.</summary>
    internal sealed class GatedOpener(string repository) : IBatchModelOpener
    {
        private TaskCompletionSource _gate = Open();

        public int Opened;

        /// <summary>Set while a held job's first request has arrived.</summary>
        public TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Hold()
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Release() => _gate.TrySetResult();

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        public async Task<BatchScorerLease> OpenAsync(string model, string? version, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Opened);
            var engine = new InferenceEngine(
                new EngineOptions { ModelRepository = repository, ControlMode = ModelControlMode.Explicit, StartupModels = [model], ResponseCacheBytes = 0 },
                [new OnnxBackend()], NullLogger.Instance);
            await engine.StartAsync(cancellationToken);
            return new BatchScorerLease(new Gated(new EngineScorer(engine, model), _gate, Arrived), engine);
        }
    }

    private sealed class Gated(IBatchScorer inner, TaskCompletionSource gate, TaskCompletionSource arrived) : IBatchScorer
    {
        public Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken) => inner.GetSignatureAsync(cancellationToken);

        public async Task<IReadOnlyList<BatchTensor>> InferAsync(IReadOnlyList<BatchTensor> inputs, IReadOnlyList<string> outputs, int classification, CancellationToken cancellationToken)
        {
            arrived.TrySetResult();
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return await inner.InferAsync(inputs, outputs, classification, cancellationToken);
        }
    }
}

/// <summary>A deployment served by a real <c>turbine serve</c> on loopback (standing in for the gateway route).</summary>
internal sealed class ServerDeployments(string deployment, Uri http, IReadOnlyList<string> models) : IBatchDeployments
{
    public Uri? GatewayUrl => http;

    public Uri? GatewayGrpcUrl => null;

    public IReadOnlyList<string> ModelNames(string name) => name == deployment ? models : [];
}
