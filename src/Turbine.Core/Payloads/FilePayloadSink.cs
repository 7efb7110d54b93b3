using System.Globalization;

namespace Turbine.Core.Payloads;

/// <summary>
/// JSON-lines files in one folder: <c>payload-&lt;UTC start&gt;.jsonl</c>, one record a line. A file is closed and a new
/// one started when the next line would pass <see cref="MaxFileBytes"/> or the file is older than
/// <see cref="RotateInterval"/>; only the newest <see cref="MaxFiles"/> files are kept.
/// </summary>
public sealed class FilePayloadSink : IPayloadSink
{
    public const string FilePrefix = "payload-";
    public const string FileExtension = ".jsonl";

    private readonly TimeProvider _time;
    private FileStream? _current;
    private DateTimeOffset _opened;
    private int _sequence;

    public FilePayloadSink(string directory, long maxFileBytes = 100L << 20, int maxFiles = 10, TimeSpan? rotateInterval = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        Directory.CreateDirectory(directory);
        Folder = directory;
        MaxFileBytes = maxFileBytes;
        MaxFiles = maxFiles;
        RotateInterval = rotateInterval ?? TimeSpan.FromHours(1);
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name => "file";

    public string Folder { get; }

    public long MaxFileBytes { get; }

    public int MaxFiles { get; }

    public TimeSpan RotateInterval { get; }

    /// <summary>The log files in the folder, oldest first (names sort by time).</summary>
    public static string[] ListFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, FilePrefix + "*" + FileExtension).Order(StringComparer.Ordinal).ToArray()
            : [];

    public async ValueTask WriteAsync(IReadOnlyList<PayloadRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            var length = record.Json.Length + 1;
            var now = _time.GetUtcNow();
            if (_current is null || (_current.Length > 0 && _current.Length + length > MaxFileBytes) || now - _opened >= RotateInterval)
            {
                await RotateAsync(now).ConfigureAwait(false);
            }

            await _current!.WriteAsync(record.Json, cancellationToken).ConfigureAwait(false);
            _current.WriteByte((byte)'\n');
        }

        await _current!.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }

    private async Task RotateAsync(DateTimeOffset now)
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
        }

        // The sequence keeps names unique and ordered when several files start within one millisecond.
        var name = FilePrefix + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)
            + "-" + (_sequence++).ToString("D6", CultureInfo.InvariantCulture) + FileExtension;
        _current = new FileStream(Path.Combine(Folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _opened = now;
        var files = ListFiles(Folder);
        for (var i = 0; i < files.Length - MaxFiles; i++)
        {
            File.Delete(files[i]);
        }
    }
}
