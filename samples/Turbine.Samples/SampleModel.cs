namespace Turbine.Samples;

/// <summary>A sample model: its name and a factory for its files, keyed by path relative to the model folder.</summary>
internal sealed record SampleModel(string Name, Func<IReadOnlyDictionary<string, byte[]>> BuildFiles);
