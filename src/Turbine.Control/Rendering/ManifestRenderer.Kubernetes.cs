using System.Text.Json.Nodes;
using Turbine.Control.Specs;
using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Rendering;

/// <summary><see cref="RenderTarget.Kubernetes"/>: Deployment, Service, autoscaler, PodMonitor, gateway route ConfigMap.</summary>
public static partial class ManifestRenderer
{
    /// <summary>The ConfigMap key that holds the gateway config (mount it and run <c>turbine gateway --config …/gateway.yaml</c>).</summary>
    public const string GatewayConfigKey = "gateway.yaml";

    private static void RenderKubernetes(Context c)
    {
        var spec = c.Spec;
        var predictor = spec.Predictor;
        var ns = c.Options.Namespace;
        var container = new JsonObject { ["name"] = "turbine", ["image"] = c.Options.Image };
        var volumes = new JsonArray(TurbineContainer.TmpVolume());
        var mounts = new JsonArray(TurbineContainer.Mount("tmp", "/tmp"));
        JsonArray? initContainers = null;
        JsonArray? env = null;
        switch (predictor.Model.StorageUri)
        {
            case FileStorageUri file:
                container["args"] = TurbineContainer.ServeArgs("--model-repository", file.Path);
                c.Note($"spec.predictor.model.storageUri: '{file.Original}' is served from {file.Path} inside the container: bake the models into the image or mount a volume there");
                break;
            case S3StorageUri s3:
                container["args"] = TurbineContainer.ServeArgs("--model-repository", TurbineContainer.ModelMountPath);
                volumes.Add(new JsonObject { ["name"] = "models", ["emptyDir"] = new JsonObject() });
                mounts.Add(TurbineContainer.Mount("models", TurbineContainer.ModelMountPath, readOnly: true));
                initContainers = [StorageInitializer(c, s3)];
                break;
            case RegistryStorageUri registry:
                if (c.Options.RegistryUrl is not { } url)
                {
                    c.Error($"spec.predictor.model.storageUri: '{registry.Original}' needs --registry-url: the registry the server pulls from inside the cluster");
                    return;
                }

                container["args"] = TurbineContainer.ServeArgs("--registry", url.ToString(), "--model", registry.Reference,
                    "--registry-cache", "/var/cache/turbine");
                volumes.Add(new JsonObject { ["name"] = "registry-cache", ["emptyDir"] = new JsonObject() });
                mounts.Add(TurbineContainer.Mount("registry-cache", "/var/cache/turbine"));
                if (c.Options.RegistryTokenSecret is { } secret)
                {
                    env = [SecretEnv("TURBINE_REGISTRY_TOKEN", secret, "token")];
                }

                break;
        }

        container["ports"] = new JsonArray(
            TurbineContainer.Port("http", TurbineContainer.HttpPort),
            TurbineContainer.Port("grpc", TurbineContainer.GrpcPort),
            TurbineContainer.Port("metrics", TurbineContainer.MetricsPort));
        if (env is not null)
        {
            container["env"] = env;
        }

        container["resources"] = TurbineContainer.Resources("1", "2Gi", "4Gi");
        container["securityContext"] = TurbineContainer.SecurityContext();
        container["volumeMounts"] = mounts;
        TurbineContainer.AddProbes(container);

        var selector = new JsonObject { ["app.kubernetes.io/name"] = "turbine", ["app.kubernetes.io/instance"] = spec.Name };
        var podAnnotations = c.PlainAnnotations();
        foreach (var (key, value) in TurbineContainer.PrometheusAnnotations())
        {
            podAnnotations[key] = value!.DeepClone();
        }

        var podSpec = new JsonObject
        {
            ["securityContext"] = TurbineContainer.PodSecurityContext(),
            ["terminationGracePeriodSeconds"] = 45,
        };
        if (initContainers is not null)
        {
            podSpec["initContainers"] = initContainers;
        }

        podSpec["containers"] = new JsonArray(container);
        podSpec["volumes"] = volumes;

        var deploymentMetadata = TurbineContainer.Metadata(spec.Name, ns, c.Labels("server"));
        if (c.PlainAnnotations() is { Count: > 0 } annotations)
        {
            deploymentMetadata["annotations"] = annotations;
        }

        c.Objects.Add(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = deploymentMetadata,
            ["spec"] = new JsonObject
            {
                ["replicas"] = predictor.MinReplicas,
                ["selector"] = new JsonObject { ["matchLabels"] = selector.DeepClone() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = c.Labels("server"), ["annotations"] = podAnnotations },
                    ["spec"] = podSpec,
                },
            },
        });

        c.Objects.Add(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = TurbineContainer.Metadata(spec.Name, ns, c.Labels("server")),
            ["spec"] = new JsonObject
            {
                ["selector"] = selector.DeepClone(),
                ["ports"] = new JsonArray(
                    ServicePort("http", TurbineContainer.HttpPort, null),
                    ServicePort("grpc", TurbineContainer.GrpcPort, "kubernetes.io/h2c"),
                    ServicePort("metrics", TurbineContainer.MetricsPort, null)),
            },
        });

        RenderScaler(c);
        c.Objects.Add(new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "PodMonitor",
            ["metadata"] = TurbineContainer.Metadata(spec.Name, ns, c.Labels("server")),
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = selector.DeepClone() },
                ["podMetricsEndpoints"] = new JsonArray(new JsonObject { ["port"] = "metrics", ["path"] = "/metrics", ["interval"] = "15s" }),
            },
        });
        c.Objects.Add(GatewayRoutes(c));

        if (predictor.ContainerConcurrency > 0)
        {
            c.Note("spec.predictor.containerConcurrency: not enforced per pod (the gateway reaches the pods through one Service); it only sets the default autoscaling target (× 0.7)");
        }

        if (predictor.CanaryTrafficPercent is not null)
        {
            c.Note("spec.predictor.canaryTrafficPercent: not rendered; plain Kubernetes has no traffic split: use --target kserve, or run the control plane for canary rollouts");
        }

        if (predictor.Timeout is not null)
        {
            c.Note("spec.predictor.timeout: not rendered; set the timeout in the client or an ingress in front of the gateway");
        }

        c.NoteTurbineAnnotations(except: TurbineAnnotations.ScaleToZeroGrace,
            "plain Kubernetes objects have no rollout analysis or activator queue: those run in the control plane");
    }

    private static JsonObject StorageInitializer(Context c, S3StorageUri s3)
    {
        var init = new JsonObject
        {
            ["name"] = "storage-initializer",
            ["image"] = c.Options.StorageInitializerImage,
            ["args"] = TurbineContainer.Strings([s3.Original, TurbineContainer.ModelMountPath]),
        };
        if (c.Options.S3Secret is { } secret)
        {
            init["envFrom"] = new JsonArray(new JsonObject { ["secretRef"] = new JsonObject { ["name"] = secret } });
        }
        else
        {
            c.Note($"spec.predictor.model.storageUri: '{s3.Original}' is fetched without credentials; give --s3-secret NAME (a Secret with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_ENDPOINT …) for a private bucket");
        }

        init["resources"] = TurbineContainer.Resources("100m", "256Mi", "1Gi");
        init["securityContext"] = TurbineContainer.SecurityContext();
        init["volumeMounts"] = new JsonArray(TurbineContainer.Mount("models", TurbineContainer.ModelMountPath), TurbineContainer.Mount("tmp", "/tmp"));
        return init;
    }

    /// <summary>
    /// The gateway's route for the deployment: a pool with the Service as its one replica (kube-proxy spreads over the
    /// pods) and a route for the model named like the deployment, in the gateway's own config format.
    /// </summary>
    private static JsonObject GatewayRoutes(Context c)
    {
        var name = c.Spec.Name;
        var host = c.Options.Namespace is { } ns ? $"{name}.{ns}.svc" : name;
        var replica = new YamlMappingNode(
            new YamlScalarNode("http"), new YamlScalarNode($"http://{host}:{TurbineContainer.HttpPort}"),
            new YamlScalarNode("grpc"), new YamlScalarNode($"http://{host}:{TurbineContainer.GrpcPort}"));
        var config = new YamlMappingNode(
            new YamlScalarNode("pools"), new YamlMappingNode(
                new YamlScalarNode(name), new YamlMappingNode(new YamlScalarNode("replicas"), new YamlSequenceNode(replica))),
            new YamlScalarNode("models"), new YamlMappingNode(
                new YamlScalarNode(name), new YamlMappingNode(new YamlScalarNode("pool"), new YamlScalarNode(name))));
        c.Note($"gateway routes: model '{name}' goes to the Service; a Triton repository serving other model names needs one route per model in {GatewayConfigKey}");
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = TurbineContainer.Metadata(name + "-gateway-routes", c.Options.Namespace, c.Labels("gateway")),
            ["data"] = new JsonObject { [GatewayConfigKey] = ManifestYaml.Write(config) },
        };
    }

    private static JsonObject ServicePort(string name, int port, string? appProtocol)
    {
        var node = new JsonObject { ["name"] = name, ["port"] = port, ["targetPort"] = name, ["protocol"] = "TCP" };
        if (appProtocol is not null)
        {
            node["appProtocol"] = appProtocol;
        }

        return node;
    }

    private static JsonObject SecretEnv(string variable, string secret, string key) => new()
    {
        ["name"] = variable,
        ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secret, ["key"] = key } },
    };
}
