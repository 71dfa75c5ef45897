namespace GpuMF.Mpi;

/// <summary>
/// How stratified SGD's item blocks travel between the ranks of an MPI job. In stratum s rank r trains block
/// (r + s) mod N, which rank r + 1 trained in stratum s − 1, so after each stratum every rank passes the block it
/// trained to rank r − 1 and takes the next one from rank r + 1 (a ring shift: one block in, one out). A rank's
/// other blocks go stale, which no stratum notices: a cell reads and writes the rows of its own item block only
/// (negatives included). When the whole model is wanted (<see cref="Gather"/>) every block is fresh on exactly one
/// rank, and one allgather gives every rank all of them. An epoch moves one item matrix through each rank, where a
/// broadcast after every stratum would move N − 1 of them.
/// </summary>
/// <param name="communicator">The job's ranks.</param>
/// <param name="blocks">The item rows of each of the N blocks, the same on every rank.</param>
/// <param name="k">Factors a row.</param>
/// <param name="factors">The items' factors, k a row.</param>
/// <param name="biases">The items' biases.</param>
/// <param name="factorSums">The factors' adagrad sums, travelling with them when <paramref name="biasSums"/> is given too.</param>
/// <param name="biasSums">The biases' adagrad sums.</param>
internal sealed class BlockRing(MpiCommunicator communicator, IReadOnlyList<int[]> blocks, int k, float[] factors, float[] biases, float[]? factorSums = null, float[]? biasSums = null)
{
    private readonly bool _sums = factorSums is not null && biasSums is not null;

    /// <summary>Floats a row carries: its factors and bias, then their adagrad sums.</summary>
    private int Width => _sums ? 2 * (k + 1) : k + 1;

    /// <summary>The block this rank trains in stratum <paramref name="stratum"/> (counted across epochs and slices; only its residue matters).</summary>
    public int BlockOf(int stratum) => BlockOf(communicator.Rank, stratum);

    /// <summary>After stratum <paramref name="stratum"/>: passes the block this rank trained to rank r − 1 and takes the block of stratum + 1 from rank r + 1.</summary>
    public void Pass(int stratum)
    {
        int size = communicator.Size;
        if (size == 1)
        {
            return;
        }
        int rank = communicator.Rank;
        var sent = Pack(BlockOf(stratum));
        var next = blocks[BlockOf(stratum + 1)];
        var received = new float[(long)next.Length * Width];
        communicator.Shift(sent, (rank + size - 1) % size, received, (rank + 1) % size, Width);
        Unpack(next, received);
    }

    /// <summary>
    /// Before stratum <paramref name="nextStratum"/> (after the <see cref="Pass"/> of the one before it): every rank
    /// receives every block from the rank that holds it fresh, so each holds the whole, same item matrix.
    /// </summary>
    public void Gather(int nextStratum)
    {
        int size = communicator.Size;
        if (size == 1)
        {
            return;
        }
        var firstRows = new int[size + 1];
        for (int r = 0; r < size; r++)
        {
            firstRows[r + 1] = firstRows[r] + blocks[BlockOf(r, nextStratum)].Length;
        }
        var rows = new float[(long)firstRows[size] * Width];
        int rank = communicator.Rank;
        Pack(BlockOf(nextStratum)).CopyTo(rows.AsSpan(firstRows[rank] * Width));
        communicator.AllgatherRows(rows, Width, firstRows);
        for (int r = 0; r < size; r++)
        {
            if (r != rank)
            {
                Unpack(blocks[BlockOf(r, nextStratum)], rows.AsSpan(firstRows[r] * Width, (firstRows[r + 1] - firstRows[r]) * Width));
            }
        }
    }

    private int BlockOf(int rank, int stratum) => (rank + stratum) % communicator.Size;

    private float[] Pack(int block)
    {
        var items = blocks[block];
        var packed = new float[(long)items.Length * Width];
        for (int n = 0; n < items.Length; n++)
        {
            var row = packed.AsSpan(n * Width, Width);
            int i = items[n];
            factors.AsSpan(i * k, k).CopyTo(row);
            row[k] = biases[i];
            if (_sums)
            {
                factorSums.AsSpan(i * k, k).CopyTo(row[(k + 1)..]);
                row[(2 * k) + 1] = biasSums![i];
            }
        }
        return packed;
    }

    private void Unpack(int[] items, ReadOnlySpan<float> packed)
    {
        for (int n = 0; n < items.Length; n++)
        {
            var row = packed.Slice(n * Width, Width);
            int i = items[n];
            row[..k].CopyTo(factors.AsSpan(i * k, k));
            biases[i] = row[k];
            if (_sums)
            {
                row.Slice(k + 1, k).CopyTo(factorSums.AsSpan(i * k, k));
                biasSums![i] = row[(2 * k) + 1];
            }
        }
    }
}
