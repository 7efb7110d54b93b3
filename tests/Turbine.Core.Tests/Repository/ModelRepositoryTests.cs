using Turbine.Core.Repository;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Repository;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void ListVersions_MixedFolders_NumericPositiveOnlyAscending()
    {
        _repo.AddVersions("simple", 10, 2);
        Directory.CreateDirectory(Path.Combine(_repo.ModelDir("simple"), "0"));
        Directory.CreateDirectory(Path.Combine(_repo.ModelDir("simple"), "latest"));
        Directory.CreateDirectory(Path.Combine(_repo.ModelDir("simple"), "-3"));

        Assert.Equal([1L, 2L, 10L], new ModelRepository(_repo.Root).ListVersions("simple"));
    }

    [Fact]
    public void ListModels_HiddenFolder_Skipped()
    {
        Directory.CreateDirectory(Path.Combine(_repo.Root, ".cache"));
        Directory.CreateDirectory(Path.Combine(_repo.Root, "another"));

        Assert.Equal(["another", "simple"], new ModelRepository(_repo.Root).ListModels());
    }

    [Theory]
    [InlineData("simple", true)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void IsSafeName_Name_Expected(string name, bool expected) => Assert.Equal(expected, ModelRepository.IsSafeName(name));

    [Fact]
    public void Contains_TraversalName_False() => Assert.False(new ModelRepository(_repo.Root).Contains("../" + Path.GetFileName(_repo.Root)));

    [Fact]
    public void Fingerprint_NewVersionFolder_Changes()
    {
        var before = ModelRepository.Fingerprint(_repo.ModelDir("simple"));

        _repo.AddVersions("simple", 2);

        Assert.NotEqual(before, ModelRepository.Fingerprint(_repo.ModelDir("simple")));
        Assert.Equal("", ModelRepository.Fingerprint(Path.Combine(_repo.Root, "missing")));
    }
}
