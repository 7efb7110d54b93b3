namespace Turbine.Gateway.Transforms;

/// <summary>
/// A KServe v1 request or response that cannot be translated: the status and the message for <c>{"error": ...}</c>.
/// A value the translators return, which <see cref="TransformMiddleware"/> answers; nothing throws it.
/// </summary>
internal sealed record V1Error(int Status, string Message);
