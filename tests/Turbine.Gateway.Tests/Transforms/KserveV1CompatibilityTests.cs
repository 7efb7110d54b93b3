using System.Text.Json;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Transforms;

/// <summary>
/// Issue 12, item 9 against a real server: <c>{"b64": ...}</c> values through the BYTES identity model (binary
/// in, base64 back), and <c>:explain</c> forwarded to the server's explainer after authorisation.
/// </summary>
[Collection(BackendCollection.Name)]
public sealed class KserveV1CompatibilityTests(BackendFixture backend) : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private EdgeHost _host = null!;

    public async Task InitializeAsync() => _host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load("{}", _folder.Path));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Predict_B64Values_ReachTheModelExactlyAndComeBackAsB64()
    {
        byte[] raw = [0xFF, 0x00, 0xC3, 0x28, 0x80];
        var v1 = "{\"instances\": [[{\"b64\": \"" + Convert.ToBase64String(raw) + "\"}, \"text\"], [\"a\", {\"b64\": \"" + Convert.ToBase64String("b"u8.ToArray()) + "\"}]]}";

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/simple_identity:predict", v1));

        Assert.Equal(200, status);
        var predictions = body.GetProperty("predictions").EnumerateArray().Select(p => p.EnumerateArray().ToArray()).ToArray();
        Assert.Equal(2, predictions.Length);
        // Some element is not UTF-8, so the server sent the output as base64: every element comes back as {"b64": ...}.
        var decoded = predictions.SelectMany(p => p).Select(e => Convert.FromBase64String(Assert.Single(e.EnumerateObject(), p => p.Name == "b64").Value.GetString()!)).ToArray();
        Assert.Equal([raw, "text"u8.ToArray(), "a"u8.ToArray(), "b"u8.ToArray()], decoded);
    }

    [Fact]
    public async Task Predict_TextOnlyAndB64Text_PlainStringsBack()
    {
        var v1 = "{\"instances\": [[\"hello\", {\"b64\": \"" + Convert.ToBase64String("wörld"u8.ToArray()) + "\"}]]}";

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/simple_identity:predict", v1));

        Assert.Equal(200, status);
        Assert.Equal("{\"predictions\":[[\"hello\",\"wörld\"]]}", body.GetRawText());
    }

    [Fact]
    public async Task Predict_B64ForNumericInput_400NamesTheInput()
    {
        var (status, answer, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:predict", "{\"instances\": [[{\"b64\": \"AAAA\"}, 1, 2, 3]]}"));

        Assert.Equal(400, status);
        Assert.Equal("input 'input': {\"b64\": ...} values are for BYTES inputs, but the model's input is FP32", Bodies.Error(answer));
    }

    [Fact]
    public async Task Explain_ForwardedToTheServersKernelShap_AlibiShape()
    {
        var body = "{\"instances\": [[6.7, 3.0, 5.2, 2.3]], \"background\": [[5.0, 3.4, 1.5, 0.2], [6.5, 3.0, 5.5, 1.8]]}";
        var (status, answer, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:explain", body));
        var (noBackground, refusal, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:explain", "{\"instances\": [[1, 2, 3, 4]]}"));
        var (wrongMethod, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v1/models/iris:explain"));

        Assert.Equal(200, status);
        Assert.Equal("KernelShap", answer.GetProperty("meta").GetProperty("name").GetString());
        Assert.Equal(4, answer.GetProperty("data").GetProperty("shap_values")[0][0].GetArrayLength());
        Assert.Equal(400, noBackground);
        Assert.StartsWith("explain: no background", Bodies.Error(refusal), StringComparison.Ordinal);
        Assert.Equal(405, wrongMethod);
    }

    [Fact]
    public async Task Explain_Permutation_ForwardedToTheServersBatchedPath_AlibiShape()
    {
        var iris = Turbine.Samples.IrisDataSet.Load();
        var rows = string.Join(",", iris.Features.Select(f => "[" + string.Join(",", f.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]"));
        var body = $"{{\"explainer\": \"permutation\", \"instances\": [{rows}], \"labels\": [{string.Join(",", iris.Labels)}], \"repeats\": 3}}";
        var (status, answer, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:explain", body));
        var (unknown, refusal, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:explain", "{\"explainer\": \"anchors\", \"instances\": [[1, 2, 3, 4]]}"));

        Assert.Equal(200, status);
        Assert.Equal("PermutationImportance", answer.GetProperty("meta").GetProperty("name").GetString());
        Assert.Equal("accuracy", answer.GetProperty("data").GetProperty("metric_names")[0].GetString());
        var importance = answer.GetProperty("data").GetProperty("feature_importance")[0];
        Assert.Equal(4, importance.GetArrayLength());
        Assert.Equal(3, importance[2].GetProperty("samples").GetArrayLength());
        // Iris is told apart by its petals: shuffling petal length or width costs more accuracy than a sepal feature.
        Assert.True(Math.Max(importance[2].GetProperty("mean").GetDouble(), importance[3].GetProperty("mean").GetDouble()) > importance[1].GetProperty("mean").GetDouble());
        Assert.Equal(400, unknown);
        Assert.Contains("explainers that apply to tabular models: kernel_shap, permutation", Bodies.Error(refusal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_BehindAuth_ForbiddenModelRefusedFirst()
    {
        const string key = "explain-key";
        await using var host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load($"""
            auth:
              apiKeys:
                - id: ex
                  hash: {ApiKeyHasher.Hash(key)}
                  models: [iris]
            """, _folder.Path));

        var (none, _, _) = await Bodies.SendAsync(host.Http, Bodies.Post("/v1/models/iris:explain", "{}"));
        var (forbidden, _, _) = await Bodies.SendAsync(host.Http, Bodies.Post("/v1/models/simple:explain", "{}", apiKey: key));
        var (allowed, _, _) = await Bodies.SendAsync(host.Http, Bodies.Post("/v1/models/iris:explain", "{}", apiKey: key));

        Assert.Equal(401, none);
        Assert.Equal(403, forbidden);
        Assert.Equal(400, allowed); // authorised, forwarded: the server's explainer refuses the body without instances
    }
}
