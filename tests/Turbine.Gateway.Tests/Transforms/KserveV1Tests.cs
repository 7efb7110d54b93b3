using System.Globalization;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Transforms;

/// <summary>KServe v1 through the edge against a real server: the same data as v2 gives the same numbers.</summary>
[Collection(BackendCollection.Name)]
public sealed class KserveV1Tests(BackendFixture backend) : IAsyncLifetime
{
    private static readonly float[][] IrisRows = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f], [5.9f, 3.0f, 4.2f, 1.5f]];
    private readonly TempFolder _folder = new();
    private EdgeHost _host = null!;
    private HttpClient _direct = null!;

    public async Task InitializeAsync()
    {
        _host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load("{}", _folder.Path));
        _direct = new HttpClient { BaseAddress = backend.Server.HttpAddress };
    }

    public async Task DisposeAsync()
    {
        _direct.Dispose();
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private static string Floats(IEnumerable<float> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Predict_Iris_SameProbabilitiesAsV2()
    {
        var v1 = "{\"instances\":[" + string.Join(",", IrisRows.Select(r => "[" + Floats(r) + "]")) + "]}";
        var v2 = "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,4],\"datatype\":\"FP32\",\"data\":[" + Floats(IrisRows.SelectMany(r => r)) + "]}]}";

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:predict", v1));
        var (directStatus, direct, _) = await Bodies.SendAsync(_direct, Bodies.Post("/v2/models/iris/infer", v2));

        Assert.Equal(200, status);
        Assert.Equal(200, directStatus);
        var predictions = body.GetProperty("predictions").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var flat = direct.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(3, predictions.Length);
        Assert.All(predictions, p => Assert.Equal(3, p.Length));
        Assert.Equal(flat, predictions.SelectMany(p => p));
        Assert.Equal(["predictions"], body.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Predict_InputsKeyTreatedAsInstances()
    {
        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:predict", "{\"inputs\":[[" + Floats(IrisRows[0]) + "]]}"));

        Assert.Equal(200, status);
        Assert.Single(body.GetProperty("predictions").EnumerateArray());
    }

    [Fact]
    public async Task Predict_SimpleTwoInputsTwoOutputs_DictPerInstance()
    {
        var row = (int offset) => "{\"INPUT0\":[" + string.Join(",", Enumerable.Range(offset, 16)) + "],\"INPUT1\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}";
        var v1 = "{\"instances\":[" + row(0) + "," + row(100) + "]}";

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/simple:predict", v1));
        var (_, direct0, _) = await Bodies.SendAsync(_direct, Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(0)));
        var (_, direct1, _) = await Bodies.SendAsync(_direct, Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(100)));

        Assert.Equal(200, status);
        var predictions = body.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(2, predictions.Length);
        foreach (var (prediction, direct) in new[] { (predictions[0], direct0), (predictions[1], direct1) })
        {
            Assert.Equal(["OUTPUT0", "OUTPUT1"], prediction.EnumerateObject().Select(p => p.Name));
            foreach (var output in direct.GetProperty("outputs").EnumerateArray())
            {
                var name = output.GetProperty("name").GetString()!;
                Assert.Equal(
                    output.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()),
                    prediction.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()));
            }
        }
    }

    [Fact]
    public async Task Readiness_ReadyModel_NameAndTrue()
    {
        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v1/models/iris"));

        Assert.Equal(200, status);
        Assert.Equal("{\"name\":\"iris\",\"ready\":true}", body.GetRawText());
    }

    [Fact]
    public async Task Readiness_UnknownModel_NotReady()
    {
        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v1/models/no_such_model"));

        Assert.NotEqual(200, status);
        Assert.Equal("{\"name\":\"no_such_model\",\"ready\":false}", body.GetRawText());
    }

    [Theory]
    [InlineData("iris", "{\"instances\": [1, 2", 400, "invalid JSON body: ")]
    [InlineData("iris", "{\"rows\": []}", 400, "missing 'instances': expected {\"instances\": [...]} with one entry per prediction")]
    [InlineData("iris", "{\"instances\": {}}", 400, "'instances' must be an array with one entry per prediction, got an object")]
    [InlineData("iris", "{\"instances\": []}", 400, "'instances' is empty: nothing to predict")]
    [InlineData("iris", "{\"instances\": [[1,2,3,4],[1,2,3]]}", 400, "input 'input': instance 1 has shape [3] but instance 0 has [4]; all instances must have the same shape")]
    [InlineData("iris", "{\"instances\": [[[1,2],[3]]]}", 400, "input 'input': instance 0 is not a rectangular array (ragged at depth 1)")]
    [InlineData("simple", "{\"instances\": [[1,2]]}", 400, "model 'simple' has 2 inputs (INPUT0, INPUT1): each instance must be an object keyed by input name")]
    [InlineData("simple", "{\"instances\": [{\"INPUT0\": [1]}]}", 400, "instance 0: missing input 'INPUT1'")]
    [InlineData("simple", "{\"instances\": [{\"INPUT0\": [1], \"INPUT1\": [1], \"X\": 1}]}", 400, "instance 0: unknown input 'X'; model 'simple' has inputs INPUT0, INPUT1")]
    [InlineData("no_such_model", "{\"instances\": [[1]]}", 400, "Request for unknown model: 'no_such_model' is not found")]
    public async Task Predict_BadRequest_V1ErrorWithStatus(string model, string body, int expectedStatus, string expectedError)
    {
        var (status, answer, _) = await Bodies.SendAsync(_host.Http, Bodies.Post($"/v1/models/{model}:predict", body));

        Assert.Equal(expectedStatus, status);
        Assert.StartsWith(expectedError, Bodies.Error(answer), StringComparison.Ordinal);
        Assert.Equal(["error"], answer.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Predict_ServerRejects_ServerMessageInV1Error()
    {
        // Right nesting, wrong row size: the translation is fine, the server refuses the shape.
        var (status, answer, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v1/models/iris:predict", "{\"instances\": [[1,2,3]]}"));

        Assert.Equal(400, status);
        Assert.Contains("input", Bodies.Error(answer), StringComparison.Ordinal);
        Assert.Equal(["error"], answer.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Predict_WrongMethod_405()
    {
        var (status, answer, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v1/models/iris:predict"));

        Assert.Equal(405, status);
        Assert.Equal("use POST for /v1/models/iris:predict", Bodies.Error(answer));
    }

    [Fact]
    public async Task Predict_BehindAuth_ForbiddenModelRefusedBeforeTranslation()
    {
        const string key = "v1-key";
        await using var host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load($"""
            auth:
              apiKeys:
                - id: v1
                  hash: {ApiKeyHasher.Hash(key)}
                  models: [iris]
            """, _folder.Path));

        var (allowed, body, _) = await Bodies.SendAsync(host.Http, Bodies.Post("/v1/models/iris:predict", "{\"instances\":[[" + Floats(IrisRows[0]) + "]]}", apiKey: key));
        var (forbidden, error, _) = await Bodies.SendAsync(host.Http, Bodies.Post("/v1/models/simple:predict", "{\"instances\":[[1]]}", apiKey: key));

        Assert.Equal(200, allowed);
        Assert.Single(body.GetProperty("predictions").EnumerateArray());
        Assert.Equal(403, forbidden);
        Assert.Equal("caller 'v1' may not use model 'simple'", Bodies.Error(error));
    }

    [Fact]
    public async Task KserveV1Off_PathPassesThroughUntranslated()
    {
        await using var host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load("transforms: {kserveV1: false}", _folder.Path));

        using var response = await host.Http.PostAsync(
            "/v1/models/iris:predict", new StringContent("{\"instances\":[[" + Floats(IrisRows[0]) + "]]}", System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(404, (int)response.StatusCode);
        Assert.DoesNotContain("predictions", text, StringComparison.Ordinal);
    }
}
