using Turbine.Control.Runtime;

namespace Turbine.Control.Tests.Runtime;

public sealed class ResolverOptionsTests
{
    private static readonly ResolverOptions Good = new() { CacheDirectory = "/tmp/turbine-cache" };

    public static TheoryData<string, string> BadOptions => new()
    {
        { "relative-cache", "CacheDirectory" },
        { "ftp-registry", "RegistryUrl" },
        { "userinfo-registry", "RegistryUrl" },
        { "relative-root", "AllowedFileRoots" },
        { "small-cache", "CacheMaxBytes" },
        { "zero-files", "MaxArtifactFiles" },
        { "bad-s3-endpoint", "S3Endpoint" },
    };

    private static ResolverOptions Make(string what) => what switch
    {
        "relative-cache" => Good with { CacheDirectory = "cache" },
        "ftp-registry" => Good with { RegistryUrl = new Uri("ftp://registry/") },
        "userinfo-registry" => Good with { RegistryUrl = new Uri("http://admin:hunter2@registry/") },
        "relative-root" => Good with { AllowedFileRoots = ["models"] },
        "small-cache" => Good with { CacheMaxBytes = 10, MaxArtifactBytes = 100 },
        "zero-files" => Good with { MaxArtifactFiles = 0 },
        _ => Good with { S3Endpoint = "not a url" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_BadOption_NamesIt(string what, string option)
    {
        var problem = Make(what).Validate();

        Assert.NotNull(problem);
        Assert.Contains(option, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RevisionResolver(Make(what)));
    }

    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Null(Good.Validate());
}
