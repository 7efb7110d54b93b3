namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// The packaging tests pack and publish the same projects (their obj/ and publish folders): one at a time, never beside
/// each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection
{
    public const string Name = "packaging";
}
