using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Turbine.Gateway.Auth;

/// <summary>
/// Signing keys fetched from a JWKS URL: the first request waits for the first fetch; afterwards the keys are
/// refreshed every <c>refresh</c> by the first request that finds them stale (others keep using the current keys),
/// and a failed fetch keeps the last good keys. A token naming an unknown key triggers an early refresh, at most
/// once per <c>unknownKeyRefresh</c> (default 10 s).
/// </summary>
#pragma warning disable CA1001 // _fetching is a SemaphoreSlim whose AvailableWaitHandle is never read, so it holds nothing to free; disposing it would race a refresh still running
internal sealed class JwksUrlSource : IJwksKeySource
#pragma warning restore CA1001
{
    public static readonly TimeSpan DefaultUnknownKeyRefreshInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan RetryWithoutKeys = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile IReadOnlyList<SecurityKey> _keys = [];
    private long _lastAttempt = long.MinValue;
    private long _lastSuccess = long.MinValue;
    private volatile string? _lastError;

    private readonly TimeSpan _unknownKeyRefresh;

    public JwksUrlSource(Uri url, TimeSpan refresh, HttpClient http, TimeProvider time, ILogger logger, TimeSpan? unknownKeyRefresh = null)
    {
        _unknownKeyRefresh = unknownKeyRefresh ?? DefaultUnknownKeyRefreshInterval;
        Url = url;
        Refresh = refresh;
        _http = http;
        _time = time;
        _logger = logger;
    }

    public Uri Url { get; }

    public TimeSpan Refresh { get; }

    public string? LastError => _keys.Count == 0 ? _lastError ?? "the JWKS has not been fetched yet" : null;

    public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken cancellationToken)
    {
        var keys = _keys;
        var now = _time.GetTimestamp();
        var due = keys.Count == 0 ? RetryWithoutKeys : Refresh;
        if (!IsOlderThan(Interlocked.Read(ref _lastAttempt), due, now))
        {
            return keys;
        }

        // With keys in hand nobody waits: one caller refreshes, the others use what there is.
        if (keys.Count > 0)
        {
            if (_fetching.Wait(0, CancellationToken.None))
            {
                try
                {
                    await FetchAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _fetching.Release();
                }
            }

            return _keys;
        }

        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_keys.Count == 0 && IsOlderThan(Interlocked.Read(ref _lastAttempt), RetryWithoutKeys, _time.GetTimestamp()))
            {
                await FetchAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _fetching.Release();
        }

        return _keys;
    }

    public async ValueTask<bool> TryRefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        if (!IsOlderThan(Interlocked.Read(ref _lastSuccess), _unknownKeyRefresh, _time.GetTimestamp()))
        {
            return false;
        }

        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsOlderThan(Interlocked.Read(ref _lastSuccess), _unknownKeyRefresh, _time.GetTimestamp()))
            {
                return true; // someone else just refreshed
            }

            return await FetchAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<bool> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastAttempt, _time.GetTimestamp());
        try
        {
            using var response = await _http.GetAsync(Url, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
            }

            var keys = JwksParser.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            if (keys.Count == 0)
            {
                throw new InvalidOperationException("the key set has no usable signing keys");
            }

            _keys = keys;
            _lastError = null;
            Interlocked.Exchange(ref _lastSuccess, _time.GetTimestamp());
            AuthLog.JwksFetched(_logger, Url, keys.Count);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _lastError = $"fetching the JWKS from {Url} failed: {e.Message}";
            AuthLog.JwksFetchFailed(_logger, Url, _keys.Count, e.Message);
            return false;
        }
    }

    private bool IsOlderThan(long timestamp, TimeSpan age, long now) =>
        timestamp == long.MinValue || _time.GetElapsedTime(timestamp, now) >= age;
}
