namespace Turbine.Control.Tests.Specs;

/// <summary>InferenceService manifests shared by the parser and CRD-schema tests. The valid ones are written as for KServe.</summary>
internal static class SpecManifests
{
    /// <summary>The shape of KServe's own ONNX example (docs: "Deploy InferenceService with ONNX model").</summary>
    public const string KServeOnnxExample = """
        apiVersion: "serving.kserve.io/v1beta1"
        kind: "InferenceService"
        metadata:
          name: "style-sample"
        spec:
          predictor:
            model:
              protocolVersion: v2
              modelFormat:
                name: onnx
              storageUri: "s3://kfserving-examples/models/onnx"
        """;

    /// <summary>Every field Turbine reads, plus Kubernetes-only fields it ignores.</summary>
    public const string Full = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: fraud
          namespace: models
          labels:
            team: risk
          annotations:
            serving.kserve.io/deploymentMode: Serverless
            turbine.dev/canary-steps: "5,25,100"
            turbine.dev/analysis-window: 2m
            turbine.dev/max-error-rate: "0.02"
            turbine.dev/max-p99-latency-ratio: "1.25"
            turbine.dev/activator-queue-size: "250"
            turbine.dev/activator-max-wait: 45s
            turbine.dev/scale-to-zero-grace: 90s
        spec:
          predictor:
            minReplicas: 0
            maxReplicas: 4
            scaleTarget: 8
            scaleMetric: rps
            containerConcurrency: 16
            canaryTrafficPercent: 10
            timeout: 30
            serviceAccountName: sa
            nodeSelector:
              gpu: "true"
            tolerations:
              - key: nvidia.com/gpu
                operator: Exists
            model:
              modelFormat:
                name: triton
                version: "2"
              runtime: kserve-tritonserver
              storageUri: registry://fraud@production
              resources:
                limits:
                  cpu: "1"
                  memory: 2Gi
        """;

    /// <summary>A Triton repository on disk.</summary>
    public const string TritonFile = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: densenet
        spec:
          predictor:
            minReplicas: 1
            model:
              modelFormat:
                name: triton
              storageUri: file:///srv/models/densenet
        """;

    /// <summary>The example in docs/control-spec.md, kept in step with it.</summary>
    public const string DocsExample = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: fraud
          annotations:
            turbine.dev/canary-steps: "10,50,100"
            turbine.dev/analysis-window: 2m
            turbine.dev/max-error-rate: "0.01"
        spec:
          predictor:
            minReplicas: 0          # scale to zero when idle
            maxReplicas: 4
            scaleMetric: concurrency
            scaleTarget: 8
            containerConcurrency: 16
            timeout: 30
            resources:              # Kubernetes-only: accepted, reported once as ignored
              limits: {cpu: "2"}
            model:
              modelFormat:
                name: onnx
              storageUri: registry://fraud@production
        """;

    public static IEnumerable<string> Valid => [KServeOnnxExample, Full, TritonFile, DocsExample];
}
