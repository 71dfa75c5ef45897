namespace GpuMF.Data;

/// <summary>What an id column holds, and so what an <see cref="IdMap"/> maps.</summary>
public enum IdKind
{
    /// <summary>64-bit signed integers (MovieLens, Netflix, most database exports).</summary>
    Numeric,

    /// <summary>Strings of any length (SKUs, UUIDs, hashed user ids, ISBNs with a check letter), compared ordinally.</summary>
    Text,
}
