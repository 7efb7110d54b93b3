namespace Turbine.Core.Lifecycle;

/// <summary>The mutable holder of a model's <see cref="ModelState"/>; control operations serialize on its lock.</summary>
internal sealed class ModelEntry
{
    private volatile ModelState _state = ModelState.Empty;

    public ModelEntry(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public ModelState State
    {
        get => _state;
        set => _state = value;
    }

    public SemaphoreSlim ControlLock { get; } = new(1, 1);

    /// <summary>Fingerprint of the model folder at the last load attempt (poll mode compares against it).</summary>
    public string LastFolderFingerprint { get; set; } = "";

    /// <summary>
    /// The private folders of <c>file:</c> override loads still in use, each with the versions loaded from it; a folder
    /// is deleted once none of them serves and they drained. Read and written under <see cref="ControlLock"/>.
    /// </summary>
    public Dictionary<string, List<LoadedVersion>> OverrideFolders { get; } = new(StringComparer.Ordinal);

    /// <summary>True while the model is meant to be loaded (loaded or failed to load, not unloaded).</summary>
    public bool Wanted { get; set; }
}
