using Turbine.Backend;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.DotNet;

/// <summary>
/// A request's <see cref="IResponseSender"/>: checks each response against the config (declared outputs, their
/// datatypes, the outputs asked for) and the transaction policy (one final response unless decoupled), converts it and
/// hands it to the engine's writer. After the request is abandoned (timeout, client gone) sends are dropped.
/// </summary>
internal sealed class ResponseSender(ModelConfig config, IReadOnlyList<string> outputNames, IDecoupledResponseWriter writer, bool decoupled) : IResponseSender
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private bool _abandoned;

    public bool IsComplete => _completion.Task.IsCompleted;

    /// <summary>Completes when the final flag is sent.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The first contract violation, reported as the request's error.</summary>
    public string? Error { get; private set; }

    public void Send(IReadOnlyList<Tensor> outputs, bool final)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        lock (_lock)
        {
            Check(final);
            if (_abandoned)
            {
                return;
            }

            writer.Send(Convert(outputs), final);
            if (final)
            {
                _completion.TrySetResult();
            }
        }
    }

    public void Complete()
    {
        lock (_lock)
        {
            if (!decoupled)
            {
                Fail($"model '{config.Name}' is not decoupled: it must answer each request with exactly one response (Respond), not Complete()");
            }

            Check(final: true);
            if (!_abandoned)
            {
                writer.Send(null, final: true);
            }

            _completion.TrySetResult();
        }
    }

    public void Abandon()
    {
        lock (_lock)
        {
            _abandoned = true;
        }
    }

    private void Check(bool final)
    {
        if (_completion.Task.IsCompleted)
        {
            Fail($"model '{config.Name}' sent a response after the request's final flag");
        }

        if (!decoupled && !final)
        {
            Fail($"model '{config.Name}' is not decoupled: its one response must be final (set model_transaction_policy {{ decoupled: true }} to stream)");
        }
    }

    private void Fail(string message)
    {
        Error ??= message;
        _completion.TrySetResult();
        throw new InvalidOperationException(message);
    }

    private List<InferenceTensor> Convert(IReadOnlyList<Tensor> outputs)
    {
        var result = new List<InferenceTensor>(outputNames.Count);
        foreach (var name in outputNames)
        {
            var tensor = outputs.FirstOrDefault(o => o.Name == name)
                ?? throw Violation($"model '{config.Name}' did not produce output '{name}'; it produced [{string.Join(", ", outputs.Select(o => $"'{o.Name}'"))}]");
            var declared = config.Outputs.FirstOrDefault(o => o.Name == name)
                ?? throw Violation($"model '{config.Name}' produced output '{name}', which its config does not declare");
            if (!TensorDataTypes.TryParseWireName(tensor.DataType, out var type) || type != declared.DataType)
            {
                throw Violation($"model '{config.Name}' output '{name}': config data type is {declared.DataType.ToWireName()} but the model produced {tensor.DataType}");
            }

            var size = type.ElementSize();
            if (size > 0 && tensor.Data.Length != tensor.ElementCount * size)
            {
                throw Violation($"model '{config.Name}' output '{name}': shape [{string.Join(",", tensor.Shape)}] needs {tensor.ElementCount * size} bytes, got {tensor.Data.Length}");
            }

            result.Add(new InferenceTensor(name, type, tensor.Shape, tensor.Data));
        }

        return result;
    }

    private InvalidOperationException Violation(string message)
    {
        Error ??= message;
        return new InvalidOperationException(message);
    }
}
