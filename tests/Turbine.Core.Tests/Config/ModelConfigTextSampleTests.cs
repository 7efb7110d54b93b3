using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Config;

public sealed class ModelConfigTextSampleTests
{
    [Fact]
    public void Parse_TritonSimpleSample_AllFieldsRead()
    {
        var c = ModelConfigText.Parse(ConfigSamples.Simple, "simple/config.pbtxt");
        Assert.Equal("simple", c.Name);
        Assert.Equal("tensorflow_graphdef", c.Platform);
        Assert.Equal(8, c.MaxBatchSize);
        Assert.Equal(["INPUT0", "INPUT1"], c.Inputs.Select(i => i.Name));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], c.Outputs.Select(o => o.Name));
        Assert.All(c.Inputs, i => Assert.Equal((TensorDataType.Int32, "FORMAT_NONE", 16L), (i.DataType, i.Format, Assert.Single(i.Dims))));
        Assert.All(c.Outputs, o => Assert.Null(o.Reshape));
        Assert.Empty(ModelConfigValidator.Validate(c, "simple/config.pbtxt"));
    }

    [Fact]
    public void Parse_RichConfig_TopLevelAndTensors()
    {
        var c = ModelConfigText.Parse(ConfigSamples.Rich, "rich.pbtxt");
        Assert.Equal(("rich", "onnxruntime_onnx", "onnxruntime", 16, "model.onnx"), (c.Name, c.Platform, c.Backend, c.MaxBatchSize, c.DefaultModelFilename));
        Assert.Equal(ModelVersionPolicyKind.Specific, c.VersionPolicy.Kind);
        Assert.Equal([1L, 3], c.VersionPolicy.Versions.AsEnumerable());
        Assert.Equal("FORMAT_NCHW", c.Inputs[0].Format);
        Assert.Equal([3L, 224, 224], c.Inputs[0].Dims.AsEnumerable());
        Assert.True(c.Inputs[0].Optional);
        Assert.Equal([2L, -1], c.Inputs[1].Reshape!.Value.AsEnumerable());
        Assert.True(c.Inputs[2].IsShapeTensor);
        Assert.Equal(("labels.txt", TensorDataType.FP16), (c.Outputs[0].LabelFilename, c.Outputs[0].DataType));
        Assert.Equal([10L, 100], c.Outputs[0].Reshape!.Value.AsEnumerable());
        Assert.Equal(("gpus", 2, ModelInstanceKind.Gpu), (c.InstanceGroups[0].Name, c.InstanceGroups[0].Count, c.InstanceGroups[0].Kind));
        Assert.Equal([0, 1], c.InstanceGroups[0].Gpus.AsEnumerable());
        Assert.Equal((3, ModelInstanceKind.Cpu), (c.InstanceGroups[1].Count, c.InstanceGroups[1].Kind));
        Assert.Equal("$TRITON_MODEL_DIRECTORY/env.tar.gz", c.Parameters["EXECUTION_ENV_PATH"]);
        Assert.Equal("2", c.Parameters["intra_op_thread_count"]);
        Assert.True(c.ResponseCache!.Enable);
        Assert.False(c.TransactionPolicy!.Decoupled);
        Assert.Empty(ModelConfigValidator.Validate(c, "rich.pbtxt"));
    }

    [Fact]
    public void Parse_RichConfig_DynamicBatchingWithPriorityMap()
    {
        var db = ModelConfigText.Parse(ConfigSamples.Rich, "rich.pbtxt").DynamicBatching!;
        Assert.Equal([4, 8], db.PreferredBatchSizes.AsEnumerable());
        Assert.Equal((100L, true, 2, 1), (db.MaxQueueDelayMicroseconds, db.PreserveOrdering, db.PriorityLevels, db.DefaultPriorityLevel));
        Assert.Equal(new ModelQueuePolicy { TimeoutAction = TimeoutAction.Delay, DefaultTimeoutMicroseconds = 5000, AllowTimeoutOverride = true, MaxQueueSize = 10 }, db.DefaultQueuePolicy);
        Assert.Equal(new ModelQueuePolicy { TimeoutAction = TimeoutAction.Reject, MaxQueueSize = 4 }, db.PriorityQueuePolicy[1]);
        Assert.Equal(new ModelQueuePolicy { TimeoutAction = TimeoutAction.Delay, DefaultTimeoutMicroseconds = 9_000_000_000 }, db.PriorityQueuePolicy[2]);
    }

    [Fact]
    public void Parse_RichConfig_OptimizationAndWarmup()
    {
        var c = ModelConfigText.Parse(ConfigSamples.Rich, "rich.pbtxt");
        var o = c.Optimization!;
        Assert.Equal((1, ModelOptimization.PriorityMax), (o.GraphLevel, o.Priority));
        var trt = Assert.Single(o.GpuExecutionAccelerators);
        Assert.Equal("tensorrt", trt.Name);
        Assert.Equal("FP16", trt.Parameters["precision_mode"]);
        Assert.Equal("1073741824", trt.Parameters["max_workspace_size_bytes"]);
        Assert.Equal("openvino", Assert.Single(o.CpuExecutionAccelerators).Name);
        var w = Assert.Single(c.ModelWarmup);
        Assert.Equal(("zeros", 4, 2), (w.Name, w.BatchSize, w.Count));
        Assert.True(w.Inputs["IMAGE"].ZeroData);
        Assert.True(w.Inputs["FLAT"].RandomData);
        Assert.Equal("shape.bin", w.Inputs["SHAPE"].InputDataFile);
        Assert.Equal([8L], w.Inputs["FLAT"].Dims.AsEnumerable());
    }

    [Fact]
    public void Parse_SequenceConfig_AllSequenceFields()
    {
        var c = ModelConfigText.Parse(ConfigSamples.Sequence, "seq.pbtxt");
        Assert.Equal(2, c.VersionPolicy.NumVersions);
        var s = c.SequenceBatching!;
        Assert.Equal(5_000_000L, s.MaxSequenceIdleMicroseconds);
        Assert.Equal(["START", "READY", "END", "CORRID"], s.ControlInputs.Select(ci => ci.Name));
        var controls = s.ControlInputs.Select(ci => Assert.Single(ci.Controls)).ToArray();
        Assert.Equal([SequenceControlKind.SequenceStart, SequenceControlKind.SequenceReady, SequenceControlKind.SequenceEnd, SequenceControlKind.SequenceCorrId], controls.Select(x => x.Kind));
        Assert.Equal([0f, 1f], controls[0].Fp32FalseTrue.AsEnumerable());
        Assert.Equal([0, 1], controls[1].Int32FalseTrue.AsEnumerable());
        Assert.Equal([false, true], controls[2].BoolFalseTrue.AsEnumerable());
        Assert.Equal(TensorDataType.UInt64, controls[3].DataType);
        Assert.Null(s.Direct);
        Assert.Equal((4, 100L, true), (s.Oldest!.MaxCandidateSequences, s.Oldest.MaxQueueDelayMicroseconds, s.Oldest.PreserveOrdering));
        Assert.Equal([2, 4], s.Oldest.PreferredBatchSizes.AsEnumerable());
        Assert.Equal(("INPUT_STATE", "OUTPUT_STATE", TensorDataType.FP32), (s.States[0].InputName, s.States[0].OutputName, s.States[0].DataType));
        Assert.Equal([-1L], s.States[0].Dims.AsEnumerable());
        var init = Assert.Single(s.States[0].InitialState);
        Assert.Equal((true, "init", ""), (init.ZeroData, init.Name, init.DataFile));
        Assert.Equal("s2.bin", s.States[1].InitialState[0].DataFile);
        Assert.Empty(ModelConfigValidator.Validate(c, "seq.pbtxt"));
    }
}
