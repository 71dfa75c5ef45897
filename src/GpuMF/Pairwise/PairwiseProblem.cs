namespace GpuMF.Pairwise;

/// <summary>
/// What a BPR or WARP engine trains: the observed pairs in the training matrix's CSR order, each
/// user's observed items (CSR, ascending) for rejecting negatives, and the parameters, which the CPU
/// engine updates in place. The adagrad accumulators are null under plain SGD.
/// </summary>
internal sealed record PairwiseProblem(
    int UserCount,
    int ItemCount,
    int[] Users,
    int[] Items,
    int[] SeenPtr,
    int[] SeenItems,
    float[] P,
    float[] Q,
    float[] ItemBias,
    float[]? UserAccumulators,
    float[]? ItemAccumulators,
    float[]? BiasAccumulators,
    PairwiseSettings Settings)
{
    public int Positives => Users.Length;

    /// <summary>
    /// Items in the whole catalogue, for WARP's rank estimate ⌊(n − 1)/trials⌋: <see cref="ItemCount"/> unless this
    /// problem is one block of a larger one (a stratum of an MPI job), whose negatives come from its block alone.
    /// </summary>
    public int Catalogue { get; init; }

    /// <summary><see cref="Catalogue"/> when set, else <see cref="ItemCount"/>.</summary>
    public int CatalogueItems => Catalogue > 0 ? Catalogue : ItemCount;

    /// <summary>
    /// Null (default): every positive draws its negatives from the whole catalogue. Else the positives from
    /// <see cref="NegativeRange.FromPositive"/> on draw theirs from items [<see cref="NegativeRange.FirstItem"/>,
    /// <see cref="NegativeRange.EndItem"/>) only, and WARP's rank estimate counts that range's items as the catalogue.
    /// Only the managed CPU engines draw so (samples given to <see cref="IPairwiseEngine.RunGiven"/> bring their own
    /// negatives and are taken as they are); the ILGPU and MPI engines refuse such a problem.
    /// </summary>
    public NegativeRange? RestrictedNegatives { get; init; }

    /// <summary>Copies the parameters and (where both have them) adagrad sums into <paramref name="target"/>'s arrays, unless they are this problem's own.</summary>
    public void CopyParametersTo(PairwiseProblem target)
    {
        if (!ReferenceEquals(target.P, P))
        {
            P.CopyTo(target.P, 0);
            Q.CopyTo(target.Q, 0);
            ItemBias.CopyTo(target.ItemBias, 0);
            UserAccumulators?.CopyTo(target.UserAccumulators!, 0);
            ItemAccumulators?.CopyTo(target.ItemAccumulators!, 0);
            BiasAccumulators?.CopyTo(target.BiasAccumulators!, 0);
        }
    }
}

/// <summary>
/// Where the positives from <paramref name="FromPositive"/> (0 … positives) on draw their negatives: items
/// [<paramref name="FirstItem"/>, <paramref name="EndItem"/>), a non-empty range of the catalogue.
/// </summary>
internal readonly record struct NegativeRange(int FromPositive, int FirstItem, int EndItem)
{
    /// <summary>Items in the range.</summary>
    public int Count => EndItem - FirstItem;

    /// <summary>Throws unless the range fits <paramref name="problem"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The first positive or the item range lies outside the problem, or the range is empty.</exception>
    public void Validate(PairwiseProblem problem)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(FromPositive, nameof(FromPositive));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FromPositive, problem.Positives, nameof(FromPositive));
        ArgumentOutOfRangeException.ThrowIfNegative(FirstItem, nameof(FirstItem));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(EndItem, problem.ItemCount, nameof(EndItem));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(EndItem, FirstItem, nameof(EndItem));
    }
}
