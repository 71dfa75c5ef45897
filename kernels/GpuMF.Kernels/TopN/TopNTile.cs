namespace GpuMF.Kernels.TopN;

/// <summary>
/// The scalar arguments of one top-N launch, passed by value: which rows and which slice of the
/// candidate catalogue (a tile) the launch covers, and which filters apply. Flags are 0 or 1.
/// </summary>
public struct TopNTile
{
    /// <summary>Query rows in the launch (the rows of the score tile), ≥ 1.</summary>
    public int RowCount;

    /// <summary>First candidate of the tile, ≥ 0.</summary>
    public int ItemStart;

    /// <summary>Candidates in the tile, ≥ 1; candidate ItemStart + j is column j.</summary>
    public int ItemCount;

    /// <summary>Distance in floats between two rows of the score tile, ≥ ItemCount.</summary>
    public int Stride;

    /// <summary>Latent factors per query and candidate row, ≥ 1.</summary>
    public int Factors;

    /// <summary>How many best candidates each row keeps, 1..1000.</summary>
    public int N;

    /// <summary>Threads along each side of a <see cref="TopNKernels.ScoreTile"/> group (4, 8 or 16); the group holds GroupSide² threads.</summary>
    public int GroupSide;

    /// <summary>1 when the candidates carry a bias added to every score.</summary>
    public int HasBias;

    /// <summary>1 when only candidates whose allow flag is non-zero may be kept (an allow-list or the complement of a deny-list).</summary>
    public int HasAllowed;

    /// <summary>1 when each query row has a CSR list of excluded candidates (the user's seen items).</summary>
    public int HasExclusions;

    /// <summary>1 when a query row excludes the candidate with its own index (similar items or users).</summary>
    public int ExcludeSelf;
}
