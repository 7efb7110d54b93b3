using System.Text.Json.Nodes;

namespace Turbine.Control.Rendering;

/// <summary>
/// What <c>ManifestRenderer.Render</c> made: the Kubernetes objects in apply order, the notes on what could not be
/// mapped (each names the spec field and why), and the errors that stopped it (then <see cref="Objects"/> is empty).
/// </summary>
public sealed record RenderResult(IReadOnlyList<JsonObject> Objects, IReadOnlyList<string> Notes, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
