namespace Turbine.Backends.DotNet.Tests;

/// <summary>config.pbtxt bodies of the test models (TestModels/Models.cs).</summary>
internal static class Models
{
    public static string Parameters(params (string Key, string Value)[] parameters) =>
        string.Join("\n", parameters.Select(p => $"parameters {{ key: \"{p.Key}\" value: {{ string_value: \"{p.Value}\" }} }}"));

    /// <summary>FP32 INPUT0 → FP32 OUTPUT0, batching, both [-1].</summary>
    public static string Fp32(string type, params (string Key, string Value)[] parameters) => $$"""
        max_batch_size: 8
        input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
        output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
        {{Parameters([("model_type", "TestModels." + type), .. parameters])}}
        """;

    /// <summary>The decoupled counter: COUNT INT32 [1] → VALUE INT32 [1] responses.</summary>
    public static string Counter(params (string Key, string Value)[] parameters) => $$"""
        max_batch_size: 0
        model_transaction_policy { decoupled: true }
        input [ { name: "COUNT" data_type: TYPE_INT32 dims: [ 1 ] } ]
        output [ { name: "VALUE" data_type: TYPE_INT32 dims: [ 1 ] } ]
        {{Parameters([("model_type", "TestModels.Counter"), ("execute_timeout_ms", "60000"), .. parameters])}}
        """;
}
