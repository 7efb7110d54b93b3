using Turbine.Backend;

namespace TestModels;

/// <summary>OUTPUT0 = INPUT0 + the "offset" parameter (default 1); FP32 [-1, 4] with batching.</summary>
public sealed class AddOffset : ITurbineModel
{
    private float _offset = 1;

    public void Initialize(ModelContext context)
    {
        if (context.Parameters.TryGetValue("offset", out var text))
        {
            _offset = float.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            var input = request.Input("INPUT0");
            var values = input.AsSpan<float>().ToArray();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] += _offset;
            }

            request.Respond(Tensor.Create<float>("OUTPUT0", input.Shape, values));
        }

        return Task.CompletedTask;
    }

    public void Shutdown()
    {
    }
}

/// <summary>Throws from execute.</summary>
public sealed class Thrower : ITurbineModel
{
    public void Initialize(ModelContext context)
    {
    }

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the model refused this batch on purpose");

    public void Shutdown()
    {
    }
}

/// <summary>Never answers until cancelled (the execute timeout cancels it).</summary>
public sealed class Hanger : ITurbineModel
{
    public void Initialize(ModelContext context)
    {
    }

    public async Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken) =>
        await Task.Delay(Timeout.Infinite, cancellationToken);

    public void Shutdown()
    {
    }
}

/// <summary>Fails in Initialize: the version never loads.</summary>
public sealed class BrokenInit : ITurbineModel
{
    public void Initialize(ModelContext context) => throw new FileNotFoundException("vocabulary.txt is missing");

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Shutdown()
    {
    }
}

/// <summary>
/// Decoupled: COUNT (INT32 [1]) → COUNT responses VALUE = 0..COUNT-1 (INT32 [1]), then a flag-only final. With
/// parameter "final_on_last" the last response carries the final flag instead. COUNT -1 streams until cancelled.
/// </summary>
public sealed class Counter : ITurbineModel
{
    private bool _finalOnLast;

    public void Initialize(ModelContext context) => _finalOnLast = context.Parameters.ContainsKey("final_on_last");

    public Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            var count = request.Input("COUNT").AsSpan<int>()[0];
            if (count < 0)
            {
                // Answers from another thread after execute returned, until the client goes away.
                _ = Task.Run(async () =>
                {
                    var i = 0;
                    try
                    {
                        while (true)
                        {
                            request.Responses.Send([Tensor.Create<int>("VALUE", [1], [i++])], final: false);
                            await Task.Delay(10, request.CancellationToken);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        request.Responses.Complete();
                    }
                }, CancellationToken.None);
                continue;
            }

            for (var i = 0; i < count; i++)
            {
                request.Responses.Send([Tensor.Create<int>("VALUE", [1], [i])], final: _finalOnLast && i == count - 1);
            }

            if (!(_finalOnLast && count > 0))
            {
                request.Responses.Complete();
            }
        }

        return Task.CompletedTask;
    }

    public void Shutdown()
    {
    }
}

/// <summary>BLS: OUTPUT0 = 2 × (the "addone" model's OUTPUT0 for INPUT0).</summary>
public sealed class CallsAnother : ITurbineModel
{
    private IModelClient _models = null!;
    private string _target = "addone";

    public void Initialize(ModelContext context)
    {
        _models = context.Models;
        if (context.Parameters.TryGetValue("target", out var target))
        {
            _target = target;
        }
    }

    public async Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            using var result = await _models.InferAsync(_target, [request.Input("INPUT0")], ["OUTPUT0"], cancellationToken: cancellationToken);
            var values = result.Output("OUTPUT0").AsSpan<float>().ToArray();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= 2;
            }

            request.Respond(Tensor.Create<float>("OUTPUT0", result.Output("OUTPUT0").Shape, values));
        }
    }

    public void Shutdown()
    {
    }
}

/// <summary>Blocks execute until the test releases it (a file appears), then answers like AddOffset with offset 0.</summary>
public sealed class Gate : ITurbineModel
{
    private string _gate = "";

    public void Initialize(ModelContext context) => _gate = context.Parameters["gate_file"];

    public async Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken)
    {
        while (!File.Exists(_gate))
        {
            await Task.Delay(10, cancellationToken);
        }

        foreach (var request in requests)
        {
            var input = request.Input("INPUT0");
            request.Respond(Tensor.Create<float>("OUTPUT0", input.Shape, input.AsSpan<float>()));
        }
    }

    public void Shutdown()
    {
    }
}
