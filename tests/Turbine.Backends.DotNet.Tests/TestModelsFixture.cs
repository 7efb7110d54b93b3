namespace Turbine.Backends.DotNet.Tests;

/// <summary>The test model assembly (TestModels/), built once for every test class of the collection.</summary>
public sealed class TestModelsFixture : IDisposable
{
    private readonly TempFolder _work = new("turbine-dotnet-models");

    public TestModelsFixture() => Output = ModelBuild.Build("tests/Turbine.Backends.DotNet.Tests/TestModels", _work.Path);

    /// <summary>The build output: <c>model.dll</c> and what it needs.</summary>
    public string Output { get; }

    public void Dispose() => _work.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DotNetModelsCollection : ICollectionFixture<TestModelsFixture>
{
    public const string Name = "dotnet models";
}
