namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>Polls a condition until it holds or the deadline passes (no fixed sleeps).</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }

        return await condition();
    }
}
