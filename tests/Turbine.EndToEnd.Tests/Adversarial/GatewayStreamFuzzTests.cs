using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Turbine.Protocol.Grpc;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>
/// Issue 11 item 2 as a fuzzer: a real <c>turbine gateway</c> in front of the hardened server, and ModelStreamInfer
/// streams whose messages name models at random. A key allowed only <c>identity_fp32</c> must never get a message for
/// another model executed, however the stream starts, and a rate-limited key never gets more messages executed than
/// its bucket holds. Executions are counted at the server itself (its statistics), not from what the client sees.
/// </summary>
[Collection(AdversarialCollection.Name)]
public sealed class GatewayStreamFuzzTests(HardenedServer server)
{
    [Fact]
    public async Task Fuzz_StreamsNamingRandomModels_OnlyAllowedMessagesExecute()
    {
        var folder = Path.Combine(Path.GetTempPath(), "turbine-e2e-adv-gw", Guid.NewGuid().ToString("N"));
        await using var gateway = await GatewayProcess.StartAsync(folder, $$"""
            pools:
              main: {replicas: [{http: "{{server.Http.ToString().TrimEnd('/')}}", grpc: "{{server.Grpc.ToString().TrimEnd('/')}}"}]}
            models:
              "*": {pool: main}
            auth:
              apiKeys:
                - {id: identity-user, hash: "sha256:{{Hash("identity-key")}}", models: [identity_fp32]}
                - {id: burst-user, hash: "sha256:{{Hash("burst-key")}}", models: [identity_fp32]}
            rateLimits:
              keys:
                burst-user: {requests: 5, periodSeconds: 3600}
            accessLog: {enabled: false}
            """);
        using var channel = GrpcChannel.ForAddress(gateway.Grpc);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var random = new Random(2);
        var models = new[] { "identity_fp32", "simple", "identity_fp32", "no_such_model" };

        var simpleBefore = await SuccessCountAsync("simple");
        for (var s = 0; s < 20; s++)
        {
            var names = Enumerable.Range(0, random.Next(1, 12)).Select(_ => models[random.Next(models.Length)]).ToList();
            var allowedPrefix = names.TakeWhile(n => n == "identity_fp32").Count();
            var (answers, status) = await StreamAsync(client, "identity-key", names);
            Assert.True(answers <= allowedPrefix + names.Skip(allowedPrefix).Count(n => n == "identity_fp32"),
                $"stream {s} [{string.Join(",", names)}]: {answers} answers");
            if (allowedPrefix < names.Count)
            {
                // Refused: the stream ends with PERMISSION_DENIED (or each forbidden message is answered with an error).
                Assert.True(status is StatusCode.PermissionDenied or StatusCode.OK, $"stream {s} [{string.Join(",", names)}]: {status}");
            }
            else
            {
                Assert.Equal((names.Count, StatusCode.OK), (answers, status));
            }
        }

        Assert.Equal(simpleBefore, await SuccessCountAsync("simple"));

        var identityBefore = await SuccessCountAsync("identity_fp32");
        var (burstAnswers, burstStatus) = await StreamAsync(client, "burst-key", Enumerable.Repeat("identity_fp32", 40).ToList());
        // The gateway ends the stream at the refused message: answers to the five executed ones may be cut off with it
        // (counted at the server below, which is what the limit protects).
        Assert.True(burstAnswers <= 5, $"burst: {burstAnswers} answers, {burstStatus}");
        Assert.True(burstStatus is StatusCode.ResourceExhausted or StatusCode.OK, burstStatus.ToString());
        Assert.Equal(identityBefore + 5, await SuccessCountAsync("identity_fp32"));
        await server.AssertHealthyAsync();
    }

    /// <summary>Sends one message per name on one stream; returns the successful answers and the stream's final status.</summary>
    private static async Task<(int Answers, StatusCode Status)> StreamAsync(GRPCInferenceService.GRPCInferenceServiceClient client, string key, List<string> names)
    {
        using var call = client.ModelStreamInfer(new Metadata { { "authorization", "Bearer " + key } }, deadline: DateTime.UtcNow.AddSeconds(60));
        var answers = 0;
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    if (call.ResponseStream.Current.ErrorMessage.Length == 0)
                    {
                        answers++;
                    }
                }

                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        });
        try
        {
            foreach (var name in names)
            {
                // Every message is valid for the model it names, so one that slipped past the gateway would execute.
                var request = GrpcFrameFuzzTests.ValidRequest(0);
                if (name != "simple")
                {
                    request = new ModelInferRequest { ModelName = name };
                    var input = new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "FP32" };
                    input.Shape.Add([1, 16]);
                    request.Inputs.Add(input);
                    request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[64]));
                }

                await call.RequestStream.WriteAsync(request);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The gateway ended the stream while we were still writing.
        }
        catch (InvalidOperationException)
        {
            // The call already completed (refused) before the last write.
        }

        return (answers, await reader.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    private async Task<long> SuccessCountAsync(string model)
    {
        using var doc = JsonDocument.Parse(await server.Client.GetStringAsync($"v2/models/{model}/stats"));
        return doc.RootElement.GetProperty("model_stats").EnumerateArray()
            .Sum(s => s.GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
