namespace GpuMF.Mpi;

/// <summary>
/// The world communicator of an MPI job (Open MPI; processes started by <c>mpirun</c>): rank, size and the
/// collectives ALS needs. Every rank must make the same calls in the same order, or the job waits forever;
/// any MPI error ends the whole job. MPI can be initialised once per process: create one communicator and
/// dispose it at the end (which finalises MPI). Call it from one thread at a time.
/// </summary>
public sealed unsafe class MpiCommunicator : IDisposable
{
    private static int _created;
    private readonly IntPtr _world;
    private bool _disposed;

    private MpiCommunicator()
    {
        _world = MpiNative.CommWorld;
        Rank = MpiNative.Rank(_world);
        Size = MpiNative.Size(_world);
    }

    /// <summary>
    /// True when this process was started by Open MPI's <c>mpirun</c> (it sets OMPI_COMM_WORLD_SIZE), whether or not
    /// MPI is initialised; read from the environment alone.
    /// </summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <summary>This process's rank as <c>mpirun</c> set it in OMPI_COMM_WORLD_RANK, or 0 outside mpirun.</summary>
    public static int LaunchedRank => int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK"), out int rank) ? rank : 0;

    /// <summary>This process's rank, 0..<see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks, ≥ 1.</summary>
    public int Size { get; }

    /// <summary>Bytes this rank received in <see cref="AllgatherRows"/> since it was created.</summary>
    public long BytesGathered { get; private set; }

    /// <summary>Bytes this rank received from other ranks in <see cref="Broadcast"/> and <see cref="Shift"/> since it was created.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Initialises MPI (serialised threading) and returns the world communicator.</summary>
    /// <exception cref="MpiUnavailableException">The Open MPI library is not found; the message says what to install.</exception>
    /// <exception cref="InvalidOperationException">MPI was already initialised in this process, or the library cannot serialise calls from several threads.</exception>
    public static MpiCommunicator Initialize()
    {
        MpiNative.Require();
        if (Interlocked.Exchange(ref _created, 1) != 0 || MpiNative.Initialized())
        {
            throw new InvalidOperationException("MPI is initialised once per process: share the one MpiCommunicator.");
        }
        int provided = MpiNative.InitThread(MpiNative.ThreadSerialized);
        if (provided < MpiNative.ThreadSerialized)
        {
            MpiNative.FinalizeMpi();
            throw new InvalidOperationException($"the MPI library provides thread level {provided}; GpuMF needs MPI_THREAD_SERIALIZED ({MpiNative.ThreadSerialized}).");
        }
        return new MpiCommunicator();
    }

    /// <summary>Waits until every rank got here.</summary>
    public void Barrier() => MpiNative.Barrier(World);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over the ranks.</summary>
    public void SumInPlace(Span<double> values)
    {
        fixed (double* v = values)
        {
            MpiNative.Allreduce((void*)MpiNative.InPlace, v, values.Length, MpiNative.Double, MpiNative.Sum, World);
        }
    }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over the ranks.</summary>
    public void SumInPlace(Span<int> values)
    {
        fixed (int* v = values)
        {
            MpiNative.Allreduce((void*)MpiNative.InPlace, v, values.Length, MpiNative.Int, MpiNative.Sum, World);
        }
    }

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> into <paramref name="data"/> of every other rank (same length on every rank).</summary>
    public void Broadcast(Span<byte> data, int root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        fixed (byte* d = data)
        {
            MpiNative.Bcast(d, data.Length, MpiNative.Byte, root, World);
        }
        if (root != Rank)
        {
            BytesReceived += data.Length;
        }
    }

    /// <summary>
    /// Sends <paramref name="send"/> to rank <paramref name="destination"/> while receiving <paramref name="receive"/>
    /// from rank <paramref name="source"/> (MPI_Sendrecv: every rank of a ring shift calls it at once without deadlock).
    /// Both are rows of <paramref name="width"/> floats, so blocks past 2³¹ floats fit; the lengths must match the peers'.
    /// </summary>
    public void Shift(ReadOnlySpan<float> send, int destination, Span<float> receive, int source, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(destination);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(destination, Size);
        ArgumentOutOfRangeException.ThrowIfNegative(source);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(source, Size);
        if (send.Length % width != 0 || receive.Length % width != 0)
        {
            throw new ArgumentException($"Give whole rows of {width} floats.", nameof(width));
        }
        var rowType = MpiNative.Contiguous(width, MpiNative.Float);
        try
        {
            fixed (float* s = send, r = receive)
            {
                MpiNative.Sendrecv(s, send.Length / width, rowType, destination, r, receive.Length / width, rowType, source, World);
            }
        }
        finally
        {
            MpiNative.FreeType(rowType);
        }
        BytesReceived += (long)receive.Length * sizeof(float);
    }

    /// <summary>
    /// Row-major rows × <paramref name="width"/> floats of which rank r owns rows
    /// [<paramref name="firstRows"/>[r], <paramref name="firstRows"/>[r + 1]): afterwards every rank holds every
    /// rank's rows (MPI_Allgatherv in place, counted in rows so that matrices past 2³¹ floats fit).
    /// </summary>
    /// <param name="rows">The matrix, the same shape on every rank.</param>
    /// <param name="width">Floats per row, ≥ 1.</param>
    /// <param name="firstRows">Size + 1 ascending row bounds, the same on every rank, the last at most the matrix's row count.</param>
    public void AllgatherRows(float[] rows, int width, ReadOnlySpan<int> firstRows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (firstRows.Length != Size + 1 || (long)firstRows[Size] * width > rows.LongLength)
        {
            throw new ArgumentException($"Give {Size + 1} row bounds within the matrix's {rows.LongLength / width} rows.", nameof(firstRows));
        }
        var counts = new int[Size];
        var displacements = new int[Size];
        for (int r = 0; r < Size; r++)
        {
            displacements[r] = firstRows[r];
            counts[r] = firstRows[r + 1] - firstRows[r];
            if (counts[r] < 0)
            {
                throw new ArgumentException("The row bounds must ascend.", nameof(firstRows));
            }
        }
        var rowType = MpiNative.Contiguous(width, MpiNative.Float);
        try
        {
            fixed (float* m = rows)
            fixed (int* c = counts, d = displacements)
            {
                MpiNative.Allgatherv((void*)MpiNative.InPlace, 0, rowType, m, c, d, rowType, World);
            }
        }
        finally
        {
            MpiNative.FreeType(rowType);
        }
        BytesGathered += ((long)firstRows[Size] - firstRows[0] - counts[Rank]) * width * sizeof(float);
    }

    /// <summary>Ends every rank of the job at once with <paramref name="code"/> (MPI_Abort): for a failure the other ranks cannot know of.</summary>
    public void Abort(int code) => MpiNative.Abort(_world, code);

    /// <summary>Finalises MPI; every rank must do so.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            MpiNative.FinalizeMpi();
        }
    }

    private IntPtr World => _disposed ? throw new ObjectDisposedException(nameof(MpiCommunicator)) : _world;
}
