using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Api;

public sealed class ControlApiTests
{
    private static readonly HttpMethod[] Mutating = [HttpMethod.Put, HttpMethod.Post, HttpMethod.Delete];

    [Fact]
    public async Task Apply_NewThenSameThenChanged_CreatedUnchangedConfigured_WithEventsAndTriggers()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();

        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("created", body.GetProperty("result").GetString());
        Assert.Equal(1, body.GetProperty("generation").GetInt64());

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Post, "api/v1/deployments", ControlApiHarness.Yaml("fraud"), "text/yaml");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("unchanged", body.GetProperty("result").GetString());
        Assert.Equal(1, body.GetProperty("generation").GetInt64());

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud", maxReplicas: 5));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("configured", body.GetProperty("result").GetString());
        Assert.Equal(2, body.GetProperty("generation").GetInt64());

        Assert.Equal(["fraud", "fraud", "fraud"], control.Controller.Triggered.ToArray());
        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud/events");
        Assert.Equal(HttpStatusCode.OK, status);
        var events = body.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(new[] { "Applied", "Unchanged", "Applied" }, events.Select(e => e.GetProperty("reason").GetString()!).ToArray());
        Assert.Contains("generation 2", events[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("ci-writer", events[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("generation").GetInt64());
        Assert.Equal(5, body.GetProperty("spec").GetProperty("maxReplicas").GetInt32());
        Assert.Contains("maxReplicas: 5", body.GetProperty("yaml").GetString(), StringComparison.Ordinal);
        Assert.Equal("pending", body.GetProperty("status").GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Apply_BadSpec_422WithEveryErrorAndPosition_NothingStoredAndRunningUntouched()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));

        var bad = ControlApiHarness.Yaml("fraud", maxReplicas: 5).Replace("    minReplicas: 1", "    minReplicas: -3\n    bogusField: 1", StringComparison.Ordinal);
        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", bad);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("invalid_spec", body.GetProperty("code").GetString());
        var diagnostics = body.GetProperty("diagnostics").EnumerateArray().ToArray();
        Assert.True(diagnostics.Length >= 2, body.ToString());
        Assert.Contains(diagnostics, d => d.GetProperty("path").GetString()!.Contains("minReplicas", StringComparison.Ordinal) && d.GetProperty("line").GetInt32() == 7);
        Assert.Contains(diagnostics, d => d.GetProperty("message").GetString()!.Contains("bogusField", StringComparison.Ordinal) || d.GetProperty("path").GetString()!.Contains("bogusField", StringComparison.Ordinal));
        Assert.All(diagnostics, d => Assert.True(d.GetProperty("column").GetInt32() > 0));

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(1, body.GetProperty("generation").GetInt64());
        Assert.Equal(2, body.GetProperty("spec").GetProperty("maxReplicas").GetInt32());
        Assert.Single(control.Controller.Triggered);

        (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/other", "apiVersion: [unclosed");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/other");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Apply_KubernetesOnlyFields_AcceptedWithWarningsAndPositions()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        var yaml = ControlApiHarness.Yaml("vision", extra: "\n    nodeSelector:\n      gpu: \"true\"");
        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/vision", yaml);
        Assert.Equal(HttpStatusCode.Created, status);
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray());
        Assert.Contains("nodeSelector", warning.GetProperty("path").GetString() + warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(9, warning.GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Apply_NameMismatchOrBadNameOrMediaType_RefusedAndNothingStored()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();

        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/other", ControlApiHarness.Yaml("fraud"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("name_mismatch", body.GetProperty("code").GetString());
        Assert.Contains("'fraud'", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/Bad_Name", ControlApiHarness.Yaml("fraud"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_name", body.GetProperty("code").GetString());

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"), "application/octet-stream");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("unsupported_media_type", body.GetProperty("code").GetString());

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("deployments").EnumerateArray());
        Assert.Empty(control.Controller.Triggered);
    }

    [Fact]
    public async Task Apply_BodyOverTheLimit_413BeforeParsing_DeclaredOrChunked()
    {
        await using var control = await ControlApiHarness.StartAsync(o => o with { MaxSpecBytes = 2048 });
        using var client = control.Client();
        var big = ControlApiHarness.Yaml("fraud") + "# " + new string('x', 4096) + "\n";

        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("too_large", body.GetProperty("code").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Put, "api/v1/deployments/fraud")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big))),
        };
        request.Content.Headers.ContentType = new("application/yaml");
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);

        (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Fact]
    public async Task GetAndList_StatusFromTheController_PendingWhenItHasNone()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client(ControlApiHarness.WriterSecret);
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/vision", ControlApiHarness.Yaml("vision"));
        control.Controller.Statuses["fraud"] = InMemoryDeploymentController.Status("fraud", DeploymentPhase.Progressing, ready: 2, canary: "4");

        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.OK, status);
        var rows = body.GetProperty("deployments").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
        Assert.Equal(["fraud", "vision"], rows.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("progressing", rows["fraud"].GetProperty("phase").GetString());
        Assert.Equal(2, rows["fraud"].GetProperty("readyReplicas").GetInt32());
        Assert.Equal("3", rows["fraud"].GetProperty("version").GetString());
        Assert.Equal("4", rows["fraud"].GetProperty("canaryVersion").GetString());
        Assert.Equal(10, rows["fraud"].GetProperty("canaryPercent").GetInt32());
        Assert.Equal("pending", rows["vision"].GetProperty("phase").GetString());
        Assert.Equal(JsonValueKind.Null, rows["vision"].GetProperty("version").ValueKind);

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        var replica = Assert.Single(body.GetProperty("status").GetProperty("replicas").EnumerateArray());
        Assert.Equal(4242, replica.GetProperty("pid").GetInt32());
        Assert.Equal("ready", replica.GetProperty("state").GetString());
        Assert.Equal("progressing", body.GetProperty("status").GetProperty("rollout").GetProperty("state").GetString());

        (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/missing");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Delete_RemovesAndTriggersTheReconciler_ThenNotFound()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));

        var (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Delete, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(2, control.Controller.Triggered.Count);
        (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, var body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Delete, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", body.GetProperty("code").GetString());
        (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud/events");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task Events_LimitOutOfRange_400NamingTheRange(string limit)
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud/events?limit=" + limit);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1 to 1000", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_Limit_NewestFirstAndAtMostLimit()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud", 3));
        var (_, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud/events?limit=1");
        var only = Assert.Single(body.GetProperty("events").EnumerateArray());
        Assert.Contains("generation 2", only.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_NoTokenBadTokenReadOnlyWrite_401_401_403_ReadOk()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using (var writer = control.Client())
        {
            await ControlApiHarness.SendAsync(writer, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        }

        foreach (var token in new[] { null, "not-a-token-of-this-service" })
        {
            using var client = control.Client(token);
            foreach (var method in Mutating.Append(HttpMethod.Get))
            {
                var (status, body, response) = await ControlApiHarness.SendAsync(client, method, "api/v1/deployments/fraud", method == HttpMethod.Delete || method == HttpMethod.Get ? null : ControlApiHarness.Yaml("fraud", 4));
                Assert.Equal(HttpStatusCode.Unauthorized, status);
                Assert.Equal("unauthenticated", body.GetProperty("code").GetString());
                Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                response.Dispose();
            }
        }

        using var reader = control.Client(ControlApiHarness.ReaderSecret);
        foreach (var (method, path) in new[] { (HttpMethod.Put, "api/v1/deployments/fraud"), (HttpMethod.Delete, "api/v1/deployments/fraud"), (HttpMethod.Post, "api/v1/deployments/fraud/rollout/promote"), (HttpMethod.Post, "api/v1/deployments") })
        {
            var (status, body, response) = await ControlApiHarness.SendAsync(reader, method, path, method == HttpMethod.Delete ? null : ControlApiHarness.Yaml("fraud", 4));
            Assert.True(status == HttpStatusCode.Forbidden, $"{method} {path}: {(int)status} {body}");
            Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            response.Dispose();
        }

        var (readStatus, readBody, _) = await ControlApiHarness.SendAsync(reader, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.OK, readStatus);
        Assert.Equal(1, readBody.GetProperty("generation").GetInt64());
        Assert.Single(control.Controller.Triggered);

        using var anonymous = control.Client(null);
        var (health, _, _) = await ControlApiHarness.SendAsync(anonymous, HttpMethod.Get, "healthz");
        Assert.Equal(HttpStatusCode.OK, health);
        var (ready, _, _) = await ControlApiHarness.SendAsync(anonymous, HttpMethod.Get, "readyz");
        Assert.Equal(HttpStatusCode.OK, ready);
    }

    [Fact]
    public async Task DevMode_Loopback_NoTokenNeeded()
    {
        await using var control = await ControlApiHarness.StartAsync(o => o with { Dev = true, StaticTokens = [] });
        using var client = control.Client(null);
        var (status, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Theory]
    [InlineData("promote", "RolloutPromoted")]
    [InlineData("rollback", "RolloutRolledBack")]
    [InlineData("pause", "RolloutPaused")]
    [InlineData("resume", "RolloutResumed")]
    public async Task Rollout_Command_ReachesTheControllerAndRecordsAnEvent(string command, string reason)
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Post, $"api/v1/deployments/fraud/rollout/{command}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("fraud", body.GetProperty("name").GetString());
        Assert.Equal([$"{command} fraud"], control.Controller.Commands.ToArray());
        var (_, events, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud/events?limit=1");
        Assert.Equal(reason, events.GetProperty("events")[0].GetProperty("reason").GetString());
        var (_, got, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(command == "pause", got.GetProperty("paused").GetBoolean());
    }

    [Theory]
    [InlineData(ControlErrorKind.Conflict, HttpStatusCode.Conflict, "conflict")]
    [InlineData(ControlErrorKind.NotFound, HttpStatusCode.NotFound, "not_found")]
    [InlineData(ControlErrorKind.Invalid, HttpStatusCode.BadRequest, "invalid")]
    [InlineData(ControlErrorKind.Unavailable, HttpStatusCode.ServiceUnavailable, "unavailable")]
    public async Task Rollout_ControllerError_MappedToItsStatus(ControlErrorKind kind, HttpStatusCode expected, string code)
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        control.Controller.RolloutError = new ControlError(kind, "no rollout in progress for 'fraud'");
        foreach (var command in new[] { "promote", "rollback", "pause", "resume" })
        {
            var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Post, $"api/v1/deployments/fraud/rollout/{command}");
            Assert.Equal(expected, status);
            Assert.Equal(code, body.GetProperty("code").GetString());
            Assert.Equal("no rollout in progress for 'fraud'", body.GetProperty("error").GetString());
        }

        var (_, got, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.False(got.GetProperty("paused").GetBoolean());
        var (missing, _, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Post, "api/v1/deployments/missing/rollout/promote");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task OpenApi_ListsEveryRouteWithBearerScheme()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client(null);
        using var document = JsonDocument.Parse(await client.GetStringAsync("openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        var expected = new (string Path, string Method)[]
        {
            ("/healthz", "get"), ("/readyz", "get"),
            ("/api/v1/deployments", "get"), ("/api/v1/deployments", "post"),
            ("/api/v1/deployments/{name}", "get"), ("/api/v1/deployments/{name}", "put"), ("/api/v1/deployments/{name}", "delete"),
            ("/api/v1/deployments/{name}/events", "get"),
            ("/api/v1/deployments/{name}/rollout/promote", "post"), ("/api/v1/deployments/{name}/rollout/rollback", "post"),
            ("/api/v1/deployments/{name}/rollout/pause", "post"), ("/api/v1/deployments/{name}/rollout/resume", "post"),
        };
        foreach (var (path, method) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} missing from the OpenAPI document");
        }

        Assert.Equal(expected.Length, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
        Assert.True(paths.GetProperty("/api/v1/deployments/{name}").GetProperty("put").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/yaml", out _));
        Assert.Equal("bearer", document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Store_IsARealSqliteFile_WithTheAppliedYaml()
    {
        await using var control = await ControlApiHarness.StartAsync();
        using var client = control.Client();
        await ControlApiHarness.SendAsync(client, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        await using var connection = new SqliteConnection($"Data Source={control.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT generation FROM deployments WHERE name = 'fraud'";
        Assert.Equal(1L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
