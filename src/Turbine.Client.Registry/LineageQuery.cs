namespace Turbine.Client.Registry;

/// <summary>One key of <c>GET /api/v1/lineage</c>: the versions produced from a dataset, a commit or a run.</summary>
public enum LineageQuery
{
    DatasetUri,
    DatasetDigest,
    CodeCommit,
    RunId,
}
