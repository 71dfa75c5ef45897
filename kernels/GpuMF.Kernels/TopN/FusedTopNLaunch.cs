namespace GpuMF.Kernels.TopN;

/// <summary>
/// The scalar arguments of one <see cref="FusedTopNKernels"/> launch, passed by value: the query rows of
/// a chunk, how the catalogue is cut into slices (one group per block of rows and slice), and which filters
/// apply. Flags are 0 or 1.
/// </summary>
public struct FusedTopNLaunch
{
    /// <summary>Query rows in the chunk, ≥ 1.</summary>
    public int RowCount;

    /// <summary>Candidates in the whole catalogue, ≥ 1.</summary>
    public int ItemCount;

    /// <summary>Latent factors per query and candidate row, ≥ 1.</summary>
    public int Factors;

    /// <summary>How many best candidates each row keeps, 1..1000 (at most <see cref="FusedTopNKernels.OnChipN"/> for the on-chip kernel).</summary>
    public int N;

    /// <summary>Slices of the catalogue, ≥ 1: each row gets one partial top N per slice, merged by <see cref="FusedTopNKernels.MergeSlices"/>.</summary>
    public int Slices;

    /// <summary>Candidates per slice (the last may hold fewer), a multiple of the group's block width.</summary>
    public int SliceItems;

    /// <summary>1 when the candidates carry a bias added to every score.</summary>
    public int HasBias;

    /// <summary>1 when only candidates whose allow flag is non-zero may be kept.</summary>
    public int HasAllowed;

    /// <summary>1 when each query row has a CSR list of excluded candidates (the user's seen items).</summary>
    public int HasExclusions;

    /// <summary>1 when a query row excludes the candidate with its own index (similar items or users).</summary>
    public int ExcludeSelf;
}
