namespace Turbine.Batch.Tables;

/// <summary>
/// The value type of a column as the batch job carries it: cells are <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>, null, or (<see cref="List"/>) an <c>object?[]</c> of such values.
/// </summary>
public enum ColumnKind
{
    String,
    Int32,
    Int64,
    Float,
    Double,
    Bool,
    /// <summary>A list of values (<c>object?[]</c>); <see cref="TableColumn.ElementKind"/> says of what.</summary>
    List,
}

/// <summary>A column's name and kind (for lists, the kind of the elements).</summary>
/// <param name="Name">Column name.</param>
/// <param name="Kind">Value kind.</param>
/// <param name="ElementKind">For <see cref="ColumnKind.List"/>, the elements' kind; otherwise equal to <paramref name="Kind"/>.</param>
public sealed record TableColumn(string Name, ColumnKind Kind, ColumnKind ElementKind)
{
    /// <summary>A scalar column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="kind">Value kind.</param>
    public static TableColumn Scalar(string name, ColumnKind kind) => new(name, kind, kind);

    /// <summary>A list column of <paramref name="element"/> values.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="element">Element kind.</param>
    public static TableColumn ListOf(string name, ColumnKind element) => new(name, ColumnKind.List, element);
}
