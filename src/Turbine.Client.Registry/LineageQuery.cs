namespace Turbine.Client.Registry;

/// <summary>One key of <c>GET /api/v1/lineage</c>: the versions produced from a dataset, a commit or a run.</summary>
public enum LineageQuery
{
    /// <summary>Versions whose lineage names this dataset URI (<c>datasetUri</c>).</summary>
    DatasetUri,
    /// <summary>Versions whose lineage names this dataset digest (<c>datasetDigest</c>).</summary>
    DatasetDigest,
    /// <summary>Versions built from this code commit (<c>codeCommit</c>).</summary>
    CodeCommit,
    /// <summary>Versions produced by this training run (<c>runId</c>).</summary>
    RunId,
}
