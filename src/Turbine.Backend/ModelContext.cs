namespace Turbine.Backend;

/// <summary>What a model is given at <see cref="ITurbineModel.Initialize"/>.</summary>
public sealed class ModelContext
{
    /// <summary>Creates a context (the backend does this; tests of a model may too).</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="modelVersion">The version being loaded.</param>
    /// <param name="instanceName">The instance's name (<c>{group}_{index}</c>).</param>
    /// <param name="versionDirectory">The version folder holding <c>model.dll</c> and the model's files.</param>
    /// <param name="configJson">The model's completed configuration as JSON (Triton's <c>model_config</c>).</param>
    /// <param name="parameters">The config's <c>parameters</c> (key → string_value).</param>
    /// <param name="models">The client for calling other loaded models.</param>
    public ModelContext(string modelName, long modelVersion, string instanceName, string versionDirectory, string configJson,
        IReadOnlyDictionary<string, string> parameters, IModelClient models)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        InstanceName = instanceName;
        VersionDirectory = versionDirectory;
        ConfigJson = configJson;
        Parameters = parameters;
        Models = models;
    }

    /// <summary>The model's name.</summary>
    public string ModelName { get; }

    /// <summary>The version being served.</summary>
    public long ModelVersion { get; }

    /// <summary>The instance's name (<c>{group}_{index}</c>).</summary>
    public string InstanceName { get; }

    /// <summary>The version folder: files the model ships next to <c>model.dll</c> (a vocabulary, labels) are read from here.</summary>
    public string VersionDirectory { get; }

    /// <summary>The completed configuration as JSON, in the shape of Triton's model configuration API.</summary>
    public string ConfigJson { get; }

    /// <summary>The configuration's <c>parameters</c>: key → <c>string_value</c>.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Calls other models loaded in the same server, in process (Triton's business-logic scripting).</summary>
    public IModelClient Models { get; }
}
