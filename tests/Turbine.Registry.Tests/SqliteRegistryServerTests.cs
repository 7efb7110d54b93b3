namespace Turbine.Registry.Tests;

/// <summary>The registry suite on SQLite (the default store) in a temp folder.</summary>
public sealed class SqliteRegistryServerTests : RegistryServerTests
{
    protected override Task<RegistryOptions> CreateOptionsAsync(string dataDirectory) =>
        Task.FromResult(new RegistryOptions { DataDirectory = dataDirectory });
}
