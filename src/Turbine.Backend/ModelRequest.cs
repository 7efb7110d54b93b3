namespace Turbine.Backend;

/// <summary>One request of a batch given to <see cref="ITurbineModel.ExecuteAsync"/>.</summary>
public sealed class ModelRequest
{
    /// <summary>Creates a request (the backend does this; tests of a model may too).</summary>
    /// <param name="id">The client's request id (may be empty).</param>
    /// <param name="inputs">The inputs, valid until the request's final response is sent.</param>
    /// <param name="requestedOutputs">The outputs the client asked for (empty: all).</param>
    /// <param name="parameters">The request's parameters as text.</param>
    /// <param name="responses">Where the responses go.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    public ModelRequest(string id, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> requestedOutputs,
        IReadOnlyDictionary<string, string> parameters, IResponseSender responses, CancellationToken cancellationToken)
    {
        Id = id;
        Inputs = inputs;
        RequestedOutputs = requestedOutputs;
        Parameters = parameters;
        Responses = responses;
        CancellationToken = cancellationToken;
    }

    /// <summary>The client's request id (may be empty).</summary>
    public string Id { get; }

    /// <summary>The inputs (batch dimension first when the model batches).</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>The outputs the client asked for; empty means every output.</summary>
    public IReadOnlyList<string> RequestedOutputs { get; }

    /// <summary>The request's parameters, as text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Sends this request's responses.</summary>
    public IResponseSender Responses { get; }

    /// <summary>Cancelled when the client goes away or the execute timeout passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The input named <paramref name="name"/>; throws naming the inputs there are when it is missing.</summary>
    /// <param name="name">The input's name.</param>
    public Tensor Input(string name) => Tensor.Find(Inputs, name, "input");

    /// <summary>Sends the request's one (final) response: what an ordinary model does.</summary>
    /// <param name="outputs">The outputs.</param>
    public void Respond(params Tensor[] outputs) => Responses.Send(outputs, final: true);
}
