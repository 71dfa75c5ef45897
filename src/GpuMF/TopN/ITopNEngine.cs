namespace GpuMF.TopN;

/// <summary>A backend's way of running a <see cref="TopNProblem"/> for some of its query rows.</summary>
internal interface ITopNEngine : IDisposable
{
    /// <summary>
    /// Finds the result.N best admissible candidates of each query row in <paramref name="rows"/>, writing
    /// row r of <paramref name="result"/> for rows[r].
    /// </summary>
    /// <param name="rows">Query row indices (0..QueryCount-1), at most result.Rows of them; repeats are allowed.</param>
    /// <param name="result">Where the lists go.</param>
    void Run(ReadOnlyMemory<int> rows, TopNBuffer result);
}
