using System.Collections.Immutable;
using System.Diagnostics;
using Turbine.Backend;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.DotNet;

/// <summary>
/// One instance of a .NET model: the model object, created in its version's load context, and the execute loop that
/// bounds each call by the execute timeout. An execute that passes its timeout is cancelled and abandoned: the
/// request fails, and the instance's next execute first waits (again bounded) for the abandoned one to end.
/// </summary>
internal sealed class DotNetModelInstance : IDecoupledModelInstance
{
    private readonly ModelConfig _config;
    private readonly TimeSpan _timeout;
    private readonly bool _decoupled;
    private LoadContexts.Handle? _context;
    private ITurbineModel? _model;
    private Task? _abandoned;

    private DotNetModelInstance(ModelConfig config, string name, LoadContexts.Handle context, ITurbineModel model, TimeSpan timeout)
    {
        _config = config;
        Name = name;
        _context = context;
        _model = model;
        _timeout = timeout;
        _decoupled = config.TransactionPolicy is { Decoupled: true };
    }

    public string Name { get; }

    /// <summary>Loads <c>model.dll</c> into the version's context, creates the model object and runs its Initialize.</summary>
    public static DotNetModelInstance Create(ModelInstanceSpec spec, LoadContexts.Handle context, TimeSpan timeout)
    {
        var config = spec.Config;
        System.Reflection.Assembly assembly;
        var fileName = Path.GetFileName(spec.ModelFilePath);
        try
        {
            assembly = context.Context.LoadFile(fileName, "default_model_filename");
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException)
        {
            throw new InferenceException(StatusCode.InvalidArgument, $"model '{config.Name}' version {spec.Version}: {fileName} is not a loadable .NET assembly ({e.Message})");
        }

        var type = FindModelType(config, assembly);
        ITurbineModel model;
        try
        {
            model = (ITurbineModel)Activator.CreateInstance(type)!;
            var parameters = config.Parameters;
            var client = spec.Engine is { } engine ? new EngineModelClient(engine) : (IModelClient)NoEngineClient.Instance;
            model.Initialize(new ModelContext(config.Name, spec.Version, spec.InstanceName, context.Context.VersionDirectory,
                ModelConfigJson.ToJson(config), parameters, client));
        }
        catch (Exception e) when (e is not InferenceException)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } i } ? i : e;
            throw new InferenceException(StatusCode.InvalidArgument, $"model '{config.Name}' version {spec.Version}: initialize failed: {inner.GetType().Name}: {inner.Message}");
        }

        return new DotNetModelInstance(config, spec.InstanceName, context, model, timeout);
    }

    private static Type FindModelType(ModelConfig config, System.Reflection.Assembly assembly)
    {
        Type[] candidates;
        try
        {
            candidates = [.. assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITurbineModel).IsAssignableFrom(t))];
        }
        catch (Exception e) when (e is System.Reflection.ReflectionTypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new InferenceException(StatusCode.InvalidArgument, $"model '{config.Name}': model.dll could not be loaded: {e.Message}");
        }

        if (config.Parameters.TryGetValue(DotNetBackend.ModelTypeParameter, out var wanted))
        {
            return candidates.FirstOrDefault(t => t.FullName == wanted)
                ?? throw new InferenceException(StatusCode.InvalidArgument,
                    $"model '{config.Name}': parameter '{DotNetBackend.ModelTypeParameter}' names '{wanted}', but the public model classes are [{string.Join(", ", candidates.Select(t => t.FullName))}]");
        }

        return candidates.Length == 1
            ? candidates[0]
            : throw new InferenceException(StatusCode.InvalidArgument, candidates.Length == 0
                ? $"model '{config.Name}': model.dll has no public class implementing Turbine.Backend.ITurbineModel"
                : $"model '{config.Name}': model.dll has several model classes [{string.Join(", ", candidates.Select(t => t.FullName))}]; name one with parameter '{DotNetBackend.ModelTypeParameter}'");
    }

    public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var collected = new CollectingWriter();
        var result = Run(inputs, outputNames, collected, cancellationToken);
        if (collected.Outputs is not { } outputs)
        {
            throw new InferenceException(StatusCode.Internal, $"model '{_config.Name}' sent no response");
        }

        return result with { Outputs = outputs };
    }

    public ExecutionResult ExecuteDecoupled(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames,
        IDecoupledResponseWriter writer, CancellationToken cancellationToken) => Run(inputs, outputNames, writer, cancellationToken);

    private ExecutionResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, IDecoupledResponseWriter writer,
        CancellationToken cancellationToken)
    {
        var model = _model ?? throw new ObjectDisposedException(Name);
        var started = Stopwatch.GetTimestamp();
        WaitForAbandoned(cancellationToken);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sender = new ResponseSender(_config, outputNames, writer, _decoupled);
        var sdkInputs = new Tensor[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            sdkInputs[i] = new Tensor(inputs[i].Name, inputs[i].DataType.ToWireName(), inputs[i].Shape, inputs[i].Data);
        }

        var request = new ModelRequest("", sdkInputs, outputNames, ImmutableDictionary<string, string>.Empty, sender, cancel.Token);
        var execute = Task.Run(() => model.ExecuteAsync([request], cancel.Token), CancellationToken.None);
        var inputNs = ElapsedNs(started);
        var deadline = started + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
        try
        {
            // Execute, then (a decoupled model may answer after execute returns) the final flag, both before the deadline.
            if (!Wait(execute, deadline, cancellationToken) || (execute.IsCompletedSuccessfully && !Wait(sender.Completion, deadline, cancellationToken)))
            {
                cancel.Cancel();
                sender.Abandon();
                _abandoned = execute;
                throw new InferenceException(StatusCode.DeadlineExceeded,
                    $"model '{_config.Name}' did not finish execute within {(long)_timeout.TotalMilliseconds} ms ({DotNetBackend.ExecuteTimeoutParameter})");
            }
        }
        catch (OperationCanceledException)
        {
            cancel.Cancel();
            sender.Abandon();
            _abandoned = execute;
            throw;
        }

        if (execute.Exception is { } failed)
        {
            sender.Abandon();
            var e = failed.InnerExceptions.Count == 1 ? failed.InnerExceptions[0] : failed;
            if (e is InvalidInputException invalid)
            {
                throw new InferenceException(StatusCode.InvalidArgument, $"model '{_config.Name}': {invalid.Message}");
            }

            throw new InferenceException(StatusCode.Internal, $"model '{_config.Name}' failed: {e.GetType().Name}: {e.Message}");
        }

        if (sender.Error is { } error)
        {
            throw new InferenceException(StatusCode.Internal, error);
        }

        return new ExecutionResult([], inputNs, ElapsedNs(started) - inputNs, 0);
    }

    /// <summary>True when <paramref name="task"/> completed (in any state) before the deadline.</summary>
    private static bool Wait(Task task, long deadline, CancellationToken cancellationToken)
    {
        var left = deadline - Stopwatch.GetTimestamp();
        if (left <= 0)
        {
            return task.IsCompleted;
        }

        try
        {
            return task.Wait(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency), cancellationToken);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    private void WaitForAbandoned(CancellationToken cancellationToken)
    {
        if (_abandoned is not { } previous)
        {
            return;
        }

        if (!Wait(previous, Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency), cancellationToken))
        {
            throw new InferenceException(StatusCode.Unavailable,
                $"model '{_config.Name}' instance '{Name}' is still running an execute that passed its {(long)_timeout.TotalMilliseconds} ms timeout");
        }

        _abandoned = null;
    }

    private static long ElapsedNs(long start) => (long)((Stopwatch.GetTimestamp() - start) * (1_000_000_000.0 / Stopwatch.Frequency));

    public void Dispose()
    {
        var model = Interlocked.Exchange(ref _model, null);
        if (model is null)
        {
            return;
        }

        try
        {
            model.Shutdown();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A model that fails to shut down is still unloaded.
            Trace.TraceWarning($"model '{_config.Name}' instance '{Name}': shutdown failed: {e.Message}");
        }

        _abandoned = null;
        Interlocked.Exchange(ref _context, null)?.Dispose();
    }

    /// <summary>Keeps an ordinary model's one response as the execution's outputs.</summary>
    private sealed class CollectingWriter : IDecoupledResponseWriter
    {
        public List<InferenceTensor>? Outputs { get; private set; }

        public void Send(List<InferenceTensor>? outputs, bool final) => Outputs = outputs;
    }

    /// <summary>Instances created outside an engine (tests of the backend alone) have no other models to call.</summary>
    private sealed class NoEngineClient : IModelClient
    {
        public static readonly NoEngineClient Instance = new();

        public Task<InferResult> InferAsync(string modelName, IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? outputs = null,
            long? version = null, CancellationToken cancellationToken = default) =>
            throw new ModelCallException($"no engine: model '{modelName}' cannot be called from an instance created outside a server");
    }
}
