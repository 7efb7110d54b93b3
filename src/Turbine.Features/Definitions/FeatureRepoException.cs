namespace Turbine.Features.Definitions;

/// <summary>A feature repository, a request or a source that is not valid; the message names the problem.</summary>
public sealed class FeatureRepoException : Exception
{
    public FeatureRepoException()
    {
    }

    public FeatureRepoException(string message)
        : base(message)
    {
    }

    public FeatureRepoException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
