namespace Turbine.Core.Config;

/// <summary>A protobuf enum of the config schema: names indexed by number.</summary>
internal sealed class ConfigEnum(string typeName, params string[] names)
{
    public static readonly ConfigEnum DataType = new("DataType", Turbine.Protocol.Datatypes.AllConfigNames());

    public static readonly ConfigEnum Format = new("Format", "FORMAT_NONE", "FORMAT_NHWC", "FORMAT_NCHW");

    public static readonly ConfigEnum InstanceKind = new("Kind", "KIND_AUTO", "KIND_GPU", "KIND_CPU", "KIND_MODEL");

    public static readonly ConfigEnum TimeoutAction = new("TimeoutAction", "REJECT", "DELAY");

    public static readonly ConfigEnum ControlKind = new(
        "Control.Kind",
        "CONTROL_SEQUENCE_START", "CONTROL_SEQUENCE_READY", "CONTROL_SEQUENCE_END", "CONTROL_SEQUENCE_CORRID");

    public static readonly ConfigEnum Priority = new("ModelPriority", "PRIORITY_DEFAULT", "PRIORITY_MAX", "PRIORITY_MIN");

    public string TypeName { get; } = typeName;

    public string NameOf(int value) => value >= 0 && value < names.Length ? names[value] : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public int Count => names.Length;

    public bool TryParse(string name, out int value)
    {
        value = Array.IndexOf(names, name);
        return value >= 0;
    }

    public string Expected => $"a {TypeName} name ({string.Join(", ", names)}) or a number 0..{names.Length - 1}";
}
