using System.CommandLine;
using System.Globalization;
using Turbine.Core.Lifecycle;
using Turbine.Core.Repository;
using Turbine.Core.SharedMemory;
using Turbine.Server;

namespace Turbine.Cli.Commands;

/// <summary><c>turbine serve</c>: the inference server on a model repository.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var repository = new Option<string?>("--model-repository") { Description = "Model repository: a Triton repository folder, or one model (a model folder or an .onnx file, as KServe leaves /mnt/models); not with --registry." };
        var modelName = new Option<string?>("--model-name") { Description = "The name a one-model --model-repository (a model folder or an .onnx file) is served under; default the folder's or file's name. KServe's runtime passes the InferenceService's name." };
        var parentPid = new Option<int?>("--parent-pid") { Description = "Stop (as on SIGTERM) within a second of process PID ending; the controller of turbine up passes its own pid so its replicas never outlive it." };
        parentPid.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is <= 0)
            {
                r.AddError("--parent-pid must be a process id above 0");
            }
        });
        var options = new ServeOptions();
        var registry = new RegistryServeFlags();
        var command = new Command("serve", "Serve the models of a repository folder, or from a model registry, over the Open Inference Protocol.") { repository, modelName, parentPid };
        options.AddTo(command);
        registry.AddTo(command, repository);
        var features = new FeaturesServeFlags();
        features.AddTo(command);
        var monitor = new MonitorServeFlags();
        monitor.AddTo(command);
        command.Validators.Add(r =>
        {
            var name = r.GetValue(modelName);
            if (name is not null && r.GetValue(repository) is null)
            {
                r.AddError("--model-name names the model of a one-model --model-repository; a registry reference names its own model");
            }
            else if (name is not null && !ModelRepository.IsSafeName(name))
            {
                r.AddError($"--model-name '{name}' cannot be a model name (no '/', '\\', and not '.' or '..')");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services;
            try
            {
                services = await features.BuildAsync(parse).ConfigureAwait(false);
            }
            catch (Turbine.Features.Definitions.FeatureRepoException e)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            var fromRegistry = registry.Read(parse);
            ServerOptions server;
            try
            {
                server = fromRegistry is null
                    ? options.Read(parse, parse.GetValue(repository)!)
                    : options.Read(parse, fromRegistry.RepositoryDirectory) with { Registry = fromRegistry };
            }
            catch (InvalidOperationException e)
            {
                // The repository's memory_budget file is not readable or not a byte size.
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(modelName) is { } name)
            {
                server = server with { Engine = server.Engine with { ModelName = name } };
            }

            return await RunAsync(monitor.Apply(parse, server), ct, services, parse.GetValue(parentPid)).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(ServerOptions options, CancellationToken cancellationToken, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null, int? parentPid = null)
    {
        var path = options.Engine.ModelRepository;
        if (options.Registry is null && !Directory.Exists(path) && !File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"turbine: error: model repository '{options.Engine.ModelRepository}' does not exist").ConfigureAwait(false);
            return 2;
        }

        if (options.Registry is null && await DescribeLayoutAsync(options.Engine).ConfigureAwait(false) is { } exitCode)
        {
            return exitCode;
        }

        TurbineServer server;
        try
        {
            server = await TurbineServer.StartAsync(options, configureServices: services, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: cannot start the server: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (StartupModelsFailedException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: start-up failed (--exit-on-error): {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        // With --parent-pid, the parent's end asks for the same stop as SIGTERM.
        using (parentPid is { } pid ? ParentWatch.Start(pid, server.Lifetime.StopApplication) : null)
        {
            await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // Every part of the stop is bounded, but a load stuck in a call that cannot be cancelled must not keep the
        // process alive: past the exit timeout (plus a little for unloading) it exits without waiting further.
        try
        {
            // The token that asked for the stop has fired already; only the timeout bounds this wait.
            await server.DisposeAsync().AsTask().WaitAsync(options.ShutdownTimeout + TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"turbine: shutdown did not finish within {options.ShutdownTimeout.TotalSeconds:0} s (--exit-timeout-secs); exiting without waiting for it").ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// Says on stderr what a one-model repository path is served as, and that <c>--model-name</c> is not used for a
    /// Triton repository; an exit code when the path cannot be served (a file that is not .onnx).
    /// </summary>
    private static async Task<int?> DescribeLayoutAsync(Turbine.Core.EngineOptions engine)
    {
        ModelRepository opened;
        try
        {
            opened = ModelRepository.Open(engine.ModelRepository, engine.ModelName);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var line = opened.Layout switch
        {
            ModelRepositoryLayout.ModelFolder => $"turbine: '{engine.ModelRepository}' is one model folder, served as model '{opened.ListModels()[0]}'",
            ModelRepositoryLayout.ModelFile => $"turbine: '{engine.ModelRepository}' is one model file ({opened.ModelFileName}), served as model '{opened.ListModels()[0]}' version 1",
            _ when engine.ModelName is not null => $"turbine: --model-name '{engine.ModelName}' is not used: '{engine.ModelRepository}' is a Triton repository, whose folders name its models",
            _ => null,
        };
        if (line is not null)
        {
            await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
        }

        return null;
    }
}
