namespace GpuMF.Data;

/// <summary>How a reader decides the kind of an id column.</summary>
public enum IdType
{
    /// <summary>Integers when the column's first id parses as a 64-bit integer, else strings; a later id of the other kind is an error naming its line (<c>--id-type auto</c>).</summary>
    Auto,

    /// <summary>Every id must parse as a 64-bit integer (<c>--id-type int</c>).</summary>
    Numeric,

    /// <summary>Every id is taken as a string, digits included ("007" and "7" are two ids; <c>--id-type string</c>).</summary>
    Text,
}
