namespace Turbine.Registry.Tests.Storage;

/// <summary>The registry tests that share one PostgreSQL server (<see cref="PostgresFixture"/>, from Turbine.TestSupport).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
