using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Backends.DotNet;

/// <summary>
/// The .NET backend (<c>backend: "dotnet"</c>): loads <c>model.dll</c> from the version folder into a collectible
/// <see cref="System.Runtime.Loader.AssemblyLoadContext"/> per model version and runs its <c>Turbine.Backend.ITurbineModel</c>.
/// </summary>
/// <param name="defaultExecuteTimeout">How long one execute may run when the model's config sets no <c>execute_timeout_ms</c> parameter (default 30 s).</param>
public sealed class DotNetBackend(TimeSpan? defaultExecuteTimeout = null) : IBackend
{
    public const string BackendName = "dotnet";
    public const string PlatformName = "dotnet";

    /// <summary>The config parameter that bounds one execute, in milliseconds.</summary>
    public const string ExecuteTimeoutParameter = "execute_timeout_ms";

    /// <summary>The config parameter naming the model class when <c>model.dll</c> has several.</summary>
    public const string ModelTypeParameter = "model_type";

    private readonly LoadContexts _contexts = new();

    public TimeSpan DefaultExecuteTimeout { get; } = defaultExecuteTimeout ?? TimeSpan.FromSeconds(30);

    public string Name => BackendName;

    public string Platform => PlatformName;

    public string DefaultModelFilename => "model.dll";

    public bool SupportsDecoupled => true;

    /// <summary>The load contexts created so far, weakly held (tests check that an unloaded version's context is collected).</summary>
    internal IReadOnlyList<WeakReference> Contexts => _contexts.Created;

    public bool Handles(ModelConfig config) =>
        config.Backend == BackendName || (config.Backend.Length == 0 && config.Platform == PlatformName);

    /// <summary>A .NET model's signature is not in its assembly: the config must declare its inputs and outputs.</summary>
    public ModelConfig AutoComplete(ModelConfig config, string modelFilePath)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Inputs.IsEmpty || config.Outputs.IsEmpty)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"a dotnet model must declare its inputs and outputs in config.pbtxt (model '{config.Name}' declares no {(config.Inputs.IsEmpty ? "inputs" : "outputs")})");
        }

        return config;
    }

    public IModelInstance CreateInstance(ModelInstanceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var timeout = DefaultExecuteTimeout;
        if (spec.Config.Parameters.TryGetValue(ExecuteTimeoutParameter, out var text))
        {
            if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) || ms <= 0)
            {
                throw new InferenceException(StatusCode.InvalidArgument,
                    $"model '{spec.Config.Name}': parameter '{ExecuteTimeoutParameter}' must be a positive number of milliseconds, got '{text}'");
            }

            timeout = TimeSpan.FromMilliseconds(ms);
        }

        var context = _contexts.Acquire(spec);
        try
        {
            return DotNetModelInstance.Create(spec, context, timeout);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}
