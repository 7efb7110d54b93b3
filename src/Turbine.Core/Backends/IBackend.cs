using Turbine.Core.Config;

namespace Turbine.Core.Backends;

/// <summary>
/// An execution backend (ONNX Runtime first). Named policy: the engine picks the backend whose
/// <see cref="Handles"/> accepts a model's platform/backend, resolved once per load.
/// </summary>
public interface IBackend
{
    /// <summary>The backend name as written in configs (<c>backend: "onnxruntime"</c>).</summary>
    string Name { get; }

    /// <summary>The platform string this backend fills in (<c>onnxruntime_onnx</c>).</summary>
    string Platform { get; }

    /// <summary>The model file name looked for in a version folder when the config names none.</summary>
    string DefaultModelFilename { get; }

    /// <summary>True when the config names this backend or its platform.</summary>
    bool Handles(ModelConfig config);

    /// <summary>
    /// Completes a (possibly empty) config from the model file: missing inputs/outputs, batching, platform.
    /// A config that contradicts the model throws <see cref="InferenceException"/> naming the tensor, the
    /// expected and the actual value.
    /// </summary>
    ModelConfig AutoComplete(ModelConfig config, string modelFilePath);

    /// <summary>
    /// True when the backend's instances implement <see cref="IDecoupledModelInstance"/>, so a model may declare
    /// <c>model_transaction_policy { decoupled: true }</c>.
    /// </summary>
    bool SupportsDecoupled => false;

    /// <summary>Loads one execution instance (a session) of a model version.</summary>
    IModelInstance CreateInstance(ModelInstanceSpec spec);
}
