using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// Writes ranked lists as flat rows (query id, rank, result id, score), one chunk of queries at a time,
/// so that a scoring job's memory does not grow with its size. Rank is 1-based.
/// </summary>
internal interface IRankedRowsWriter : IDisposable
{
    /// <summary>Appends every entry of every list in <paramref name="lists"/>.</summary>
    void Write(RankedLists lists);

    /// <summary>Flushes everything written; the file is complete once this returns.</summary>
    void Complete();
}
