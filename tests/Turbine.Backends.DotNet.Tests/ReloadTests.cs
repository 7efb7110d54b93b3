using System.Runtime.Loader;

namespace Turbine.Backends.DotNet.Tests;

/// <summary>Reloading a .NET model: requests in flight finish, the old context unloads, a bad assembly keeps the old version.</summary>
[Collection(DotNetModelsCollection.Name)]
public sealed class ReloadTests(TestModelsFixture models) : IAsyncLifetime
{
    private readonly TempFolder _gates = new("turbine-dotnet-gates");
    private DotNetServer _server = null!;

    private string Gate(int n) => _gates.File($"open-{n}");

    public async Task InitializeAsync() => _server = await DotNetServer.StartAsync(repo =>
    {
        DotNetServer.AddModel(repo, "gated", models.Output, Models.Fp32("Gate", ("gate_file", Gate(1))) + "\ninstance_group [ { count: 4 kind: KIND_CPU } ]");
        DotNetServer.AddModel(repo, "addone", models.Output, Models.Fp32("AddOffset"));
    }, ["gated", "addone"]);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _gates.Dispose();
    }

    private List<WeakReference> ContextsNamed(string name) =>
        [.. _server.Backend.Contexts.Where(c => c.Target is AssemblyLoadContext context && context.Name == name)];

    [Fact]
    public async Task Reload_WhileRequestsRun_NoRequestFails_OldContextUnloads()
    {
        var old = ContextsNamed("gated/1");
        Assert.Single(old);

        // Four requests block inside the old version's execute.
        var running = Enumerable.Range(0, 4).Select(i => _server.InferFp32Async("gated", i)).ToList();
        await Task.Delay(100); // let them reach the model (no timing is asserted: the gate holds them either way)

        // A new config (a new gate file) reloads the model: a new context for the new load.
        File.WriteAllText(Path.Combine(_server.Repository, "gated", "config.pbtxt"),
            "name: \"gated\"\nbackend: \"dotnet\"\n" + Models.Fp32("Gate", ("gate_file", Gate(2))));
        File.WriteAllText(Gate(2), "");
        var (status, body) = await _server.PostJsonAsync("/v2/repository/models/gated/load", "{}");
        Assert.True(status == 200, body.ToString());
        var (fresh, freshBody) = await _server.InferFp32Async("gated", 7f);
        Assert.Equal(200, fresh);
        Assert.Equal([7f], DotNetServer.Floats(freshBody));

        // The old requests are still held by the old version; release them: none fails.
        File.WriteAllText(Gate(1), "");
        var results = await Task.WhenAll(running);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.True(results[i].Status == 200, results[i].Body.ToString());
            Assert.Equal([(float)i], DotNetServer.Floats(results[i].Body));
        }

        Assert.True(await DotNetServer.CollectedAsync(old, TimeSpan.FromSeconds(30)), "the replaced version's load context was not collected");
        Assert.Single(ContextsNamed("gated/1"), c => c.IsAlive);
    }

    [Fact]
    public async Task Reload_AssemblyFailsToLoad_PreviousVersionKeepsServing()
    {
        var version = Path.Combine(_server.Repository, "addone", "1");
        File.WriteAllText(Path.Combine(version, "model.dll"), "garbage, not an assembly");
        File.WriteAllText(Path.Combine(_server.Repository, "addone", "config.pbtxt"),
            "name: \"addone\"\nbackend: \"dotnet\"\n" + Models.Fp32("AddOffset", ("offset", "5")));
        var (status, body) = await _server.PostJsonAsync("/v2/repository/models/addone/load", "{}");
        Assert.Equal(400, status);
        Assert.Contains("model.dll is not a loadable .NET assembly", body.GetProperty("error").GetString());

        var (after, answer) = await _server.InferFp32Async("addone", 1f);
        Assert.Equal(200, after);
        Assert.Equal([2f], DotNetServer.Floats(answer)); // still the old version (offset 1)
    }
}
