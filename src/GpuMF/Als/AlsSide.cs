namespace GpuMF.Als;

/// <summary>Which factor matrix an ALS half-iteration solves.</summary>
internal enum AlsSide
{
    /// <summary>User rows, against the item factors.</summary>
    Users,

    /// <summary>Item rows, against the user factors.</summary>
    Items,
}
