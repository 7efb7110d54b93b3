using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;
using Turbine.Gateway.Traffic;

namespace Turbine.Gateway.Tests.Traffic;

public sealed class TrafficRouterTests
{
    private static DefaultHttpContext Context(Action<HttpRequest>? configure = null)
    {
        var context = new DefaultHttpContext();
        configure?.Invoke(context.Request);
        return context;
    }

    [Fact]
    public void Decide_TenPercentSplit_SeededRandomGivesTenPercent()
    {
        var router = new TrafficRouter(new Random(123), new BlueGreenState());
        var route = new ModelRouteConfig { Split = [new() { Pool = "main", Weight = 90 }, new() { Pool = "canary", Weight = 10 }] };
        var canary = Enumerable.Range(0, 10_000).Count(_ => router.Decide("m", route, Context(), new GatewayRequestInfo()).Pool == "canary");
        Assert.InRange(canary, 900, 1100);
    }

    [Fact]
    public void Decide_SameSeed_SameSequence()
    {
        var route = new ModelRouteConfig { Split = [new() { Pool = "a", Weight = 1 }, new() { Pool = "b", Weight = 1 }] };
        var a = new TrafficRouter(new Random(5), new BlueGreenState());
        var b = new TrafficRouter(new Random(5), new BlueGreenState());
        Assert.Equal(
            Enumerable.Range(0, 100).Select(_ => a.Decide("m", route, Context(), new()).Pool),
            Enumerable.Range(0, 100).Select(_ => b.Decide("m", route, Context(), new()).Pool));
    }

    [Fact]
    public void PickWeighted_Boundaries()
    {
        Assert.Equal(0, TrafficRouter.PickWeighted([90, 10], 0.0));
        Assert.Equal(0, TrafficRouter.PickWeighted([90, 10], 0.8999));
        Assert.Equal(1, TrafficRouter.PickWeighted([90, 10], 0.9));
        Assert.Equal(2, TrafficRouter.PickWeighted([90, 0, 10], 0.95));
        Assert.Equal(2, TrafficRouter.PickWeighted([0, 0, 5], 0.0));
    }

    private static readonly ModelRouteConfig Ab = new()
    {
        AbTest = new AbTestConfig
        {
            Header = "x-variant",
            Cookie = "variant",
            StickyHeader = "x-user",
            Variants = [new() { Name = "a", Pool = "pa" }, new() { Name = "b", Pool = "pb" }],
        },
    };

    [Fact]
    public void Decide_AbSameCallerKey_AlwaysSameVariant_AndBothVariantsUsed()
    {
        var router = new TrafficRouter(new Random(1), new BlueGreenState());
        var byUser = new Dictionary<string, HashSet<string>>();
        for (var u = 0; u < 200; u++)
        {
            for (var i = 0; i < 5; i++)
            {
                var decision = router.Decide("m", Ab, Context(), new GatewayRequestInfo { CallerKey = "user-" + u });
                (byUser.TryGetValue("user-" + u, out var set) ? set : byUser["user-" + u] = []).Add(decision.Variant!);
            }
        }

        Assert.All(byUser.Values, s => Assert.Single(s));
        var a = byUser.Values.Count(s => s.Contains("a"));
        Assert.InRange(a, 70, 130);
    }

    [Fact]
    public void Decide_AbStickyHeaderBeatsCallerKey_ExplicitHeaderAndCookieBeatBoth()
    {
        var router = new TrafficRouter(new Random(1), new BlueGreenState());
        var info = new GatewayRequestInfo { CallerKey = "k" };
        var byHeader = router.Decide("m", Ab, Context(r => r.Headers["x-user"] = "alice"), info).Variant;
        Assert.Equal(byHeader, router.Decide("m", Ab, Context(r => r.Headers["x-user"] = "alice"), new GatewayRequestInfo { CallerKey = "other" }).Variant);
        Assert.Equal("b", router.Decide("m", Ab, Context(r => r.Headers["x-variant"] = "b"), info).Variant);
        Assert.Equal("a", router.Decide("m", Ab, Context(r => r.Headers.Cookie = "variant=a"), info).Variant);
    }

