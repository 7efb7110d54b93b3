using Grpc.Net.Client;
using Turbine.Client;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>A real gRPC client to the gateway's h2c port that adds headers (credential, test model) to every call.</summary>
public static class GrpcClients
{
    public static TurbineGrpcClient Create(Uri address, IReadOnlyDictionary<string, string> headers) =>
        new(address, new GrpcChannelOptions
        {
            HttpHandler = new HeaderHandler(headers) { InnerHandler = new SocketsHttpHandler() },
            MaxReceiveMessageSize = int.MaxValue,
        });

    public static InferInput[] SimpleInputs() =>
    [
        new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(0, 16).ToArray()),
        new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
    ];

    private sealed class HeaderHandler(IReadOnlyDictionary<string, string> headers) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
