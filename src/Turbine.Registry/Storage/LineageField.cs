namespace Turbine.Registry.Storage;

/// <summary>The lineage fields a lineage query can match on.</summary>
internal enum LineageField
{
    DatasetUri,
    DatasetDigest,
    CodeCommit,
    RunId,
}
