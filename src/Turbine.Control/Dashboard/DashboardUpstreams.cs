using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Turbine.Control.Api;

namespace Turbine.Control.Dashboard;

/// <summary>
/// The HTTP clients the dashboard API reaches other services with (the registry, the gateway for try-it, monitoring),
/// and the one bounded forwarding routine: a timeout on every call, at most <see cref="DashboardOptions.MaxUpstreamBytes"/>
/// read, and an unreachable or misbehaving service turned into a JSON error naming it (502/504), never an exception.
/// </summary>
internal sealed class DashboardUpstreams : IDisposable
{
    private readonly DashboardOptions _options;
    private readonly HttpClient _http;

    public DashboardUpstreams(DashboardOptions options, Uri? registry, HttpMessageHandler? handler = null)
    {
        _options = options;
        Registry = options.RegistryUrl ?? registry;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // each call has its own deadline
    }

    /// <summary>The registry the Models page talks to; null when none is configured.</summary>
    public Uri? Registry { get; }

    public DashboardOptions Options => _options;

    /// <summary>Sends one request to <paramref name="target"/> and answers with its status and JSON body (bounded), or a JSON error naming <paramref name="service"/>.</summary>
    public async Task<IResult> ForwardAsync(string service, HttpMethod method, Uri target, string? authorization, byte[]? body, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(service, method, target, authorization, body, cancellationToken).ConfigureAwait(false);
        return answer.Error ?? new JsonBytesResult(answer.Body!, answer.Status);
    }

    /// <summary>
    /// Sends one request to <paramref name="target"/>: its status and JSON body (bounded), or in <see cref="UpstreamAnswer.Error"/>
    /// the JSON error to answer with (unreachable, slow, too large, not JSON, or a 401 from behind).
    /// </summary>
    public async Task<UpstreamAnswer> SendAsync(string service, HttpMethod method, Uri target, string? authorization, byte[]? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, target);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.UpstreamTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > _options.MaxUpstreamBytes)
            {
                return Failed(TooLarge(service));
            }

            var bytes = await ReadBoundedAsync(response.Content, _options.MaxUpstreamBytes, deadline.Token).ConfigureAwait(false);
            if (bytes is null)
            {
                return Failed(TooLarge(service));
            }

            var status = (int)response.StatusCode;
            var json = response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("json", StringComparison.OrdinalIgnoreCase);
            if (status == StatusCodes.Status204NoContent)
            {
                return Failed(ControlHttp.Json(new { ok = true }));
            }

            if (!json)
            {
                var text = System.Text.Encoding.UTF8.GetString(bytes);
                return Failed(ControlHttp.Error(response.IsSuccessStatusCode ? StatusCodes.Status502BadGateway : status, "upstream",
                    $"the {service} answered {status} with {(text.Length > 200 ? text[..200] + "…" : text)}"));
            }

            if (status is StatusCodes.Status401Unauthorized)
            {
                // The browser's own token was accepted here; a 401 from behind means the credentials the dashboard sent on.
                return Failed(ControlHttp.Error(StatusCodes.Status502BadGateway, "upstream_unauthenticated",
                    $"the {service} refused the credentials the dashboard sent it ({System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200))}); with a static or dev token, set the control service's --registry-token"));
            }

            return new UpstreamAnswer(status, bytes, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(ControlHttp.Error(StatusCodes.Status504GatewayTimeout, "upstream_timeout",
                $"the {service} at {target.GetLeftPart(UriPartial.Authority)} did not answer within {_options.UpstreamTimeout.TotalSeconds} s"));
        }
        catch (HttpRequestException e)
        {
            return Failed(ControlHttp.Error(StatusCodes.Status502BadGateway, "upstream_unreachable",
                $"cannot reach the {service} at {target.GetLeftPart(UriPartial.Authority)}: {e.Message}"));
        }
    }

    private static UpstreamAnswer Failed(IResult error) => new(0, null, error);

    /// <summary>The body, or null when it passes <paramref name="max"/> bytes.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            return buffer.ToArray();
        }
    }

    private IResult TooLarge(string service) => ControlHttp.Error(StatusCodes.Status502BadGateway, "upstream_too_large",
        $"the {service}'s answer is larger than the dashboard's limit of {_options.MaxUpstreamBytes} bytes (MaxUpstreamBytes)");

    public void Dispose() => _http.Dispose();

    /// <summary>An upstream's JSON answer (<see cref="Status"/>, <see cref="Body"/>), or the <see cref="Error"/> to answer with instead.</summary>
    /// <param name="Status">The upstream's status code (0 with an error).</param>
    /// <param name="Body">The upstream's JSON body (null with an error).</param>
    /// <param name="Error">The JSON error to answer the browser with, or null when the upstream answered JSON.</param>
    internal sealed record UpstreamAnswer(int Status, byte[]? Body, IResult? Error);

    /// <summary>Upstream JSON written as is with the upstream's status.</summary>
    internal sealed class JsonBytesResult(byte[] bytes, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.ContentLength = bytes.Length;
            return httpContext.Response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
        }
    }
}
