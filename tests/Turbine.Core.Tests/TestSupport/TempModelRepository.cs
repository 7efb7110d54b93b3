using Turbine.Samples;

namespace Turbine.Core.Tests.TestSupport;

/// <summary>A model repository of sample models in a fresh temp directory, deleted on dispose.</summary>
internal sealed class TempModelRepository : IDisposable
{
    public TempModelRepository(params string[] models)
    {
        Root = Path.Combine(Path.GetTempPath(), "turbine-core-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        foreach (var model in models)
        {
            AddModel(model);
        }
    }

    public string Root { get; }

    public string ModelDir(string model) => Path.Combine(Root, model);

    public string VersionDir(string model, long version) => Path.Combine(Root, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void AddModel(string model) => SampleRepository.CreateModel(Root, model);

    public void RemoveModel(string model) => Directory.Delete(ModelDir(model), recursive: true);

    /// <summary>Copies version folder 1 to each of <paramref name="versions"/>.</summary>
    public void AddVersions(string model, params long[] versions)
    {
        foreach (var version in versions)
        {
            var target = VersionDir(model, version);
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(VersionDir(model, 1)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }
    }

    public void AppendConfig(string model, string text) => File.AppendAllText(Path.Combine(ModelDir(model), "config.pbtxt"), "\n" + text + "\n");

    public void WriteConfig(string model, string text) => File.WriteAllText(Path.Combine(ModelDir(model), "config.pbtxt"), text);

    public void CorruptModelFile(string model, long version) =>
        File.WriteAllBytes(Path.Combine(VersionDir(model, version), "model.onnx"), "not an onnx model at all"u8.ToArray());

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
