using System.IO.Compression;
using System.Xml.Linq;

namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>The client SDK as a NuGet package (issue 15 item 1): its README, its assembly and the metadata a feed shows.</summary>
[Collection(PackagingCollection.Name)]
public sealed class ClientPackageTests(ClientPackageTests.Packed packed) : IClassFixture<ClientPackageTests.Packed>
{
    private readonly string _package = packed.Package;

    /// <summary>One <c>dotnet pack</c> of Turbine.Client for the class.</summary>
    public sealed class Packed : IAsyncLifetime
    {
        private readonly TempFolder _temp = new("turbine-client-pack");

        public string Package { get; private set; } = "";

        public async Task InitializeAsync() => Package = await SourceTree.PackAsync("Turbine.Client", _temp.Path);

        public Task DisposeAsync()
        {
            _temp.Dispose();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void ClientPackage_HoldsReadmeAssemblyAndDocs()
    {
        using var zip = ZipFile.OpenRead(_package);
        var names = zip.Entries.Select(e => e.FullName).ToList();

        Assert.Contains("lib/net10.0/Turbine.Client.dll", names);
        Assert.Contains("lib/net10.0/Turbine.Client.xml", names);
        using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
        var text = readme.ReadToEnd();
        Assert.Contains("new TurbineHttpClient(", text, StringComparison.Ordinal);
        Assert.Contains("new TurbineGrpcClient(", text, StringComparison.Ordinal);
        Assert.Contains("new RegistryClient(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientPackage_MetadataCarriesTheOneVersionAndItsDependencies()
    {
        using var zip = ZipFile.OpenRead(_package);
        using var stream = zip.GetEntry("Turbine.Client.nuspec")!.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;

        Assert.Equal("Turbine.Client", Field("id"));
        Assert.Equal(SourceTree.Version, Field("version"));
        Assert.Equal("README.md", Field("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.Equal($"Turbine.Client.{SourceTree.Version}.nupkg", Path.GetFileName(_package));

        // The projects it references become packages of the same version; Grpc.Net.Client comes from NuGet.
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        Assert.Equal(SourceTree.Version, dependencies["Turbine.Protocol"]);
        Assert.Equal(SourceTree.Version, dependencies["Turbine.Client.Registry"]);
        Assert.True(dependencies.ContainsKey("Grpc.Net.Client"), string.Join(", ", dependencies.Keys));
    }
}
