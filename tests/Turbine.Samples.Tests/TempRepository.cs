namespace Turbine.Samples.Tests;

/// <summary>A sample repository created in a fresh temp directory, deleted on dispose.</summary>
public sealed class TempRepository : IDisposable
{
    public TempRepository()
    {
        Directory = Path.Combine(Path.GetTempPath(), "turbine-samples-" + Guid.NewGuid().ToString("N"));
        SampleRepository.Create(Directory);
    }

    public string Directory { get; }

    public string ModelPath(string model) => Path.Combine(Directory, model, "1", "model.onnx");

    public string FilePath(string model, string file) => Path.Combine(Directory, model, file);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
