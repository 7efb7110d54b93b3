using Turbine.Control.Runtime;

namespace Turbine.Control.Tests.Runtime;

public sealed class PrometheusTextTests
{
    private const string Text = """
        # HELP turbine_model_load_duration_seconds How long
        # TYPE turbine_model_load_duration_seconds gauge
        turbine_model_load_duration_seconds{model="simple",version="1"} 0.25
        turbine_model_load_duration_seconds{model="other",version="1"} 4
        turbine_model_load_duration_seconds{model="a\"b",version="2"} 1.5
        turbine_model_load_duration_seconds_extra{model="simple"} 100
        """;

    [Fact]
    public void Sum_OnlyTheFamilyAndTheModelsAsked() =>
        Assert.Equal(1.75, PrometheusText.Sum(Text, "turbine_model_load_duration_seconds", ["simple", "a\"b"]));

    [Fact]
    public void Sum_NoSample_Null() =>
        Assert.Null(PrometheusText.Sum(Text, "turbine_model_warmup_duration_seconds", ["simple"]));
}
