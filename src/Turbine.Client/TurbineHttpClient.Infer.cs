using System.Net.Http.Headers;
using Turbine.Client.Internal;

namespace Turbine.Client;

public sealed partial class TurbineHttpClient
{
    private const string HeaderLengthName = "Inference-Header-Content-Length";

    /// <summary>
    /// POST v2/models/{m}[/versions/{v}]/infer. Binary inputs travel after the JSON header
    /// (Inference-Header-Content-Length); when no outputs are named, outputs are asked for in binary.
    /// </summary>
    /// <exception cref="TurbineClientException">The server answered with an error status or an unreadable body.</exception>
    public async Task<InferResult> InferAsync(
        string model,
        IReadOnlyList<InferInput> inputs,
        IReadOnlyList<InferRequestedOutput>? outputs = null,
        InferOptions? options = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var requestCompression = HttpBody.CheckEncoding(options?.RequestCompression, nameof(InferOptions.RequestCompression));
        var acceptCompression = HttpBody.CheckEncoding(options?.AcceptCompression, nameof(InferOptions.AcceptCompression));

        var json = new PooledBufferWriter(4096);
        HttpContent content;
        int headerLength;
        bool hasBinary;
        try
        {
            var sections = InferRequestWriter.Write(json, inputs, outputs, options);
            headerLength = json.WrittenCount;
            hasBinary = sections.Count > 0;
            if (requestCompression is null)
            {
                content = new InferRequestContent(json, sections); // owns json from here
            }
            else
            {
                using (json)
                {
                    content = HttpBody.Compress(requestCompression, [json.WrittenMemory, .. sections]);
                }

                content.Headers.ContentType = new MediaTypeHeaderValue(hasBinary ? "application/octet-stream" : "application/json");
            }
        }
        catch
        {
            json.Dispose();
            throw;
        }

        using (content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, ModelPath(model, options?.ModelVersion) + "/infer"))
            {
                Content = content,
            };
            if (hasBinary)
            {
                request.Headers.TryAddWithoutValidation(HeaderLengthName, headerLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            HttpBody.AddAcceptEncoding(request, acceptCompression);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            await HttpBody.EnsureSuccessAsync(response, ct).ConfigureAwait(false);
            var body = await HttpBody.ReadAsync(response, ct).ConfigureAwait(false);
            return InferResponseReader.Parse(body, ResponseHeaderLength(response), (int)response.StatusCode);
        }
    }

    private static int? ResponseHeaderLength(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(HeaderLengthName, out var values)
            && !response.Content.Headers.TryGetValues(HeaderLengthName, out values))
        {
            return null;
        }

        var text = values.FirstOrDefault();
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length
            : throw new TurbineClientException((int)response.StatusCode, $"response {HeaderLengthName} '{text}' is not a byte count");
    }
}
