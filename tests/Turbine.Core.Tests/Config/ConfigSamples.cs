namespace Turbine.Core.Tests.Config;

internal static class ConfigSamples
{
    /// <summary>Triton's docs/examples/model_repository/simple/config.pbtxt.</summary>
    public const string Simple = """
        name: "simple"
        platform: "tensorflow_graphdef"
        max_batch_size: 8
        input [
          {
            name: "INPUT0"
            data_type: TYPE_INT32
            dims: [ 16 ]
          },
          {
            name: "INPUT1"
            data_type: TYPE_INT32
            dims: [ 16 ]
          }
        ]
        output [
          {
            name: "OUTPUT0"
            data_type: TYPE_INT32
            dims: [ 16 ]
          },
          {
            name: "OUTPUT1"
            data_type: TYPE_INT32
            dims: [ 16 ]
          }
        ]
        """;

    /// <summary>Every supported field at least once (dynamic batching variant).</summary>
    public const string Rich = """
        # A rich config.
        name: "rich"
        platform: "onnxruntime_onnx"
        backend: "onnxruntime"
        max_batch_size: 16
        version_policy: { specific: { versions: [1, 3] } }
        input {
          name: "IMAGE"
          data_type: TYPE_FP32
          format: FORMAT_NCHW
          dims: [3, 224, 224]
          allow_ragged_batch: false
          optional: true
        }
        input < name: "FLAT" data_type: TYPE_UINT8 dims: [ -1 ] reshape: { shape: [ 2, -1 ] } >
        input { name: "SHAPE" data_type: TYPE_INT64 dims: [2] is_shape_tensor: true }
        output {
          name: "PROB"
          data_type: TYPE_FP16
          dims: [1000]
          label_filename: "labels.txt"
          reshape { shape: [ 10, 100 ] }
        }
        instance_group [ { name: "gpus" count: 2 kind: KIND_GPU gpus: [0, 1] }, { kind: KIND_CPU count: 3 } ]
        default_model_filename: "model.onnx"
        dynamic_batching {
          preferred_batch_size: [4, 8]
          max_queue_delay_microseconds: 100
          preserve_ordering: true
          priority_levels: 2
          default_priority_level: 1
          default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 5000 allow_timeout_override: true max_queue_size: 10 }
          priority_queue_policy { key: 1 value: { timeout_action: REJECT max_queue_size: 4 } }
          priority_queue_policy { key: 2 value: { timeout_action: 1 default_timeout_microseconds: 9000000000 } }
        }
        optimization {
          graph { level: 1 }
          priority: PRIORITY_MAX
          execution_accelerators {
            gpu_execution_accelerator: [ { name: "tensorrt" parameters { key: "precision_mode" value: "FP16" } parameters { key: "max_workspace_size_bytes" value: "1073741824" } } ]
            cpu_execution_accelerator: [ { name: "openvino" } ]
          }
        }
        parameters { key: "EXECUTION_ENV_PATH" value: { string_value: "$TRITON_MODEL_DIRECTORY/env.tar.gz" } }
        parameters: { key: "intra_op_thread_count" value: { string_value: "2" } }
        model_warmup [
          {
            name: "zeros"
            batch_size: 4
            count: 2
            inputs { key: "IMAGE" value: { data_type: TYPE_FP32 dims: [3, 224, 224] zero_data: true } }
            inputs { key: "FLAT" value: { data_type: TYPE_UINT8 dims: [8] random_data: true } }
            inputs { key: "SHAPE" value: { data_type: TYPE_INT64 dims: [2] input_data_file: "shape.bin" } }
          }
        ]
        response_cache { enable: true }
        model_transaction_policy { decoupled: false }
        """;

    /// <summary>A sequence model exercising every sequence_batching field.</summary>
    public const string Sequence = """
        name: "seq"
        backend: "python"
        max_batch_size: 4
        version_policy { latest { num_versions: 2 } }
        input { name: "IN" data_type: TYPE_INT32 dims: [1] }
        output { name: "OUT" data_type: TYPE_INT32 dims: [1] }
        sequence_batching {
          max_sequence_idle_microseconds: 5000000
          control_input [
            { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [0, 1] } ] },
            { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY int32_false_true: [0, 1] } ] },
            { name: "END" control { kind: CONTROL_SEQUENCE_END bool_false_true: [false, true] } },
            { name: "CORRID" control { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } }
          ]
          oldest { max_candidate_sequences: 4 preferred_batch_size: [2, 4] max_queue_delay_microseconds: 100 preserve_ordering: true }
          state {
            input_name: "INPUT_STATE"
            output_name: "OUTPUT_STATE"
            data_type: TYPE_FP32
            dims: [-1]
            initial_state { data_type: TYPE_FP32 dims: [1] zero_data: true name: "init" }
          }
          state { input_name: "S2" output_name: "S2_OUT" data_type: TYPE_INT32 dims: [1] initial_state { data_type: TYPE_INT32 dims: [1] data_file: "s2.bin" name: "from_file" } }
        }
        model_warmup { name: "w" batch_size: 1 inputs { key: "INPUT_STATE" value { data_type: TYPE_FP32 dims: [1] zero_data: true } } }
        """;
}
