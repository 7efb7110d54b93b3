using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Turbine.Client;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine infer MODEL --input NAME=JSON ...</c>: one inference from the shell. Datatypes come from the
/// model's metadata, shapes from the JSON nesting (the batch dimension is added when the model batches and
/// the value omits it). Prints the response as JSON.
/// </summary>
internal static class InferCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Model name." };
        var inputs = new Option<string[]>("--input") { Description = "NAME=JSON, e.g. INPUT0='[1,2,3]' (repeatable).", Required = true };
        var url = new Option<string?>("--url", "-u") { Description = "Server URL (default: $TURBINE_URL or http://127.0.0.1:8000 for http, $TURBINE_GRPC_URL or http://127.0.0.1:8001 for grpc)." };
        var protocol = new Option<string>("--protocol") { Description = "Protocol: http (REST) or grpc.", DefaultValueFactory = _ => "http" };
        protocol.AcceptOnlyFromAmong("http", "grpc");
        var version = new Option<string?>("--model-version") { Description = "Model version (default: the newest ready)." };
        var outputs = new Option<string[]>("--output") { Description = "Output to return (repeatable; default all)." };
        var classification = new Option<int>("--classification") { Description = "Return the top-k classes of each output." };
        var json = new Option<bool>("--json") { Description = "Send inputs as JSON instead of the binary extension." };
        var token = TokenOption();
        var command = new Command("infer", "Send one inference request to a running server.") { model, inputs, url, protocol, version, outputs, classification, json, token };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                using var client = CreateClient(parse.GetValue(protocol)!, parse.GetValue(url), ReadToken(parse, token));
                return await RunAsync(client, parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(version),
                    parse.GetValue(outputs) ?? [], parse.GetValue(classification), parse.GetValue(json), ct).ConfigureAwait(false);
            }
            catch (TurbineClientException e)
            {
                var status = e.GrpcStatusCode is { } grpc ? grpc.ToString() : e.StatusCode.ToString(CultureInfo.InvariantCulture);
                await Console.Error.WriteLineAsync($"turbine: error: server answered {status}: {e.ServerMessage}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is HttpRequestException or ArgumentException or FormatException or JsonException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Environment variable read for the server's or gateway's bearer token when <c>--token</c> is not given.</summary>
    public const string TokenVariable = "TURBINE_TOKEN";

    /// <summary>
    /// <c>--token</c>: an API key or JWT sent as <c>Authorization: Bearer</c> (HTTP header, gRPC metadata), as a gateway
    /// with auth or a server's management endpoints expect. Shared by <c>infer</c> and <c>bench</c>.
    /// </summary>
    internal static Option<string?> TokenOption() => new("--token")
    {
        Description = $"API key or JWT sent as 'Authorization: Bearer' (default ${TokenVariable}); visible in ps, prefer the variable.",
    };

    /// <summary>The token from <c>--token</c>, else $TURBINE_TOKEN; null when neither is set.</summary>
    internal static string? ReadToken(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { Length: > 0 } token ? token
        : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;

    /// <summary>The URL for <paramref name="protocol"/>: <paramref name="url"/>, else $TURBINE_URL (http) or $TURBINE_GRPC_URL (grpc), else the protocol's default port.</summary>
    internal static Uri ResolveUrl(string protocol, string? url)
    {
        var grpc = string.Equals(protocol, "grpc", StringComparison.Ordinal);
        url ??= grpc
            ? Environment.GetEnvironmentVariable("TURBINE_GRPC_URL") ?? "http://127.0.0.1:8001"
            : Environment.GetEnvironmentVariable("TURBINE_URL") ?? "http://127.0.0.1:8000";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address))
        {
            throw new ArgumentException($"--url '{url}' is not an absolute URL such as http://127.0.0.1:8000");
        }

        return address;
    }

    /// <summary>The client for <paramref name="protocol"/> at <see cref="ResolveUrl"/>, sending <paramref name="token"/> when given.</summary>
    internal static ITurbineClient CreateClient(string protocol, string? url, string? token)
    {
        var address = ResolveUrl(protocol, url);
        return string.Equals(protocol, "grpc", StringComparison.Ordinal)
            ? new TurbineGrpcClient(address, bearerToken: token)
            : new TurbineHttpClient(address, bearerToken: token);
    }

    private static async Task<int> RunAsync(ITurbineClient client, string model, string[] inputSpecs, string? version, string[] outputNames, int k, bool json, CancellationToken ct)
    {
        var metadata = await client.GetModelMetadataAsync(model, version, ct).ConfigureAwait(false);
        var inputs = new List<InferInput>();
        foreach (var spec in inputSpecs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"--input '{spec}' must be NAME=JSON");
            }

            var name = spec[..eq];
            var meta = metadata.Inputs.FirstOrDefault(i => i.Name == name)
                ?? throw new ArgumentException($"model '{model}' has no input '{name}'; inputs are {string.Join(", ", metadata.Inputs.Select(i => i.Name))}");
            using var doc = JsonDocument.Parse(spec[(eq + 1)..]);
            var shape = new List<long>();
            var values = new List<JsonElement>();
            Flatten(doc.RootElement, 0, shape, values);
            if (meta.Shape.Length > 0 && meta.Shape[0] == -1 && shape.Count == meta.Shape.Length - 1)
            {
                shape.Insert(0, 1);
            }

            var input = new InferInput(name, [.. shape], meta.Datatype) { Binary = !json };
            JsonInputValues.Set(input, values);
            inputs.Add(input);
        }

        var requested = outputNames.Length > 0
            ? outputNames.Select(o => new InferRequestedOutput(o, binary: !json, classCount: k)).ToList()
            : k > 0 ? metadata.Outputs.Select(o => new InferRequestedOutput(o.Name, binary: !json, classCount: k)).ToList() : null;
        var result = await client.InferAsync(model, inputs, requested, new InferOptions { ModelVersion = version, JsonOnly = json }, ct).ConfigureAwait(false);
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", result.ModelName);
            writer.WriteString("model_version", result.ModelVersion);
            writer.WriteStartArray("outputs");
            foreach (var o in result.Outputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", o.Name);
                writer.WriteString("datatype", o.Datatype);
                writer.WriteStartArray("shape");
                foreach (var d in o.Shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WritePropertyName("data");
                WriteValues(writer, o);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        Console.WriteLine();
        return 0;
    }

    private static void Flatten(JsonElement e, int depth, List<long> shape, List<JsonElement> values)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            values.Add(e);
            return;
        }

        var length = e.GetArrayLength();
        if (shape.Count == depth)
        {
            shape.Add(length);
        }
        else if (shape[depth] != length)
        {
            throw new ArgumentException($"ragged JSON array: dimension {depth} has lengths {shape[depth]} and {length}");
        }

        foreach (var item in e.EnumerateArray())
        {
            Flatten(item, depth + 1, shape, values);
        }
    }

    private static void WriteValues(Utf8JsonWriter w, InferOutput o)
    {
        w.WriteStartArray();
        switch (o.Datatype)
        {
            case "BYTES": foreach (var s in o.AsStrings()) { w.WriteStringValue(s); } break;
            case "BOOL": foreach (var b in o.AsArray<bool>()) { w.WriteBooleanValue(b); } break;
            case "UINT8": foreach (var x in o.AsArray<byte>()) { w.WriteNumberValue(x); } break;
            case "INT8": foreach (var x in o.AsArray<sbyte>()) { w.WriteNumberValue(x); } break;
            case "UINT16": foreach (var x in o.AsArray<ushort>()) { w.WriteNumberValue(x); } break;
            case "INT16": foreach (var x in o.AsArray<short>()) { w.WriteNumberValue(x); } break;
            case "UINT32": foreach (var x in o.AsArray<uint>()) { w.WriteNumberValue(x); } break;
            case "INT32": foreach (var x in o.AsArray<int>()) { w.WriteNumberValue(x); } break;
            case "UINT64": foreach (var x in o.AsArray<ulong>()) { w.WriteNumberValue(x); } break;
            case "INT64": foreach (var x in o.AsArray<long>()) { w.WriteNumberValue(x); } break;
            case "FP16": foreach (var x in o.AsArray<Half>()) { TensorNumberText.Write(w, x); } break;
            case "FP32": foreach (var x in o.AsArray<float>()) { TensorNumberText.Write(w, x); } break;
            case "FP64": foreach (var x in o.AsArray<double>()) { TensorNumberText.Write(w, x); } break;
            case "BF16": foreach (var x in o.AsArray<ushort>()) { TensorNumberText.WriteBFloat16(w, x); } break;
            default: w.WriteStringValue(Convert.ToBase64String(o.Raw.Span)); break;
        }

        w.WriteEndArray();
    }
}
