namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>The adversarial tests share one hardened server process and run one after another against it.</summary>
[CollectionDefinition(Name)]
public sealed class AdversarialCollection : ICollectionFixture<HardenedServer>
{
    public const string Name = "adversarial";
}
