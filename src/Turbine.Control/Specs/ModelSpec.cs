namespace Turbine.Control.Specs;

/// <summary><c>spec.predictor.model</c>: what to serve and where it comes from.</summary>
/// <param name="Format">The model format (<c>modelFormat.name</c>).</param>
/// <param name="FormatVersion"><c>modelFormat.version</c> as written, or null.</param>
/// <param name="StorageUri">Where the model is (<c>storageUri</c>), parsed.</param>
/// <param name="Runtime">The serving runtime named in <c>runtime</c>, or null for the format's default.</param>
public sealed record ModelSpec(ModelFormat Format, string? FormatVersion, StorageUri StorageUri, string? Runtime);
