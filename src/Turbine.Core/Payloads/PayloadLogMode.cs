namespace Turbine.Core.Payloads;

/// <summary>What the payload log records for a model (<c>payload_log</c> model parameter).</summary>
internal enum PayloadLogMode
{
    /// <summary>Nothing (the default).</summary>
    Off = 0,

    /// <summary>Metadata, status and the inputs.</summary>
    Request = 1,

    /// <summary>Metadata, status and the outputs.</summary>
    Response = 2,

    /// <summary>Metadata, status, inputs and outputs.</summary>
    All = 3,
}
