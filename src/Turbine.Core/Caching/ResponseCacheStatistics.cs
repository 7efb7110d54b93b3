namespace Turbine.Core.Caching;

/// <summary>What the server-wide response cache holds now (zeros when the cache is off).</summary>
/// <param name="SizeBytes">Bytes held.</param>
/// <param name="Entries">Responses held.</param>
public readonly record struct ResponseCacheStatistics(long SizeBytes, long Entries);
