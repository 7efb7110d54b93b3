using Turbine.Control.Specs;

namespace Turbine.Control.Tests.Specs;

public sealed class StorageUriTests
{
    [Theory]
    [InlineData("registry://fraud@production", "fraud", "Production", null, null, "fraud@Production")]
    [InlineData("registry://fraud@Staging", "fraud", "Staging", null, null, "fraud@Staging")]
    [InlineData("registry://fraud@champion", "fraud", null, "champion", null, "fraud@champion")]
    [InlineData("registry://fraud.v2_a-b@blue-1", "fraud.v2_a-b", null, "blue-1", null, "fraud.v2_a-b@blue-1")]
    [InlineData("registry://fraud:3", "fraud", null, null, 3L, "fraud:3")]
    [InlineData("REGISTRY://fraud:12", "fraud", null, null, 12L, "fraud:12")]
    public void TryParse_Registry_ReadsReference(string text, string model, string? stage, string? alias, long? version, string reference)
    {
        var uri = Assert.IsType<RegistryStorageUri>(StorageUri.TryParse(text, out var error));

        Assert.Null(error);
        Assert.Equal(new RegistryStorageUri(text, model, stage, alias, version), uri);
        Assert.Equal(reference, uri.Reference);
    }

    [Theory]
    [InlineData("file:///srv/models", "/srv/models")]
    [InlineData("file:///srv/models/", "/srv/models")]
    [InlineData("file:///srv/models/fraud.onnx", "/srv/models/fraud.onnx")]
    [InlineData("file:///srv/my%20models", "/srv/my models")]
    [InlineData("file:///", "/")]
    public void TryParse_File_ReadsAbsolutePath(string text, string path)
    {
        var uri = Assert.IsType<FileStorageUri>(StorageUri.TryParse(text, out var error));

        Assert.Null(error);
        Assert.Equal(path, uri.Path);
    }

    [Theory]
    [InlineData("s3://kfserving-examples/models/onnx", "kfserving-examples", "models/onnx")]
    [InlineData("s3://my.bucket-1", "my.bucket-1", "")]
    [InlineData("s3://abc/", "abc", "")]
    public void TryParse_S3_ReadsBucketAndKey(string text, string bucket, string key)
    {
        var uri = Assert.IsType<S3StorageUri>(StorageUri.TryParse(text, out var error));

        Assert.Null(error);
        Assert.Equal((bucket, key), (uri.Bucket, uri.Key));
    }

    [Theory]
    [InlineData("", "storageUri is empty")]
    [InlineData("fraud@production", "has no scheme")]
    [InlineData("://x", "has no scheme")]
    [InlineData("gs://bucket/model", "storageUri scheme 'gs' is not supported; use registry://, file:// or s3://")]
    [InlineData("http://example.com/m.onnx", "storageUri scheme 'http' is not supported")]
    [InlineData("registry://", "names no model")]
    [InlineData("registry://@production", "names no model")]
    [InlineData("registry://fraud", "names no version: add @STAGE, @ALIAS or :VERSION")]
    [InlineData("registry://fraud@", "has nothing after '@'")]
    [InlineData("registry://fraud@None", "stage None holds no served version")]
    [InlineData("registry://fraud:0", "must be a positive version number, got '0'")]
    [InlineData("registry://fraud:-1", "must be a positive version number")]
    [InlineData("registry://fraud:v3", "must be a positive version number")]
    [InlineData("registry://fraud:", "must be a positive version number, got ''")]
    [InlineData("registry://../etc@production", "model name '../etc' is not valid")]
    [InlineData("registry://a/b@production", "model name 'a/b' is not valid")]
    [InlineData("registry://fraud@a:b", "alias 'a:b' is not valid")]
    [InlineData("registry://fraud@-x", "alias '-x' is not valid")]
    [InlineData("registry://fraud:3?x=1", "has a query or fragment")]
    [InlineData("file://../../etc", "is not an absolute file URI")]
    [InlineData("file://etc/passwd", "is not an absolute file URI")]
    [InlineData("file://host/srv/models", "is not an absolute file URI")]
    [InlineData("file:///a/../../etc/passwd", "the path must be normalised: no '.' or '..' segments")]
    [InlineData("file:///srv/models/..", "the path must be normalised")]
    [InlineData("file:///srv/./models", "the path must be normalised")]
    [InlineData("file:///srv/%2e%2e/etc", "the path must be normalised")]
    [InlineData("file:///srv//models", "empty segment")]
    [InlineData("file:///srv/models%00.onnx", "NUL, backslash or control character")]
    [InlineData("file:///srv\\models", "NUL, backslash or control character")]
    [InlineData("file:///srv/models#frag", "has a query or fragment")]
    [InlineData("s3://", "names no bucket")]
    [InlineData("s3:///key", "names no bucket")]
    [InlineData("s3://ab/key", "bucket 'ab' is not a valid S3 bucket name")]
    [InlineData("s3://My-Bucket/key", "bucket 'My-Bucket' is not a valid S3 bucket name")]
    [InlineData("s3://my..bucket/key", "is not a valid S3 bucket name")]
    [InlineData("s3://bucket-/key", "is not a valid S3 bucket name")]
    [InlineData("s3://192.168.1.1/key", "is not a valid S3 bucket name")]
    [InlineData("s3://bucket/../other", "the key must not contain '.' or '..' segments")]
    [InlineData("s3://bucket/a b", "white space or control characters")]
    public void TryParse_BadUri_RefusedWithReason(string text, string reason)
    {
        Assert.Null(StorageUri.TryParse(text, out var error));

        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_OverMaxLength_Refused()
    {
        Assert.Null(StorageUri.TryParse("s3://bucket/" + new string('k', StorageUri.MaxLength), out var error));

        Assert.Equal($"storageUri has {StorageUri.MaxLength + 12} characters; the limit is {StorageUri.MaxLength}", error);
    }
}
