namespace Turbine.Control.Tests.Storage;

/// <summary>The control tests that share one PostgreSQL server (<see cref="PostgresFixture"/>, from Turbine.TestSupport).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "control-postgres";
}
