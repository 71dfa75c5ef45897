namespace GpuMF.Mpi;

/// <summary>How the stratified-SGD engines of an MPI job cut rows among the ranks.</summary>
internal static class EvenBlocks
{
    /// <summary><paramref name="blocks"/> + 1 bounds cutting <paramref name="count"/> rows into contiguous blocks whose sizes differ by at most one.</summary>
    public static int[] Bounds(int count, int blocks) =>
        [.. Enumerable.Range(0, blocks + 1).Select(b => (int)((long)count * b / blocks))];
}