    [Fact]
    public void StickyFraction_IsAFixedFunctionOfModelAndKey()
    {
        // XxHash64, not string.GetHashCode: the same value in every process, so assignments survive restarts.
        Assert.Equal(TrafficRouter.StickyFraction("m", "alice"), TrafficRouter.StickyFraction("m", "alice"));
        Assert.Equal(0.2601, Math.Round(TrafficRouter.StickyFraction("fraud", "alice"), 4));
        Assert.NotEqual(TrafficRouter.StickyFraction("m", "alice"), TrafficRouter.StickyFraction("n", "alice"));
    }

    [Fact]
    public void Decide_BlueGreen_SwitchFlipsAtomically_ConfigChangeResets()
    {
        var state = new BlueGreenState();
        var router = new TrafficRouter(new Random(1), state);
        var bg = new BlueGreenConfig { Blue = "pb", Green = "pg" };
        var route = new ModelRouteConfig { BlueGreen = bg };
        Assert.Equal("pb", router.Decide("m", route, Context(), new()).Pool);
        Assert.Equal("green", state.Switch("m", bg, null));
        Assert.Equal("pg", router.Decide("m", route, Context(), new()).Pool);
        Assert.Equal("blue", state.Switch("m", bg, null));
        Assert.Equal("green", state.Switch("m", bg, "green"));
        Assert.Equal("green", state.Switch("m", bg, "green"));

        // The operator edits the config's 'active': the file wins from then on.
        var edited = new ModelRouteConfig { BlueGreen = bg with { Active = "blue" } };
        Assert.Equal("pg", router.Decide("m", edited, Context(), new()).Pool);
        var changed = new ModelRouteConfig { BlueGreen = bg with { Active = "green" } };
        Assert.Equal("pg", router.Decide("m", changed, Context(), new()).Pool);
        Assert.Equal("blue", state.Switch("m", changed.BlueGreen!, null));
    }

