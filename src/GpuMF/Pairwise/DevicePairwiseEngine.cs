using GpuMF.Backends;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR or WARP over one or more ILGPU devices by stratified SGD (<see cref="DeviceStrata"/>: Gemulla et al., KDD
/// 2011), through device memory that need not hold the data. Users are cut into G contiguous blocks and items
/// hashed into G blocks (<see cref="PairwiseStratum.ItemBlocks"/>), G the device count when a cell fits every
/// device's <see cref="ComputeBackend.MemoryBudget"/>, else a multiple of it whose cells do. As across MPI ranks,
/// each cell is cut into <see cref="PairwiseStratum.Sweeps"/> slices run one slice of every stratum at a time, and
/// each slice is trained by the single-device engine (<see cref="IlgpuPairwiseEngine"/>) on a problem of its own:
/// local indices, the cell's observed items (negatives come from its item block), copies of its blocks' parameters
/// and adagrad sums, WARP's rank estimate over the whole catalogue, and random streams of its own.
/// </summary>
/// <remarks>
/// A device whose slices fit its budget all at once keeps them resident: each slice's engine is made once, its
/// positives and observed items uploaded once, and every run copies only the parameters in and out, since its
/// item block was last trained by another device (or another slice). On a GPU that makes an epoch's traffic the
/// parameters' rather than the data set's, and the copies happen while the device is otherwise idle, so resident
/// slices cost memory only where it is free. Otherwise each slice's engine is made, run and disposed in turn (the
/// streamed path): a cell that fits the budget whole fits as any of its slices.
/// </remarks>
internal sealed class DevicePairwiseEngine : IPairwiseEngine
{
    private readonly IReadOnlyList<ComputeBackend> _devices;
    private readonly PairwiseProblem _problem;
    private readonly int _warps;
    private readonly int _sweeps;
    private readonly PairwiseStratum[][] _cells;
    private readonly bool[] _resident;
    private readonly (PairwiseProblem Local, IlgpuPairwiseEngine Engine)?[] _slices;
    private long _bytesCopied;

    /// <param name="devices">One or more ILGPU devices of one kind.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="warps">Warps each slice's engine launches; 0 picks by the slice's positives (<see cref="IlgpuPairwiseEngine.SamplesPerWarp"/>).</param>
    /// <exception cref="DeviceMemoryException">A device cannot hold even the cells of the finest grid; the message names the budget that would.</exception>
    public DevicePairwiseEngine(IReadOnlyList<ComputeBackend> devices, PairwiseProblem problem, int warps = 0)
    {
        _devices = devices;
        _problem = problem;
        _warps = warps;
        Grid = DeviceStrata.Size(devices, Math.Max(problem.UserCount, problem.ItemCount), Largest, $"{problem.Settings.Kind.ToString().ToUpperInvariant()} training");
        _sweeps = Grid == 1 ? 1 : PairwiseStratum.Sweeps;
        var userStarts = EvenBlocks.Bounds(problem.UserCount, Grid);
        var itemBlocks = PairwiseStratum.ItemBlocks(problem, Grid);
        _cells = new PairwiseStratum[Grid * Grid][];
        for (int row = 0; row < Grid; row++)
        {
            var cells = PairwiseStratum.Row(problem, userStarts[row], userStarts[row + 1], itemBlocks);
            for (int col = 0; col < Grid; col++)
            {
                _cells[(row * Grid) + col] = cells[col].Slices(_sweeps);
            }
        }
        _slices = new (PairwiseProblem, IlgpuPairwiseEngine)?[_cells.Length * _sweeps];
        _resident = new bool[devices.Count];
        try
        {
            for (int d = 0; d < devices.Count; d++)
            {
                var own = Owned(d).ToList();
                _resident[d] = own.Sum(n => SliceBytes(devices[d], n)) <= devices[d].MemoryBudget;
                if (_resident[d])
                {
                    foreach (var (cell, sweep) in own)
                    {
                        var local = Local(cell, sweep);
                        _slices[(cell * _sweeps) + sweep] = (local, new IlgpuPairwiseEngine(devices[d], local, warps));
                        Interlocked.Add(ref _bytesCopied, UploadBytes(cell, sweep));
                    }
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>G: the grid is G × G cells.</summary>
    public int Grid { get; }

    /// <summary>Per device, whether its slices stay resident across epochs (else they stream through it one at a time).</summary>
    public IReadOnlyList<bool> Resident => _resident;

    /// <summary>Bytes copied between the host and the devices so far (positives, observed items, parameters, adagrad sums, loss and count partials), for benchmarks; resident slices' one upload is counted at construction.</summary>
    public long BytesCopied => Interlocked.Read(ref _bytesCopied);

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default) =>
        DeviceStrata.Run(_devices.Count, Grid, _sweeps, cancel, (d, row, col, sweep) => RunSlice(d, (row * Grid) + col, sweep, epoch, learningRate, cancel));

    /// <summary>Given samples are one device's deterministic mode (kernel tests, self-tests); a grid of cells has none.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public EpochResult RunGiven(PairwiseSamples samples, float learningRate) =>
        throw new NotSupportedException("Given samples run on one device's in-memory engine, not on a grid of cells.");

    /// <summary>The host's arrays hold the model after every epoch: the slices write back as they finish.</summary>
    public void CopyTo(PairwiseProblem target)
    {
        _problem.CopyParametersTo(target);
    }

    public void Dispose()
    {
        foreach (var slice in _slices)
        {
            slice?.Engine.Dispose();
        }
    }

    private EpochResult RunSlice(int device, int cell, int sweep, int epoch, float learningRate, CancellationCheck cancel)
    {
        var stratum = _cells[cell][sweep];
        if (stratum.Users.Length == 0)
        {
            return default;
        }
        long bytes = 0;
        var resident = _slices[(cell * _sweeps) + sweep];
        PairwiseProblem local;
        IlgpuPairwiseEngine engine;
        if (resident is { } kept)
        {
            (local, engine) = kept;
            stratum.Load(_problem, local);
            engine.Load(local);
            bytes += stratum.ParameterBytes(_problem);
        }
        else
        {
            local = Local(cell, sweep);
            engine = new IlgpuPairwiseEngine(_devices[device], local, _warps);
            bytes += UploadBytes(cell, sweep);
        }
        try
        {
            var result = engine.RunEpoch(epoch, learningRate, cancel);
            engine.CopyTo(local);
            stratum.WriteBack(local, _problem);
            int batch = engine.Warps * LaunchShape.StepsPerLaunch;
            long launches = (stratum.Users.Length + (long)batch - 1) / batch;
            bytes += stratum.ParameterBytes(_problem) + (launches * engine.Warps * (sizeof(float) + (3 * sizeof(long))));
            return result;
        }
        finally
        {
            if (resident is null)
            {
                engine.Dispose();
            }
            Interlocked.Add(ref _bytesCopied, bytes);
        }
    }

    /// <summary>Slice <paramref name="sweep"/> of <paramref name="cell"/> as a problem of its own, seeded by its place in the grid.</summary>
    private PairwiseProblem Local(int cell, int sweep) =>
        _cells[cell][sweep].Problem(_problem, PairwiseStratum.Seed(_problem.Settings, (cell * _sweeps) + sweep));

    /// <summary>What slice <paramref name="at"/>'s engine allocates on <paramref name="device"/>.</summary>
    private long SliceBytes(ComputeBackend device, (int Cell, int Sweep) at)
    {
        var s = _cells[at.Cell][at.Sweep];
        return IlgpuPairwiseEngine.Footprint(device, s.Users.Length, s.UserCount, s.SeenItems.Length, s.BlockItems.Length, _problem.Settings.Factors, _problem.UserAccumulators is not null, _warps).Bytes;
    }

    /// <summary>What making a slice's engine uploads: its positives, the cell's observed items, parameters and adagrad sums.</summary>
    private long UploadBytes(int cell, int sweep)
    {
        var s = _cells[cell][sweep];
        return (sizeof(int) * ((2L * s.Users.Length) + s.SeenPtr.Length + s.SeenItems.Length)) + s.ParameterBytes(_problem);
    }

    /// <summary>The non-empty slices of the cells of the user blocks <paramref name="device"/> owns.</summary>
    private IEnumerable<(int Cell, int Sweep)> Owned(int device)
    {
        for (int row = device; row < Grid; row += _devices.Count)
        {
            for (int cell = row * Grid; cell < (row + 1) * Grid; cell++)
            {
                for (int sweep = 0; sweep < _sweeps; sweep++)
                {
                    if (_cells[cell][sweep].Users.Length > 0)
                    {
                        yield return (cell, sweep);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The device bytes of the largest cell of a <paramref name="grid"/> × <paramref name="grid"/> grid, held whole
    /// (a bound on any of its slices), counted in one pass over the positives and one over the observed items.
    /// </summary>
    private long Largest(int grid)
    {
        var userStarts = EvenBlocks.Bounds(_problem.UserCount, grid);
        var userBlock = DeviceStrata.BlockOf(userStarts);
        var itemBlock = new int[_problem.ItemCount];
        var blockItems = new int[grid];
        var blocks = PairwiseStratum.ItemBlocks(_problem, grid);
        for (int b = 0; b < grid; b++)
        {
            blockItems[b] = blocks[b].Length;
            foreach (int i in blocks[b])
            {
                itemBlock[i] = b;
            }
        }
        var positives = new int[grid * grid];
        for (int n = 0; n < _problem.Positives; n++)
        {
            positives[(userBlock[_problem.Users[n]] * grid) + itemBlock[_problem.Items[n]]]++;
        }
        var seen = new long[grid * grid];
        for (int u = 0; u < _problem.UserCount; u++)
        {
            for (int n = _problem.SeenPtr[u]; n < _problem.SeenPtr[u + 1]; n++)
            {
                seen[(userBlock[u] * grid) + itemBlock[_problem.SeenItems[n]]]++;
            }
        }
        long largest = 0;
        for (int row = 0; row < grid; row++)
        {
            for (int col = 0; col < grid; col++)
            {
                int c = (row * grid) + col;
                largest = Math.Max(largest, IlgpuPairwiseEngine.Footprint(_devices[0], positives[c], userStarts[row + 1] - userStarts[row], seen[c], blockItems[col], _problem.Settings.Factors, _problem.UserAccumulators is not null, _warps).Bytes);
            }
        }
        return largest;
    }
}
