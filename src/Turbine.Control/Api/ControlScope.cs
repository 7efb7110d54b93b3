namespace Turbine.Control.Api;

/// <summary>What a caller of the control API may do. Registry roles map onto it: reader → Read; writer and admin → Write.</summary>
public enum ControlScope
{
    /// <summary>List and get deployments, status and events (GET).</summary>
    Read = 1,

    /// <summary>Read, plus apply, delete and the rollout commands.</summary>
    Write = 2,
}
