namespace GpuMF.TopN;

/// <summary>
/// What a top-N engine scores: query rows (users, or normalised items or users) against candidate rows
/// (items, or normalised items or users), both row-major with <see cref="Factors"/> columns, and which
/// candidates a query row may not get back.
/// </summary>
internal sealed record TopNProblem
{
    /// <summary>Query factors, row-major, <see cref="QueryCount"/> rows.</summary>
    public required float[] Queries { get; init; }

    /// <summary>Query rows.</summary>
    public required int QueryCount { get; init; }

    /// <summary>Candidate factors, row-major, <see cref="CandidateCount"/> rows.</summary>
    public required float[] Candidates { get; init; }

    /// <summary>Candidate rows.</summary>
    public required int CandidateCount { get; init; }

    /// <summary>Factors per row, ≥ 1.</summary>
    public required int Factors { get; init; }

    /// <summary>A bias added to each candidate's scores, or null.</summary>
    public float[]? CandidateBias { get; init; }

    /// <summary>CSR offsets (QueryCount + 1) of each query row's excluded candidates, or null for none.</summary>
    public int[]? ExcludePtr { get; init; }

    /// <summary>Excluded candidates of each query row, ascending within a row (the user's seen items).</summary>
    public int[]? Excluded { get; init; }

    /// <summary>True when query row q may not get candidate q back (similarity of a matrix with itself).</summary>
    public bool ExcludeSelf { get; init; }

    /// <summary>Which candidates may be returned at all (an allow-list, or everything but a deny-list), or null for all.</summary>
    public bool[]? Allowed { get; init; }

    /// <summary>The excluded candidates of query row <paramref name="q"/>, ascending.</summary>
    public ReadOnlySpan<int> ExcludedOf(int q) =>
        ExcludePtr is null || Excluded is null ? ReadOnlySpan<int>.Empty : Excluded.AsSpan(ExcludePtr[q], ExcludePtr[q + 1] - ExcludePtr[q]);
}
