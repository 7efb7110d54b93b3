using System.Net.Http.Json;
using Turbine.Control.Batch;

namespace Turbine.Control.Api;

/// <summary>The batch job endpoints (<c>/api/v1/batch/jobs</c>, docs/batch.md).</summary>
public sealed partial class ControlClient
{
    /// <summary>Submits a batch job; the answer is the queued job.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<BatchJobResponse> SubmitBatchJobAsync(BatchJobRequest job, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/batch/jobs") { Content = JsonContent.Create(job, options: ControlJson.Options) };
        return await SendAsync<BatchJobResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The batch jobs the token may see, newest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<BatchJobListResponse> ListBatchJobsAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/batch/jobs");
        return await SendAsync<BatchJobListResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A batch job with its progress.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<BatchJobResponse> GetBatchJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BatchPath(id));
        return await SendAsync<BatchJobResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a job (it stops at a part boundary) and returns it; null when it had finished and was forgotten.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<BatchJobResponse?> CancelBatchJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, BatchPath(id));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == System.Net.HttpStatusCode.NoContent
            ? null
            : await response.Content.ReadFromJsonAsync<BatchJobResponse>(ControlJson.Options, cancellationToken).ConfigureAwait(false);
    }

    private static string BatchPath(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return "api/v1/batch/jobs/" + Uri.EscapeDataString(id);
    }
}