    [Fact]
    public void Decide_Shadow_PercentDrawnWithTheSeededRandom()
    {
        var router = new TrafficRouter(new Random(9), new BlueGreenState());
        var all = new ModelRouteConfig { Pool = "p", Shadow = new ShadowConfig { Pool = "s" } };
        var none = new ModelRouteConfig { Pool = "p", Shadow = new ShadowConfig { Pool = "s", Percent = 0 } };
        var half = new ModelRouteConfig { Pool = "p", Shadow = new ShadowConfig { Pool = "s", Percent = 50 } };
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("s", router.Decide("m", all, Context(), new()).ShadowPool));
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Null(router.Decide("m", none, Context(), new()).ShadowPool));
        Assert.InRange(Enumerable.Range(0, 1000).Count(_ => router.Decide("m", half, Context(), new()).ShadowPool is not null), 400, 600);
    }

    [Theory]
    [InlineData(200, """{"model_name":"m","model_version":"1","outputs":[{"name":"O","data":[1,2]}]}""", 200, """{"model_name":"m","model_version":"2","outputs":[{"name":"O","data":[1,2]}]}""", false)]
    [InlineData(200, """{"outputs":[{"name":"O","data":[1,2]}]}""", 200, """{"outputs":[{"name":"O","data":[1,3]}]}""", true)]
    [InlineData(200, """{"outputs":[]}""", 503, """{"error":"x"}""", true)]
    [InlineData(200, "\u0001binary", 200, "\u0001binary", false)]
    [InlineData(200, "\u0001binary", 200, "\u0001binarz", true)]
    public void Differs_ComparesStatusAndOutputsOnly(int s1, string b1, int s2, string b2, bool expected)
    {
        Assert.Equal(expected, ShadowMirror.Differs(s1, System.Text.Encoding.UTF8.GetBytes(b1), s2, System.Text.Encoding.UTF8.GetBytes(b2)));
    }

    [Fact]
    public void Decide_VersionSplit_TargetWithoutPoolUsesTheRoutesPool()
    {
        var router = new TrafficRouter(new Random(1), new BlueGreenState());
        var route = new ModelRouteConfig { Pool = "main", Split = [new() { Version = "2", Weight = 100 }, new() { Pool = "other", Version = "1", Weight = 0 }] };
        var decision = router.Decide("m", route, Context(), new GatewayRequestInfo());
        Assert.Equal(("main", "2", "main/v2"), (decision.Pool, decision.Version, decision.Variant));
        var ab = new ModelRouteConfig { Pool = "main", AbTest = new AbTestConfig { Header = "x-v", Variants = [new() { Name = "a" }, new() { Name = "b", Pool = "other", Version = "7" }] } };
        var b = router.Decide("m", ab, Context(r => r.Headers["x-v"] = "b"), new GatewayRequestInfo());
        Assert.Equal(("other", "7", "b"), (b.Pool, b.Version, b.Variant));
        var a = router.Decide("m", ab, Context(r => r.Headers["x-v"] = "a"), new GatewayRequestInfo());
        Assert.Equal(("main", null, "a"), (a.Pool, a.Version, a.Variant));
    }

    [Theory]
    [InlineData("/v2/models/m/infer", "3", "/v2/models/m/versions/3/infer")]
    [InlineData("/v2/models/m/versions/1/infer", "3", null)]
    [InlineData("/v2/models/m", "3", null)]
    public void VersionRewrite_RestPath(string path, string version, string? expected)
    {
        Assert.Equal(expected, VersionRewrite.RestPath(path, version));
    }

    [Fact]
    public void VersionRewrite_GrpcFrame_AppendedVersionWins_LengthPrefixFixed()
    {
        var request = new Turbine.Protocol.Grpc.ModelInferRequest { ModelName = "m", ModelVersion = "1", Id = "x" };
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[300]));
        var message = Google.Protobuf.MessageExtensions.ToByteArray(request);
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);

        var rewritten = VersionRewrite.GrpcFrame(frame, "12")!;
        Assert.Equal((uint)(rewritten.Length - 5), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rewritten.AsSpan(1)));
        var parsed = Turbine.Protocol.Grpc.ModelInferRequest.Parser.ParseFrom(rewritten.AsSpan(5));
        Assert.Equal(("m", "12", "x", 300), (parsed.ModelName, parsed.ModelVersion, parsed.Id, parsed.RawInputContents[0].Length));

        var compressed = (byte[])frame.Clone();
        compressed[0] = 1;
        Assert.Null(VersionRewrite.GrpcFrame(compressed, "2"));
        Assert.Null(VersionRewrite.GrpcFrame(frame.AsSpan(0, frame.Length - 1), "2"));
    }

    [Fact]
    public void GrpcDiffers_ComparesOutputsOnly()
    {
        static byte[] Frame(string version, string id, byte[] raw, params long[] shape)
        {
            var response = new Turbine.Protocol.Grpc.ModelInferResponse { ModelName = "m", ModelVersion = version, Id = id };
            var output = new Turbine.Protocol.Grpc.ModelInferResponse.Types.InferOutputTensor { Name = "O", Datatype = "INT32" };
            output.Shape.AddRange(shape);
            response.Outputs.Add(output);
            response.RawOutputContents.Add(Google.Protobuf.ByteString.CopyFrom(raw));
            var message = Google.Protobuf.MessageExtensions.ToByteArray(response);
            var frame = new byte[5 + message.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
            message.CopyTo(frame, 5);
            return frame;
        }

        var primary = Frame("1", "a", [1, 0, 0, 0], 1, 1);
        Assert.False(ShadowMirror.GrpcDiffers(primary, Frame("2", "b", [1, 0, 0, 0], 1, 1)));
        Assert.True(ShadowMirror.GrpcDiffers(primary, Frame("1", "a", [2, 0, 0, 0], 1, 1)));
        Assert.True(ShadowMirror.GrpcDiffers(primary, Frame("1", "a", [1, 0, 0, 0], 1)));
        Assert.False(ShadowMirror.GrpcDiffers(null, primary));
    }
}
