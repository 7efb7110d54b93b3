using System.Collections.Immutable;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Graphs;

namespace Turbine.Core.Repository;

/// <summary>
/// Turns a model folder (and an optional JSON override from the repository API) into a
/// <see cref="ModelDefinition"/>: parse, pick the backend, auto-complete from the model file, apply defaults,
/// validate. Every failure is an <see cref="InferenceException"/> whose message names the file and field.
/// </summary>
internal sealed class ModelConfigLoader
{
    private readonly IReadOnlyList<IBackend> _backends;
    private readonly ModelFileLimits _limits;

    public ModelConfigLoader(IReadOnlyList<IBackend> backends, ModelFileLimits? limits = null)
    {
        _backends = backends;
        _limits = limits ?? new ModelFileLimits();
    }

    /// <summary>
    /// The models an ensemble's steps name (each once, in step order), read from its config without loading it; empty
    /// when the model is not an ensemble or its config cannot be read (the load itself then reports why).
    /// </summary>
    public IReadOnlyList<string> ComposingModels(ModelRepository repository, string model, string? overrideJson)
    {
        try
        {
            var config = Parse(repository, model, overrideJson, out var source);
            return config.EnsembleScheduling is { } e ? [.. e.Steps.Select(s => s.ModelName).Where(n => n.Length > 0).Distinct()]
                : config.Platform == RoutingGraph.Platform ? ReadRoutingGraph(repository, model, source).Models
                : [];
        }
        catch (Exception e) when (e is InferenceException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public ModelDefinition Load(ModelRepository repository, string model, string? overrideJson)
    {
        var config = Parse(repository, model, overrideJson, out var source);
        if (config.Name.Length == 0 || repository.Layout != ModelRepositoryLayout.Repository)
        {
            // One model at the repository path (KServe's /mnt/models): no folder name to match, so the name it is
            // served under (--model-name, else the folder's) is the model's name, whatever config.pbtxt says.
            config = config with { Name = model };
        }
        else if (config.Name != model)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: config name '{config.Name}' does not match the model folder '{model}'");
        }

        if (config.EnsembleScheduling is not null || config.Platform == EnsembleGraph.Platform)
        {
            return LoadEnsemble(repository, model, config, source);
        }

        if (config.Platform == RoutingGraph.Platform)
        {
            var problems = ModelConfigValidator.Validate(config, source);
            if (!problems.IsEmpty)
            {
                throw new InferenceException(StatusCode.InvalidArgument, string.Join("; ", problems));
            }

            RoutingGraph.CheckConfig(config, source);
            return new ModelDefinition(config, null, repository.ModelPath(model)) { FileLimits = _limits, RoutingGraph = ReadRoutingGraph(repository, model, source) };
        }

        return LoadBackendModel(repository, model, config, source);
    }

    /// <summary>A routing graph's <c>graph.yaml</c>, read under the config file's size limit and checked.</summary>
    private RoutingGraph ReadRoutingGraph(ModelRepository repository, string model, string source)
    {
        var files = new ModelFiles(repository.ModelPath(model), _limits);
        if (files.TryResolve("", RoutingGraph.FileName, RoutingGraph.FileName, ModelFileKind.Config) is null)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: platform \"{RoutingGraph.Platform}\" needs its graph in {RoutingGraph.FileName} beside {ModelRepository.ConfigFileName}");
        }

