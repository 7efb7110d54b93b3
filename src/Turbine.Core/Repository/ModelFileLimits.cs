using System.Globalization;

namespace Turbine.Core.Repository;

/// <summary>
/// The largest file of each kind a model folder may hold (<c>turbine serve --max-*-file-bytes</c>). A larger file
/// is a load error naming the config field; files read into memory (all but the model file) are read only up to
/// their limit, whatever the file system says their size is.
/// </summary>
public sealed record ModelFileLimits
{
    /// <summary><c>config.pbtxt</c>. Default 4 MiB.</summary>
    public long ConfigBytes { get; init; } = 4L << 20;

    /// <summary>A <c>label_filename</c>. Default 16 MiB.</summary>
    public long LabelBytes { get; init; } = 16L << 20;

    /// <summary>A warmup <c>input_data_file</c>. Default 256 MiB.</summary>
    public long WarmupDataBytes { get; init; } = 256L << 20;

    /// <summary>An <c>initial_state</c> <c>data_file</c>. Default 256 MiB.</summary>
    public long InitialStateBytes { get; init; } = 256L << 20;

    /// <summary>A version's model file (not read into memory by Turbine; ONNX Runtime maps it). Default 64 GiB.</summary>
    public long ModelBytes { get; init; } = 64L << 30;

    public long For(ModelFileKind kind) => kind switch
    {
        ModelFileKind.Config => ConfigBytes,
        ModelFileKind.Labels => LabelBytes,
        ModelFileKind.WarmupData => WarmupDataBytes,
        ModelFileKind.InitialState => InitialStateBytes,
        _ => ModelBytes,
    };

    /// <summary>The flag that sets a kind's limit, for error messages.</summary>
    public static string FlagFor(ModelFileKind kind) => kind switch
    {
        ModelFileKind.Config => "--max-config-file-bytes",
        ModelFileKind.Labels => "--max-label-file-bytes",
        ModelFileKind.WarmupData => "--max-warmup-file-bytes",
        ModelFileKind.InitialState => "--max-initial-state-file-bytes",
        _ => "--max-model-file-bytes",
    };

    /// <summary>Problems with the limits (empty when valid): each must be positive; files read into memory fit one array.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var kind in Enum.GetValues<ModelFileKind>())
        {
            var limit = For(kind);
            var max = kind == ModelFileKind.Model ? long.MaxValue : Array.MaxLength;
            if (limit < 1 || limit > max)
            {
                problems.Add($"{FlagFor(kind)} must be between 1 and {max.ToString(CultureInfo.InvariantCulture)}, got {limit.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        return problems;
    }
}
