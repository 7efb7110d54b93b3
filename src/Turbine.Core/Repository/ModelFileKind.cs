namespace Turbine.Core.Repository;

/// <summary>The kinds of file a model config names; each has its own size limit (<see cref="ModelFileLimits"/>).</summary>
public enum ModelFileKind
{
    /// <summary><c>config.pbtxt</c>.</summary>
    Config,

    /// <summary>An output's <c>label_filename</c>.</summary>
    Labels,

    /// <summary>A <c>model_warmup</c> input's <c>input_data_file</c> (under <c>warmup/</c>).</summary>
    WarmupData,

    /// <summary>A sequence state's <c>initial_state</c> <c>data_file</c> (under <c>initial_state/</c>).</summary>
    InitialState,

    /// <summary>A version's model file (<c>default_model_filename</c>); checked, then handed to the backend by path.</summary>
    Model,
}
