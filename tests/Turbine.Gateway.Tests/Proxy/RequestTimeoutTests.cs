using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Turbine.Client;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Tests.Activation;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>A pool's <c>requestTimeoutMs</c> (the control plane's <c>spec.predictor.timeout</c>): over it, 504 / DEADLINE_EXCEEDED.</summary>
public sealed class RequestTimeoutTests
{
    private static readonly ActivatorConfig Patient = new() { QueueSize = 4, MaxWaitMs = 120_000 };

    [Fact]
    public void Validate_RequestTimeoutOutOfRange_NamesTheFieldAndTheBounds()
    {
        foreach (var bad in new[] { -1, PoolConfig.MaxRequestTimeoutMs + 1 })
        {
            var errors = GatewayConfigLoader.Validate(WithTimeout(ActivatorGateway.Config(Patient), bad), "t", Path.GetTempPath());
            Assert.Equal([$"t: pools.zero.requestTimeoutMs: must be 0 (no limit) or 1..86400000 ms, got {bad}"], errors);
        }

        Assert.Empty(GatewayConfigLoader.Validate(WithTimeout(ActivatorGateway.Config(Patient), 30_000), "t", Path.GetTempPath()));
    }

    [Fact]
    public async Task ReplicaThatDoesNotAnswer_504AndTheReplicasRequestIsCancelled_FakeTime()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (hang, address) = await LoopbackApp.StartAsync(async context =>
        {
            received.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
            }
        });
        await using var _ = hang;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var g = await ActivatorGateway.StartAsync(WithTimeout(ActivatorGateway.Config(null, address), 5000), time);

        var pending = g.PostAsync("{}");
        await received.Task.WaitAsync(TimeSpan.FromSeconds(15));
        time.Advance(TimeSpan.FromMilliseconds(5000));

        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("{\"error\":\"the request took longer than pool 'zero' allows (5000 ms, requestTimeoutMs)\"}", await response.Content.ReadAsStringAsync());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(15)); // the replica's request was cancelled, not left running
        // A timeout counts against the revision in rollout analysis (recorded once the answer is written).
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(g.Host.Traffic.Snapshot("zero") is { Requests: 1, Errors: 1 }), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public async Task ReplicaWithinTheTimeout_AnswersAsUsual()
    {
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(Patient));
        g.Update(WithTimeout(ActivatorGateway.Config(null, g.EchoAddress), 60_000));
        using var response = await g.PostAsync("{\"x\":1}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("{\"x\":1}", json.RootElement.GetProperty("echo").GetString());
    }

    [Fact]
    public async Task HeldInTheActivatorPastTheTimeout_504NotTheActivators503_FakeTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var g = await ActivatorGateway.StartAsync(WithTimeout(ActivatorGateway.Config(Patient), 2000), time);
        var pending = g.PostAsync("{}");
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(g.Host.Activation.Held("zero") == 1), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(10)));

        using var response = await AdvanceUntil(time, pending);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("(2000 ms, requestTimeoutMs)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(g.Host.Activation.Held("zero") == 0), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public async Task Grpc_HeldPastTheTimeout_DeadlineExceeded_FakeTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var g = await ActivatorGateway.StartAsync(WithTimeout(ActivatorGateway.Config(Patient), 2000), time);
        using var client = GrpcClients.Create(g.Host.GrpcAddress, new Dictionary<string, string>());
        var call = client.InferAsync("m", GrpcClients.SimpleInputs());
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(g.Host.Activation.Held("zero") == 1), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(10)));

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => AdvanceUntil(time, call));
        Assert.Equal(StatusCode.DeadlineExceeded, error.GrpcStatusCode);
        Assert.Equal("the request took longer than pool 'zero' allows (2000 ms, requestTimeoutMs)", error.ServerMessage);
    }

    [Fact]
    public async Task BodyDeclaredButNeverSent_TheKeptBodysReadEndsAtTheTimeout_ReplicaNeverCalled_FakeTime()
    {
        // Content-Length 1000, ten bytes, then silence: the gateway keeps REST bodies for retries, and that read must
        // end with the pool's timeout instead of holding the request (and its buffer lease) for as long as the client likes.
        var replicaCalls = 0;
        var (replica, address) = await LoopbackApp.StartAsync(context =>
        {
            Interlocked.Increment(ref replicaCalls);
            return Task.CompletedTask;
        });
        await using var _ = replica;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var g = await ActivatorGateway.StartAsync(WithTimeout(ActivatorGateway.Config(null, address), 5000), time);
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(g.Http.BaseAddress!.Host, g.Http.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            "POST /v2/models/m/infer HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inputs\":"));
        var reading = ReadAnswerAsync(stream);

        var answer = await AdvanceUntil(time, reading);
        Assert.StartsWith("HTTP/1.1 504", answer, StringComparison.Ordinal); // was a 500: the read's cancellation escaped
        Assert.Equal(0, Volatile.Read(ref replicaCalls));
        // The gateway is healthy afterwards: a whole request is served.
        using var ok = await g.PostAsync("{}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private static GatewayConfig WithTimeout(GatewayConfig config, int timeoutMs) => config with
    {
        Pools = new() { ["zero"] = config.Pools["zero"] with { RequestTimeoutMs = timeoutMs } },
    };

    /// <summary>What the gateway sends back on a raw connection, up to the end of the headers or the connection.</summary>
    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        var buffer = new byte[4096];
        var text = new System.Text.StringBuilder();
        int n;
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (n = await stream.ReadAsync(buffer)) > 0)
        {
            text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    private static async Task<T> AdvanceUntil<T>(FakeTimeProvider time, Task<T> task)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(task, Task.Delay(20));
        }

        return await task;
    }
}
