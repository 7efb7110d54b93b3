using System.Globalization;

namespace Turbine.Control.Specs;

/// <summary>
/// One error or warning about a deployment spec: where it is (<c>origin:line:col</c>, 1-based), the YAML path at fault
/// (<c>spec.predictor.minReplicas</c>) and what is wrong. <see cref="ToString"/> gives the line a user sees.
/// </summary>
public sealed record SpecDiagnostic(string Origin, int Line, int Column, string Path, string Message)
{
    public override string ToString() => Path.Length == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Origin}:{Line}:{Column}: {Message}")
        : string.Create(CultureInfo.InvariantCulture, $"{Origin}:{Line}:{Column}: {Path}: {Message}");
}
