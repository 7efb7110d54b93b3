using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;
using Turbine.Server;
using Yarp.ReverseProxy.Forwarder;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>
/// The edge pipeline in a real Kestrel host on 127.0.0.1 (an HTTP/1.1 port and an h2c port for gRPC), in the
/// contract's order, with a stand-in classifier and a terminal that forwards to a real Turbine server with
/// YARP's <see cref="IHttpForwarder"/>.
/// </summary>
public sealed class EdgeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _invoker;
    private readonly ServerMetadataSource _metadata;

    private EdgeHost(WebApplication app, MutableConfigSource config, HttpMessageInvoker invoker, ServerMetadataSource metadata, Uri http, Uri grpc)
    {
        _app = app;
        _invoker = invoker;
        _metadata = metadata;
        Config = config;
        HttpAddress = http;
        GrpcAddress = grpc;
        Http = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(30) };
    }

    public MutableConfigSource Config { get; }

    public Uri HttpAddress { get; }

    public Uri GrpcAddress { get; }

    public HttpClient Http { get; }

    public ServerMetadataSource Metadata => _metadata;

    public IServiceProvider Services => _app.Services;

    public static Task<EdgeHost> StartAsync(TurbineServer backend, GatewayConfig config, Action<IServiceCollection>? services = null) =>
        StartAsync(backend.HttpAddress, backend.GrpcAddress, config, services);

    /// <summary>The edge in front of any HTTP backend (REST to <paramref name="http"/>, gRPC to <paramref name="grpc"/>).</summary>
    public static async Task<EdgeHost> StartAsync(Uri http, Uri grpc, GatewayConfig config, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var source = new MutableConfigSource(config);
        var metadata = new ServerMetadataSource(http);
        builder.Services.AddSingleton<IGatewayConfigSource>(source);
        builder.Services.AddSingleton<IModelMetadataSource>(metadata);
        builder.Services.AddHttpForwarder();
        services?.Invoke(builder.Services);
        builder.Services.AddGatewayEdge();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });

        var app = builder.Build();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
        });
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var grpcConfig = new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var restConfig = ForwarderRequestConfig.Empty;

        app.UseGatewayAccessLog();
        app.Use(TestClassifier.InvokeAsync);
        app.UseGatewayAuthentication();
        app.UseGatewayRateLimiting();
        app.UseGatewayTransforms();
        app.Run(async context =>
        {
            var isGrpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
            var error = await forwarder.SendAsync(
                context,
                (isGrpc ? grpc : http).ToString(),
                invoker,
                isGrpc ? grpcConfig : restConfig,
                HttpTransformer.Default);
            var info = context.Features.Get<GatewayRequestInfo>();
            if (info is not null)
            {
                info.Pool = "test-pool";
                info.Destination = (isGrpc ? grpc : http).Authority;
            }

            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
            }
        });

        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToArray();
        return new EdgeHost(app, source, invoker, metadata, addresses[0], addresses[1]);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _invoker.Dispose();
        _metadata.Dispose();
    }
}
