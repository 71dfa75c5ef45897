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
/// <param name="width">Floats a row carries (factors, bias, their adagrad sums).</param>
/// <param name="read">Copies an item row's floats into the span.</param>
/// <param name="write">Sets an item row from the span.</param>
internal sealed class BlockRing(MpiCommunicator communicator, IReadOnlyList<int[]> blocks, int width, BlockRing.RowReader read, BlockRing.RowWriter write)
{
    /// <summary>Copies item <paramref name="item"/>'s row into <paramref name="row"/>.</summary>
    public delegate void RowReader(int item, Span<float> row);

    /// <summary>Sets item <paramref name="item"/>'s row from <paramref name="row"/>.</summary>
    public delegate void RowWriter(int item, ReadOnlySpan<float> row);

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
        var received = new float[(long)next.Length * width];
        communicator.Shift(sent, (rank + size - 1) % size, received, (rank + 1) % size, width);
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
        var rows = new float[(long)firstRows[size] * width];
        int rank = communicator.Rank;
        Pack(BlockOf(nextStratum)).CopyTo(rows.AsSpan(firstRows[rank] * width));
        communicator.AllgatherRows(rows, width, firstRows);
        for (int r = 0; r < size; r++)
        {
            if (r != rank)
            {
                Unpack(blocks[BlockOf(r, nextStratum)], rows.AsSpan(firstRows[r] * width, (firstRows[r + 1] - firstRows[r]) * width));
            }
        }
    }

    private int BlockOf(int rank, int stratum) => (rank + stratum) % communicator.Size;

    private float[] Pack(int block)
    {
        var items = blocks[block];
        var packed = new float[(long)items.Length * width];
        for (int n = 0; n < items.Length; n++)
        {
            read(items[n], packed.AsSpan(n * width, width));
        }
        return packed;
    }

    private void Unpack(int[] items, ReadOnlySpan<float> packed)
    {
        for (int n = 0; n < items.Length; n++)
        {
            write(items[n], packed.Slice(n * width, width));
        }
    }
}
