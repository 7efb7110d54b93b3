using System.Text.Json;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

public static partial class ModelConfigJson
{
    private static void WriteSequenceBatching(Utf8JsonWriter w, ModelSequenceBatching s)
    {
        w.WriteStartObject();
        w.WriteNumber("max_sequence_idle_microseconds", s.MaxSequenceIdleMicroseconds);
        WriteArray(w, "control_input", s.ControlInputs, (w2, c) =>
        {
            w2.WriteString("name", c.Name);
            WriteArray(w2, "control", c.Controls, WriteControl);
        });
        if (s.Direct is { } d)
        {
            w.WriteStartObject("direct");
            w.WriteNumber("max_queue_delay_microseconds", d.MaxQueueDelayMicroseconds);
            w.WritePropertyName("minimum_slot_utilization");
            WriteFloat(w, d.MinimumSlotUtilization);
            w.WriteEndObject();
        }

        if (s.Oldest is { } o)
        {
            w.WriteStartObject("oldest");
            w.WriteNumber("max_candidate_sequences", o.MaxCandidateSequences);
            WriteNumbers(w, "preferred_batch_size", o.PreferredBatchSizes);
            w.WriteNumber("max_queue_delay_microseconds", o.MaxQueueDelayMicroseconds);
            w.WriteBoolean("preserve_ordering", o.PreserveOrdering);
            w.WriteEndObject();
        }

        WriteArray(w, "state", s.States, WriteState);
        w.WriteEndObject();
    }

    private static void WriteControl(Utf8JsonWriter w, SequenceControl c)
    {
        w.WriteString("kind", ConfigEnum.ControlKind.NameOf((int)c.Kind));
        WriteNumbers(w, "int32_false_true", c.Int32FalseTrue);
        WriteNumbers(w, "fp32_false_true", c.Fp32FalseTrue);
        WriteNumbers(w, "bool_false_true", c.BoolFalseTrue);
        w.WriteString("data_type", c.DataType.ToConfigName());
    }

    private static void WriteState(Utf8JsonWriter w, SequenceState s)
    {
        w.WriteString("input_name", s.InputName);
        w.WriteString("output_name", s.OutputName);
        w.WriteString("data_type", s.DataType.ToConfigName());
        WriteNumbers(w, "dims", s.Dims);
        WriteArray(w, "initial_state", s.InitialState, (w2, i) =>
        {
            w2.WriteString("data_type", i.DataType.ToConfigName());
            WriteNumbers(w2, "dims", i.Dims);
            if (i.DataFile.Length > 0)
            {
                w2.WriteString("data_file", i.DataFile);
            }
            else
            {
                w2.WriteBoolean("zero_data", i.ZeroData);
            }

            w2.WriteString("name", i.Name);
        });
    }

    private static void WriteOptimization(Utf8JsonWriter w, ModelOptimization o)
    {
        w.WriteStartObject();
        w.WriteStartObject("graph");
        w.WriteNumber("level", o.GraphLevel);
        w.WriteEndObject();
        w.WriteString("priority", ConfigEnum.Priority.NameOf(o.Priority));
        w.WriteStartObject("execution_accelerators");
        WriteArray(w, "gpu_execution_accelerator", o.GpuExecutionAccelerators, WriteAccelerator);
        WriteArray(w, "cpu_execution_accelerator", o.CpuExecutionAccelerators, WriteAccelerator);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteAccelerator(Utf8JsonWriter w, ExecutionAccelerator a)
    {
        w.WriteString("name", a.Name);
        WriteMap(w, "parameters", a.Parameters, (w2, v) => w2.WriteStringValue(v));
    }

    private static void WriteWarmup(Utf8JsonWriter w, ModelWarmup m)
    {
        w.WriteString("name", m.Name);
        w.WriteNumber("batch_size", m.BatchSize);
        WriteMap(w, "inputs", m.Inputs, (w2, i) =>
        {
            w2.WriteStartObject();
            w2.WriteString("data_type", i.DataType.ToConfigName());
            WriteNumbers(w2, "dims", i.Dims);
            if (i.ZeroData)
            {
                w2.WriteBoolean("zero_data", true);
            }

            if (i.RandomData)
            {
                w2.WriteBoolean("random_data", true);
            }

            if (i.InputDataFile.Length > 0)
            {
                w2.WriteString("input_data_file", i.InputDataFile);
            }

            w2.WriteEndObject();
        });
        w.WriteNumber("count", m.Count);
    }
}
