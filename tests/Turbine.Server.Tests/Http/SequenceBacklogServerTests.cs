using System.Text.Json;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// Sequence starts beyond the free slots on a real server: with <c>sequence_backlog_max_size</c> 0 a start finding
/// every slot of <c>accumulator</c> held is refused at once with 503 naming the limit, and the server keeps serving
/// the sequences that hold slots.
/// </summary>
public sealed class SequenceBacklogServerTests
{
    [Fact]
    public async Task Infer_StartWithEverySlotHeldAndNoBacklog_Returns503NamingLimitAndServerStaysHealthy()
    {
        await using var h = await ServerHarness.StartAsync(prepare: repository =>
        {
            var path = Path.Combine(repository, "accumulator", "config.pbtxt");
            var text = File.ReadAllText(path)
                .Replace("max_sequence_idle_microseconds: 5000000", "max_sequence_idle_microseconds: 600000000", StringComparison.Ordinal);
            File.WriteAllText(path, text + "\nparameters: { key: \"sequence_backlog_max_size\" value: { string_value: \"0\" } }\n");
        });

        // accumulator: oldest strategy with max_candidate_sequences 8 — eight never-ended sequences hold every slot.
        const int slots = 8;
        for (var id = 1; id <= slots; id++)
        {
            var (status, body) = await h.PostJsonAsync("/v2/models/accumulator/infer", Request(id, id, start: true));
            Assert.True(status == 200, body.ToString());
        }

        var (refused, error) = await h.PostJsonAsync("/v2/models/accumulator/infer", Request(100, 1, start: true));

        Assert.Equal(503, refused);
        Assert.Equal(
            $"sequence 100 of model 'accumulator' cannot start: all {slots} sequence slots are held and 0 starts already wait (sequence_backlog_max_size 0); retry later",
            error.GetProperty("error").GetString());

        var (ok, next) = await h.PostJsonAsync("/v2/models/accumulator/infer", Request(3, 10, start: false));
        Assert.Equal(200, ok);
        Assert.Equal(13, next.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
        Assert.Equal(200, (await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
    }

    private static string Request(int id, int value, bool start) =>
        $$"""{"parameters":{"sequence_id":{{id}},"sequence_start":{{JsonSerializer.Serialize(start)}}},"inputs":[{"name":"INPUT","shape":[1,1],"datatype":"INT32","data":[{{value}}]}]}""";
}
