namespace Turbine.Core.Config;

/// <summary>Which member of Triton's <c>ModelVersionPolicy</c> oneof is set.</summary>
public enum ModelVersionPolicyKind
{
    Latest = 0,
    All = 1,
    Specific = 2,
}
