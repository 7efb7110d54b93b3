namespace Turbine.Backend;

/// <summary>The outputs of a model called through <see cref="IModelClient"/>; valid until disposed.</summary>
public sealed class InferResult : IDisposable
{
    private IDisposable? _owner;

    /// <summary>Wraps outputs and what owns their memory.</summary>
    /// <param name="outputs">The outputs.</param>
    /// <param name="owner">Released on dispose (the engine's response), or null.</param>
    public InferResult(IReadOnlyList<Tensor> outputs, IDisposable? owner)
    {
        Outputs = outputs;
        _owner = owner;
    }

    /// <summary>The outputs, in the order the model returned them.</summary>
    public IReadOnlyList<Tensor> Outputs { get; }

    /// <summary>The output named <paramref name="name"/>; throws naming the outputs there are when it is missing.</summary>
    /// <param name="name">The output's name.</param>
    public Tensor Output(string name) => Tensor.Find(Outputs, name, "output");

    /// <summary>Releases the outputs' memory.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}
