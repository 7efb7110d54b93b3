using Turbine.Control.Storage;

namespace Turbine.Control.Api;

/// <summary>A deployment's newest events, newest first.</summary>
/// <param name="Events">The events.</param>
public sealed record EventListResponse(IReadOnlyList<ControlEvent> Events);