        var yaml = files.ReadAllText("", RoutingGraph.FileName, RoutingGraph.FileName, ModelFileKind.Config);
        return RoutingGraph.Parse(model, yaml, Path.Combine(repository.ModelPath(model), RoutingGraph.FileName));
    }

    /// <summary>An ensemble: no backend and no model file; its inputs, outputs and steps come from the config alone.</summary>
    private ModelDefinition LoadEnsemble(ModelRepository repository, string model, ModelConfig config, string source)
    {
        var problems = ModelConfigValidator.Validate(config, source);
        if (!problems.IsEmpty)
        {
            throw new InferenceException(StatusCode.InvalidArgument, string.Join("; ", problems));
        }

        if (config.Inputs.IsEmpty || config.Outputs.IsEmpty)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: ensemble '{model}' must declare its {(config.Inputs.IsEmpty ? "inputs" : "outputs")} (nothing can be derived from a model file)");
        }

        var graph = EnsembleGraph.Compile(config, source);
        return new ModelDefinition(config, null, repository.ModelPath(model)) { FileLimits = _limits, Graph = graph };
    }

    private ModelConfig Parse(ModelRepository repository, string model, string? overrideJson, out string source)
    {
        var configPath = repository.ConfigPath(model);
        ModelConfig config;
        try
        {
            if (overrideJson is not null)
            {
                source = $"config override for '{model}'";
                config = ModelConfigJson.Parse(overrideJson, source);
            }
            else if (File.Exists(configPath))
            {
                source = configPath;
                var text = new ModelFiles(repository.ModelPath(model), _limits)
                    .ReadAllText("", ModelRepository.ConfigFileName, ModelRepository.ConfigFileName, ModelFileKind.Config);
                config = ModelConfigText.Parse(text, configPath);
            }
            else
            {
                source = $"{repository.ModelPath(model)} (no {ModelRepository.ConfigFileName}; derived from the model)";
                config = new ModelConfig();
            }
        }
        catch (ModelConfigException e)
        {
            throw new InferenceException(StatusCode.InvalidArgument, e.Message, e);
        }

        return config;
    }

    private ModelDefinition LoadBackendModel(ModelRepository repository, string model, ModelConfig config, string source)
    {

        // Checked before any file is looked for, so a name outside the folder never reaches the file system.
        if (config.DefaultModelFilename.Length > 0 && !ModelFiles.IsSafeRelativeName(config.DefaultModelFilename))
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: default_model_filename '{config.DefaultModelFilename}' must be a relative path inside the version folder (no absolute path, no '..')");
        }

        var versions = repository.ListVersions(model);
        var backend = ResolveBackend(config, repository, model, versions, source);
        if (config.DefaultModelFilename.Length == 0)
        {
            config = config with { DefaultModelFilename = backend.DefaultModelFilename };
        }

        // Complete from the newest version whose model file can be read; a corrupt newest version then fails
        // on its own load while older versions keep serving.
        InferenceException? firstFailure = null;
        for (var i = versions.Count - 1; i >= 0; i--)
        {
            var file = VersionFiles(repository, model, versions[i]).TryResolve("", config.DefaultModelFilename, "default_model_filename", ModelFileKind.Model);
            if (file is null)
            {
                continue;
            }

            try
            {
                config = backend.AutoComplete(config, file);
                firstFailure = null;
                break;
            }
            catch (InferenceException e)
            {
                firstFailure ??= new InferenceException(e.Error.Code, $"{source}: {e.Message}", e);
            }
        }

        if (firstFailure is not null)
        {
            throw firstFailure;
        }

        config = ApplyDefaults(config, backend);
        var problems = ModelConfigValidator.Validate(config, source);
        if (!problems.IsEmpty)
        {
            throw new InferenceException(StatusCode.InvalidArgument, string.Join("; ", problems));
        }

        if (config.Inputs.IsEmpty || config.Outputs.IsEmpty)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: model '{model}' declares no {(config.Inputs.IsEmpty ? "inputs" : "outputs")} and none could be derived (no version folder with '{config.DefaultModelFilename}')");
        }

        if (config.TransactionPolicy is { Decoupled: true })
        {
            if (!backend.SupportsDecoupled)
            {
                throw new InferenceException(StatusCode.InvalidArgument,
                    $"{source}: model_transaction_policy.decoupled is not supported by backend '{backend.Name}'");
            }

            if (config.DynamicBatching is not null || config.SequenceBatching is not null || config.ResponseCache is { Enable: true })
            {
                throw new InferenceException(StatusCode.InvalidArgument,
                    $"{source}: a decoupled model runs each request on its own: dynamic_batching, sequence_batching and response_cache cannot be set with model_transaction_policy.decoupled");
            }
        }

        if (config.SequenceBatching is not null && config.ResponseCache is { Enable: true })
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: response_cache cannot be enabled for a stateful model (sequence_batching): its outputs depend on the sequence's state");
        }

        return new ModelDefinition(config, backend, repository.ModelPath(model))
        {
            FileLimits = _limits,
            VersionFolder = version => repository.VersionPath(model, version),
        };
    }

    private IBackend ResolveBackend(ModelConfig config, ModelRepository repository, string model, IReadOnlyList<long> versions, string source)
    {
        if (config.Platform.Length > 0 || config.Backend.Length > 0)
        {
            foreach (var b in _backends)
            {
                if (b.Handles(config))
                {
                    return b;
                }
            }

            var asked = config.Backend.Length > 0 ? $"backend '{config.Backend}'" : $"platform '{config.Platform}'";
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: {asked} is not supported; available backends: {string.Join(", ", _backends.Select(b => $"{b.Name} (platform {b.Platform})"))}");
        }

        // No platform named: pick the backend whose model file exists in the newest version folder.
        foreach (var b in _backends)
        {
            var fileName = config.DefaultModelFilename.Length > 0 ? config.DefaultModelFilename : b.DefaultModelFilename;
            if (versions.Count > 0 && VersionFiles(repository, model, versions[^1]).TryResolve("", fileName, "default_model_filename", ModelFileKind.Model) is not null &&
                (config.DefaultModelFilename.Length == 0 || fileName.EndsWith(Path.GetExtension(b.DefaultModelFilename), StringComparison.OrdinalIgnoreCase)))
            {
                return b;
            }
        }

        // No file tells: the first backend is the default (ONNX Runtime in the server), as when it was the only one.
        if (_backends.Count > 0)
        {
            return _backends[0];
        }

        throw new InferenceException(StatusCode.InvalidArgument,
            $"{source}: neither platform nor backend is set and no known model file was found");
    }

    private ModelFiles VersionFiles(ModelRepository repository, string model, long version) =>
        new(repository.VersionPath(model, version), _limits);

    private static ModelConfig ApplyDefaults(ModelConfig config, IBackend backend)
    {
        if (config.Platform.Length == 0)
        {
            config = config with { Platform = backend.Platform };
        }

        if (config.Backend.Length == 0)
        {
            config = config with { Backend = backend.Name };
        }

        if (config.InstanceGroups.IsEmpty)
        {
            config = config with
            {
                InstanceGroups = [new ModelInstanceGroup { Name = config.Name, Count = 1, Kind = ModelInstanceKind.Cpu }],
            };
        }
        else
        {
            var groups = ImmutableArray.CreateBuilder<ModelInstanceGroup>(config.InstanceGroups.Length);
            for (var i = 0; i < config.InstanceGroups.Length; i++)
            {
                var g = config.InstanceGroups[i];
                if (g.Name.Length == 0)
                {
                    g = g with { Name = config.InstanceGroups.Length == 1 ? config.Name : $"{config.Name}_{i}" };
                }

                groups.Add(g);
            }

            config = config with { InstanceGroups = groups.MoveToImmutable() };
        }

        return config;
    }
}
