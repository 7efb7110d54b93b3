namespace Turbine.Interop.Tests;

/// <summary>
/// The server compiles protos/ (Triton's files plus one csharp_namespace line); these tests compile Triton's files as
/// written. The two copies must not drift apart, or the interop tests stop testing what the server speaks.
/// </summary>
public sealed class ProtoCopyTests
{
    [Theory]
    [InlineData("grpc_service.proto")]
    [InlineData("model_config.proto")]
    public void ServerProto_SameAsTritonCopy_ButForCsharpNamespace(string file)
    {
        var root = RepositoryRoot();
        var triton = File.ReadAllLines(Path.Combine(root, "tests", "interop", "triton", file));
        var server = File.ReadAllLines(Path.Combine(root, "protos", file))
            .Skip(1) // the line saying where the file comes from
            .Where(l => !l.StartsWith("option csharp_namespace", StringComparison.Ordinal))
            .ToArray();

        // The added option is followed by a blank line in protos/; drop one blank line where it stood.
        var firstDifference = Enumerable.Range(0, Math.Min(triton.Length, server.Length)).FirstOrDefault(i => triton[i] != server[i], -1);
        if (firstDifference >= 0 && server[firstDifference].Length == 0)
        {
            server = [.. server.Take(firstDifference), .. server.Skip(firstDifference + 1)];
        }

        Assert.Equal(triton, server);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Turbine.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Turbine.slnx not found above " + AppContext.BaseDirectory);
    }
}
