using Turbine.Control.Specs;

namespace Turbine.Control.Tests.Specs;

public sealed class InferenceServiceParserTests
{
    private static DeploymentSpec ParseValid(string yaml)
    {
        var result = InferenceServiceParser.Parse(yaml, "isvc.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Spec!;
    }

    private static IReadOnlyList<SpecDiagnostic> ParseErrors(string yaml)
    {
        var result = InferenceServiceParser.Parse(yaml, "isvc.yaml");
        Assert.False(result.Succeeded);
        Assert.Null(result.Spec);
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    private static string Manifest(string predictor, string metadataExtra = "") => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: m1
        {metadataExtra}spec:
          predictor:
        {predictor}
        """;

    private const string Model = """
            model:
              modelFormat:
                name: onnx
              storageUri: registry://fraud:3
        """;

    [Fact]
    public void Parse_KServeOnnxExample_ReturnsSpecWithKServeDefaults()
    {
        var spec = ParseValid(SpecManifests.KServeOnnxExample);

        Assert.Equal("style-sample", spec.Name);
        Assert.Empty(spec.Annotations);
        Assert.Equal(1, spec.Predictor.MinReplicas);
        Assert.Equal(0, spec.Predictor.MaxReplicas);
        Assert.Null(spec.Predictor.ScaleTarget);
        Assert.Equal(ScaleMetric.Concurrency, spec.Predictor.ScaleMetric);
        Assert.Equal(0, spec.Predictor.ContainerConcurrency);
        Assert.Null(spec.Predictor.CanaryTrafficPercent);
        Assert.Null(spec.Predictor.Timeout);
        Assert.Equal(ModelFormat.Onnx, spec.Predictor.Model.Format);
        Assert.Null(spec.Predictor.Model.Runtime);
        var s3 = Assert.IsType<S3StorageUri>(spec.Predictor.Model.StorageUri);
        Assert.Equal("kfserving-examples", s3.Bucket);
        Assert.Equal("models/onnx", s3.Key);
        Assert.Same(TurbineSettings.Default, spec.Turbine);
    }

    [Fact]
    public void Parse_FullManifest_ReadsEveryField()
    {
        var result = InferenceServiceParser.Parse(SpecManifests.Full, "isvc.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var spec = result.Spec!;

        Assert.Equal("fraud", spec.Name);
        Assert.Equal(new PredictorSpec
        {
            MinReplicas = 0,
            MaxReplicas = 4,
            ScaleTarget = 8,
            ScaleMetric = ScaleMetric.Rps,
            ContainerConcurrency = 16,
            CanaryTrafficPercent = 10,
            Timeout = TimeSpan.FromSeconds(30),
            Model = spec.Predictor.Model,
        }, spec.Predictor);
        Assert.Equal(ModelFormat.Triton, spec.Predictor.Model.Format);
        Assert.Equal("2", spec.Predictor.Model.FormatVersion);
        Assert.Equal("kserve-tritonserver", spec.Predictor.Model.Runtime);
        var registry = Assert.IsType<RegistryStorageUri>(spec.Predictor.Model.StorageUri);
        Assert.Equal("fraud@Production", registry.Reference);
        Assert.Equal("Serverless", spec.Annotations["serving.kserve.io/deploymentMode"]);
        Assert.Equal("5,25,100", spec.Annotations[TurbineAnnotations.CanarySteps]);
        Assert.Equal(8, spec.Annotations.Count);
    }

    [Fact]
    public void Parse_KubernetesOnlyFields_WarnsOncePerFieldWithPosition()
    {
        var result = InferenceServiceParser.Parse(SpecManifests.Full, "isvc.yaml");

        Assert.True(result.Succeeded);
        var warnings = result.Warnings.Select(w => $"{w.Line}:{w.Column} {w.Path}").ToList();
        Assert.Equal(
            [
                "5:3 metadata.namespace", "6:3 metadata.labels", "26:5 spec.predictor.serviceAccountName",
                "27:5 spec.predictor.nodeSelector", "29:5 spec.predictor.tolerations", "38:7 spec.predictor.model.resources",
            ],
            warnings);
        Assert.All(result.Warnings, w => Assert.Contains("ignored on this runtime", w.Message, StringComparison.Ordinal));
        Assert.Equal("isvc.yaml:27:5: spec.predictor.nodeSelector: ignored on this runtime: a Kubernetes pod field", result.Warnings[3].ToString());
    }

    [Fact]
    public void Parse_SameIgnoredFieldTwice_WarnsOnce()
    {
        // The pod's and the container's 'resources' are different fields (different reasons): each warns once.
        var yaml = Manifest("""
                resources: {limits: {cpu: "1"}}
                securityContext: {runAsUser: 1000}
                model:
                  modelFormat: {name: onnx}
                  storageUri: registry://fraud:3
                  resources: {limits: {cpu: "1"}}
                  securityContext: {runAsUser: 1000}
            """);

        var result = InferenceServiceParser.Parse(yaml, "isvc.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(
            ["spec.predictor.resources", "spec.predictor.securityContext", "spec.predictor.model.resources", "spec.predictor.model.securityContext"],
            result.Warnings.Select(w => w.Path));
    }

    [Fact]
    public void Parse_DocumentStartMarkerAndComments_Accepted()
    {
        var spec = ParseValid("# deployed by CI\n---\n" + SpecManifests.TritonFile);

        Assert.Equal("densenet", spec.Name);
        Assert.Equal("/srv/models/densenet", Assert.IsType<FileStorageUri>(spec.Predictor.Model.StorageUri).Path);
    }

    [Theory]
    [InlineData("apiVersion: serving.kserve.io/v1alpha1", "1:13", "apiVersion: expected serving.kserve.io/v1beta1, got 'serving.kserve.io/v1alpha1'")]
    [InlineData("apiVersion: v1", "1:13", "apiVersion: expected serving.kserve.io/v1beta1, got 'v1'")]
    public void Parse_WrongApiVersion_ReportsValuePosition(string line, string position, string message)
    {
        var yaml = SpecManifests.TritonFile.Replace("apiVersion: serving.kserve.io/v1beta1", line, StringComparison.Ordinal);

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal($"isvc.yaml:{position}: {message}", error.ToString());
    }

    [Fact]
    public void Parse_WrongKind_ReportsValuePosition()
    {
        var yaml = SpecManifests.TritonFile.Replace("kind: InferenceService", "kind: ServingRuntime", StringComparison.Ordinal);

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal("isvc.yaml:2:7: kind: expected InferenceService, got 'ServingRuntime'", error.ToString());
    }

    [Fact]
    public void Parse_MissingApiVersionKindMetadataSpec_ReportsEach()
    {
        var errors = ParseErrors("foo: 1\n");

        Assert.Equal(
            ["1:1 foo", "1:1 apiVersion", "1:1 kind", "1:1 metadata", "1:1 spec"],
            errors.Select(e => $"{e.Line}:{e.Column} {e.Path}"));
    }

    [Theory]
    [InlineData("Fraud")]
    [InlineData("1fraud")]
    [InlineData("fraud-")]
    [InlineData("fraud_model")]
    [InlineData("fraud.model")]
    [InlineData("\"\"")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Parse_NameNotDns1123Label_ReportsError(string name)
    {
        var yaml = SpecManifests.TritonFile.Replace("name: densenet", "name: " + name, StringComparison.Ordinal);

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal((4, 9, "metadata.name"), (error.Line, error.Column, error.Path));
        Assert.Contains("DNS-1123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameOf63Characters_Accepted()
    {
        var name = "a" + new string('b', 62);

        var spec = ParseValid(SpecManifests.TritonFile.Replace("name: densenet", "name: " + name, StringComparison.Ordinal));

        Assert.Equal(name, spec.Name);
    }

    [Fact]
    public void Parse_UnknownFieldsEverywhere_ReportsEachWithLineAndColumn()
    {
        const string yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            extra: 1
            metadata:
              name: m1
              nmae: typo
            spec:
              predictor:
                minReplica: 1
                model:
                  modelFormat:
                    name: onnx
                    flavour: x
                  storageUri: registry://fraud:3
                  storageURI: registry://fraud:4
            """;

        var errors = ParseErrors(yaml);

        Assert.Equal(
            [
                "isvc.yaml:3:1: extra: unknown field 'extra'; expected one of apiVersion, kind, metadata, spec",
                "isvc.yaml:6:3: metadata.nmae: unknown field 'nmae'; expected one of name, annotations",
                "isvc.yaml:9:5: spec.predictor.minReplica: unknown field 'minReplica'; expected one of model, minReplicas, maxReplicas, scaleTarget, scaleMetric, containerConcurrency, canaryTrafficPercent, timeout",
                "isvc.yaml:13:9: spec.predictor.model.modelFormat.flavour: unknown field 'flavour'; expected one of name, version",
                "isvc.yaml:15:7: spec.predictor.model.storageURI: unknown field 'storageURI'; expected one of modelFormat, storageUri, runtime, protocolVersion",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_SeveralBadValues_ReportsAllAtOnce()
    {
        var yaml = Manifest("""
                minReplicas: -1
                maxReplicas: "3"
                scaleTarget: 0
                scaleMetric: gpu
                containerConcurrency: -2
                canaryTrafficPercent: 101
                timeout: 0
                model:
                  modelFormat: {name: sklearn}
                  storageUri: gs://bucket/model
            """);

        var errors = ParseErrors(yaml);

        Assert.Equal(
            [
                "7:18 spec.predictor.minReplicas: must be at least 0, got -1",
                "8:18 spec.predictor.maxReplicas: expected an integer, got the string '3'",
                "9:18 spec.predictor.scaleTarget: must be at least 1, got 0",
                "10:18 spec.predictor.scaleMetric: unknown scaleMetric 'gpu'; expected one of concurrency, rps, cpu, memory",
                "11:27 spec.predictor.containerConcurrency: must be at least 0, got -2",
                "12:27 spec.predictor.canaryTrafficPercent: must be between 0 and 100, got 101",
                "13:14 spec.predictor.timeout: must be between 1 and 86400, got 0",
                "15:27 spec.predictor.model.modelFormat.name: model format 'sklearn' is not served by Turbine; expected onnx or triton",
                "16:19 spec.predictor.model.storageUri: storageUri scheme 'gs' is not supported; use registry://, file:// or s3://",
            ],
            errors.Select(e => $"{e.Line}:{e.Column} {e.Path}: {e.Message}"));
    }

    [Fact]
    public void Parse_MinAboveMax_ReportsAtMinReplicas()
    {
        var error = Assert.Single(ParseErrors(Manifest("    minReplicas: 5\n    maxReplicas: 2\n" + Model)));

        Assert.Equal("isvc.yaml:7:18: spec.predictor.minReplicas: minReplicas (5) is greater than maxReplicas (2); maxReplicas 0 means no upper bound", error.ToString());
    }

    [Fact]
    public void Parse_MinWithUnboundedMax_Accepted()
    {
        var spec = ParseValid(Manifest("    minReplicas: 5\n    maxReplicas: 0\n" + Model));

        Assert.Equal((5, 0), (spec.Predictor.MinReplicas, spec.Predictor.MaxReplicas));
    }

    [Theory]
    [InlineData("concurrency", ScaleMetric.Concurrency)]
    [InlineData("rps", ScaleMetric.Rps)]
    [InlineData("cpu", ScaleMetric.Cpu)]
    [InlineData("memory", ScaleMetric.Memory)]
    public void Parse_ScaleMetric_ReadsEachKServeValue(string text, ScaleMetric expected)
    {
        var spec = ParseValid(Manifest($"    scaleMetric: {text}\n" + Model));

        Assert.Equal(expected, spec.Predictor.ScaleMetric);
    }

    [Theory]
    [InlineData("ONNX", ModelFormat.Onnx)]
    [InlineData("Triton", ModelFormat.Triton)]
    public void Parse_ModelFormatName_CaseInsensitive(string name, ModelFormat expected)
    {
        var spec = ParseValid(Manifest(Model.Replace("name: onnx", "name: " + name, StringComparison.Ordinal)));

        Assert.Equal(expected, spec.Predictor.Model.Format);
    }

    [Fact]
    public void Parse_ScaleToZero_MinReplicasZero()
    {
        var spec = ParseValid(Manifest("    minReplicas: 0\n" + Model));

        Assert.Equal(0, spec.Predictor.MinReplicas);
    }

    [Fact]
    public void Parse_NoModel_ReportsRequired()
    {
        var error = Assert.Single(ParseErrors(Manifest("    minReplicas: 1")));

        Assert.Equal("isvc.yaml:7:5: spec.predictor.model: spec.predictor.model is required: one model with modelFormat.name and storageUri", error.ToString());
    }

    [Fact]
    public void Parse_FrameworkPredictorForm_RefusedWithHint()
    {
        var errors = ParseErrors(Manifest("    onnx:\n      storageUri: s3://bucket/m\n" + Model));

        var error = Assert.Single(errors);
        Assert.Equal((7, 5, "spec.predictor.onnx"), (error.Line, error.Column, error.Path));
        Assert.Contains("write predictor.model with modelFormat.name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Transformer_Refused()
    {
        const string yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: m1
            spec:
              transformer:
                containers: []
              predictor:
                model:
                  modelFormat: {name: onnx}
                  storageUri: registry://fraud:3
            """;

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal("isvc.yaml:6:3: spec.transformer: a transformer is not supported by Turbine: it serves the predictor only", error.ToString());
    }

    [Fact]
    public void Parse_MissingModelFormatAndStorageUri_ReportsBoth()
    {
        var errors = ParseErrors(Manifest("    model:\n      runtime: r1\n"));

        Assert.Equal(
            ["spec.predictor.model.modelFormat", "spec.predictor.model.storageUri"],
            errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Equal((8, 7), (e.Line, e.Column)));
    }

    [Fact]
    public void Parse_ProtocolV1_Refused()
    {
        var error = Assert.Single(ParseErrors(Manifest(Model + "\n      protocolVersion: v1\n")));

        Assert.Equal("spec.predictor.model.protocolVersion", error.Path);
        Assert.Contains("v2 or grpc-v2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongShapes_ReportsExpectedType()
    {
        const string yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: [InferenceService]
            metadata: m1
            spec:
              predictor: []
            """;

        Assert.Equal(
            [
                "2:7 kind: expected a string, got a list",
                "3:11 metadata: expected a mapping, got 'm1'",
                "5:14 spec.predictor: expected a mapping, got a list",
            ],
            ParseErrors(yaml).Select(e => $"{e.Line}:{e.Column} {e.Path}: {e.Message}"));
    }

    [Fact]
    public void Parse_SyntaxError_ReportsPosition()
    {
        var error = Assert.Single(ParseErrors("apiVersion: serving.kserve.io/v1beta1\nkind: [InferenceService\n"));

        Assert.StartsWith("isvc.yaml:3:1: While parsing a flow sequence", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_ReportsError()
    {
        var yaml = SpecManifests.TritonFile + "\nkind: InferenceService\n";

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal("isvc.yaml:12:1: Duplicate key kind", error.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void Parse_EmptyDocument_ReportsEmpty(string yaml)
    {
        var error = Assert.Single(ParseErrors(yaml));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoDocuments_RefusedAtTheSecond()
    {
        var yaml = SpecManifests.TritonFile + "\n---\n" + SpecManifests.TritonFile;

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal(12, error.Line);
        Assert.Contains("one InferenceService per file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AnchorsAndAliases_Refused()
    {
        var yaml = Manifest("""
                model: &m
                  modelFormat: {name: onnx}
                  storageUri: registry://fraud:3
                extra: *m
            """);

        var errors = ParseErrors(yaml);

        Assert.Equal(
            ["7:12 YAML anchors (&m) are not allowed: write the value out", "10:12 YAML aliases (*m) are not allowed: write the value out"],
            errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"));
    }

    [Fact]
    public void Parse_BillionLaughs_RefusedBeforeExpansion()
    {
        var lines = new List<string> { "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]" };
        for (var i = 1; i < 12; i++)
        {
            var prev = (char)('a' + i - 1);
            lines.Add($"{(char)('a' + i)}: &{(char)('a' + i)} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]");
        }

        var errors = ParseErrors(string.Join("\n", lines));

        Assert.Equal(SpecReader.MaxErrors + 1, errors.Count);
        Assert.Contains("YAML anchors (&a) are not allowed", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("stopped reporting", errors[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverOneMebibyte_RefusedBeforeParsing()
    {
        var yaml = SpecManifests.TritonFile + "\n# " + new string('x', InferenceServiceParser.MaxDocumentBytes);

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Equal("isvc.yaml:1:1: the document has " + System.Text.Encoding.UTF8.GetByteCount(yaml) + " bytes; the limit is 1048576 (1 MiB)", error.ToString());
    }

    [Fact]
    public void Parse_DeepNesting_Refused()
    {
        var yaml = Manifest(Model + "\n      env: " + new string('[', 100) + new string(']', 100) + "\n");

        var error = Assert.Single(ParseErrors(yaml));

        Assert.Contains("nests deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DocsExample_IsTheOneInControlSpecMd_AndParses()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Turbine.slnx")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        var doc = File.ReadAllText(Path.Combine(folder.FullName, "docs", "control-spec.md"));
        var start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var example = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];

        Assert.Equal(SpecManifests.DocsExample.Trim(), example.Trim());
        var spec = ParseValid(example);
        Assert.Equal("fraud@Production", Assert.IsType<RegistryStorageUri>(spec.Predictor.Model.StorageUri).Reference);
        Assert.Equal(0, spec.Predictor.MinReplicas);
    }

    [Fact]
    public void Parse_StatusFromKubectlGet_WarnedAndIgnored()
    {
        var result = InferenceServiceParser.Parse(SpecManifests.TritonFile + "\nstatus:\n  url: http://densenet.default.example.com\n", "isvc.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("isvc.yaml:12:1: status: ignored on this runtime: written by the controller, not by the user", warning.ToString());
    }

    [Fact]
    public void Parse_NullOptionalFields_TreatedAsUnset()
    {
        var spec = ParseValid(Manifest("    minReplicas:\n    timeout: ~\n" + Model));

        Assert.Equal(1, spec.Predictor.MinReplicas);
        Assert.Null(spec.Predictor.Timeout);
    }
}
