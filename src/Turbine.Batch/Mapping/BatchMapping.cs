using Turbine.Batch.Scoring;
using Turbine.Batch.Tables;
using Turbine.Core.Tensors;

namespace Turbine.Batch.Mapping;

/// <summary>
/// The column ↔ tensor mapping of a job, checked against the input's columns and the model's signature before any
/// row is read: by default every model input takes the column of its name and every output becomes a column of its
/// name; <c>--map INPUT=col1,col2</c> concatenates columns into one input, <c>--output-column OUTPUT=col</c> selects
/// and renames outputs.
/// </summary>
internal sealed class BatchMapping
{
    private BatchMapping(IReadOnlyList<InputBinding> inputs, IReadOnlyList<OutputBinding> outputs, int[] keep, IReadOnlyList<TableColumn> schema)
    {
        Inputs = inputs;
        Outputs = outputs;
        KeepColumns = keep;
        OutputSchema = schema;
    }

    public IReadOnlyList<InputBinding> Inputs { get; }

    public IReadOnlyList<OutputBinding> Outputs { get; }

    /// <summary>Input column indexes copied to the output, in order (-1: the row number column).</summary>
    public int[] KeepColumns { get; }

    /// <summary>The output's columns: kept columns, then outputs.</summary>
    public IReadOnlyList<TableColumn> OutputSchema { get; }

    /// <summary>The name of the row number column written when no column is kept.</summary>
    public const string RowNumberColumn = "row";

    /// <exception cref="BatchSchemaException">The input and the model do not fit, with the column and input named.</exception>
    public static BatchMapping Create(IReadOnlyList<TableColumn> columns, TableFormat inputFormat, ModelSignature model, BatchJobOptions options)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            index[columns[i].Name] = i;
        }

        var available = string.Join(", ", columns.Select(c => c.Name));
        foreach (var name in options.InputMap.Keys.Where(k => model.Inputs.All(i => i.Name != k)))
        {
            throw new BatchSchemaException($"--map names input '{name}', which model '{model.Name}' does not have (inputs: {string.Join(", ", model.Inputs.Select(i => i.Name))})");
        }

        var inputs = new List<InputBinding>();
        foreach (var spec in model.Inputs)
        {
            var names = options.InputMap.TryGetValue(spec.Name, out var mapped) ? mapped : [spec.Name];
            var indexes = new int[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                if (!index.TryGetValue(names[i], out indexes[i]))
                {
                    throw new BatchSchemaException(mapped is null
                        ? $"model input '{spec.Name}' ({spec.DataType.ToWireName()} {TensorShape.Format(spec.Dims)}) has no column of that name in the input (columns: {available}); map one with --map {spec.Name}=COLUMN[,COLUMN...]"
                        : $"column '{names[i]}' mapped to input '{spec.Name}' is not in the input (columns: {available})");
                }

                CheckKind(columns[indexes[i]], spec, inputFormat, names.Count);
            }

            if (names.Count > 1 && !spec.Dims.Contains(-1) && inputFormat != TableFormat.Csv
                && indexes.All(i => columns[i].Kind != ColumnKind.List) && TensorShape.ElementCount(spec.Dims) != names.Count)
            {
                throw new BatchSchemaException(
                    $"input '{spec.Name}' needs {TensorShape.ElementCount(spec.Dims)} elements per row ({TensorShape.Format(spec.Dims)}), but {names.Count} scalar columns are mapped to it ({string.Join(", ", names)})");
            }

            inputs.Add(new InputBinding(spec, indexes, [.. names]));
        }

        var outputs = new List<OutputBinding>();
        var selected = options.OutputColumns.Count > 0
            ? options.OutputColumns.Select(p => (Name: p.Key, Column: p.Value)).ToList()
            : model.Outputs.Select(o => (o.Name, Column: o.Name)).ToList();
        foreach (var (name, column) in selected)
        {
            var spec = model.Outputs.FirstOrDefault(o => o.Name == name)
                ?? throw new BatchSchemaException($"--output-column names output '{name}', which model '{model.Name}' does not have (outputs: {string.Join(", ", model.Outputs.Select(o => o.Name))})");
            var scalar = options.Classification > 0 ? options.Classification == 1 : !spec.Dims.Contains(-1) && TensorShape.ElementCount(spec.Dims) == 1;
            var kind = options.Classification > 0 ? ColumnKind.String : KindOf(spec.DataType);
            outputs.Add(new OutputBinding(spec, scalar ? TableColumn.Scalar(column, kind) : TableColumn.ListOf(column, kind), scalar));
        }

        var keepNames = options.KeepColumns.Count > 0 ? options.KeepColumns : options.IdColumn is { } id ? [id] : [];
        var keep = keepNames.Count == 0 ? [-1] : keepNames.Select(k => index.TryGetValue(k, out var i) ? i
            : throw new BatchSchemaException($"--keep-columns/--id-column names column '{k}', which is not in the input (columns: {available})")).ToArray();
        var schema = keep.Select(k => k < 0 ? TableColumn.Scalar(RowNumberColumn, ColumnKind.Int64) : columns[k]).Concat(outputs.Select(o => o.Column)).ToList();
        var duplicate = schema.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new BatchSchemaException($"the output would have two columns named '{duplicate.Key}' (a kept column and an output); rename the output with --output-column");
        }

        return new BatchMapping(inputs, outputs, keep, schema);
    }

    private static void CheckKind(TableColumn column, TensorSpec spec, TableFormat format, int columnCount)
    {
        if (format == TableFormat.Csv)
        {
            return; // text cells: numbers and JSON arrays are parsed per row, failures go to the errors file
        }

        var element = column.Kind == ColumnKind.List ? column.ElementKind : column.Kind;
        var numericInput = spec.DataType != TensorDataType.Bytes;
        if (numericInput && element == ColumnKind.String)
        {
            throw new BatchSchemaException($"column '{column.Name}' holds strings but input '{spec.Name}' is {spec.DataType.ToWireName()}; map a numeric column");
        }

        if (column.Kind != ColumnKind.List && columnCount == 1 && !spec.Dims.Contains(-1) && TensorShape.ElementCount(spec.Dims) > 1)
        {
            throw new BatchSchemaException(
                $"column '{column.Name}' holds one value per row but input '{spec.Name}' needs {TensorShape.ElementCount(spec.Dims)} ({TensorShape.Format(spec.Dims)}); use a list column or map several columns with --map");
        }
    }

    public static ColumnKind KindOf(TensorDataType type) => type switch
    {
        TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.BF16 => ColumnKind.Float,
        TensorDataType.FP64 => ColumnKind.Double,
        TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32 or TensorDataType.UInt8 or TensorDataType.UInt16 => ColumnKind.Int32,
        TensorDataType.Int64 or TensorDataType.UInt32 or TensorDataType.UInt64 => ColumnKind.Int64,
        TensorDataType.Bool => ColumnKind.Bool,
        _ => ColumnKind.String,
    };
}

/// <summary>The input's columns and the model's inputs do not fit; nothing was scored.</summary>
public sealed class BatchSchemaException : Exception
{
    public BatchSchemaException()
    {
    }

    public BatchSchemaException(string message)
        : base(message)
    {
    }

    public BatchSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
