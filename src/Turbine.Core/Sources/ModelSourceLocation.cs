using Turbine.Core.Repository;

namespace Turbine.Core.Sources;

/// <summary>
/// Where one load of a model reads from: the Triton-layout repository holding the model's folder
/// (<c>&lt;repository&gt;/&lt;model&gt;/config.pbtxt</c>, <c>&lt;model&gt;/&lt;version&gt;/</c>) and, when the source decides it
/// (a registry names the exact version), the configuration as JSON, used instead of the folder's <c>config.pbtxt</c>.
/// A configuration given to the repository API's load takes precedence over both.
/// </summary>
public sealed record ModelSourceLocation(ModelRepository Repository, string? ConfigJson = null);
