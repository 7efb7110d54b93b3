using Turbine.Features.Definitions;

namespace Turbine.Features.Online;

/// <summary>Opens the online store a repository names.</summary>
public static class OnlineStores
{
    public static async Task<IOnlineStore> OpenAsync(FeatureRepo repo, string? redisOverride = null)
    {
        if (redisOverride is not null || repo.OnlineStore.Type == OnlineStoreConfig.Redis)
        {
            return await RedisOnlineStore.ConnectAsync(redisOverride ?? repo.OnlineStore.ConnectionString!, repo.Project, repo.OnlineStore.KeyTtlSeconds).ConfigureAwait(false);
        }

        return new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
    }
}
