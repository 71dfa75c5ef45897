using GpuMF.Backends;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// SVD's SGD over one or more ILGPU devices by stratified SGD (<see cref="DeviceStrata"/>: Gemulla et al., KDD
/// 2011), through device memory that need not hold the data. The ratings are grouped into a G × G grid of
/// contiguous user and item blocks (<see cref="SgdGrid"/>), G the device count when a cell fits every device's
/// <see cref="ComputeBackend.MemoryBudget"/>, else a multiple of it whose cells do. Each cell is trained by the
/// single-device engine (<see cref="IlgpuSgdEngine"/>) on a problem of its own (local indices, a copy of its
/// blocks' parameters, a seed of its own); the host's arrays are where the devices meet, each cell's rows written
/// back before the next stratum reads them.
/// </summary>
/// <remarks>
/// A device whose cells fit its budget all at once keeps them resident: each cell's engine is made once, its
/// ratings (12 bytes each, the bulk of the data) uploaded once, and every stratum copies only the cell's
/// parameters in and out, since its item block was last trained by another device. On a GPU that makes an
/// epoch's host↔device traffic the parameters', G times over, instead of the whole data set's; the copies are
/// made while the device is otherwise idle, so resident cells cost memory only where it is free. Otherwise each
/// cell's engine is made, run and disposed in turn (the streamed path), and every epoch uploads the ratings.
/// </remarks>
internal sealed class DeviceSgdEngine : ISgdEngine
{
    private readonly IReadOnlyList<ComputeBackend> _devices;
    private readonly SgdProblem _problem;
    private readonly SgdGrid _grid;
    private readonly int _warps;
    private readonly bool[] _resident;
    private readonly (SgdProblem Local, IlgpuSgdEngine Engine)?[] _cells;
    private long _bytesCopied;

    /// <param name="devices">One or more ILGPU devices of one kind.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="warps">Warps each cell's engine launches; 0 picks by the cell's ratings (<see cref="IlgpuSgdEngine.SamplesPerWarp"/>).</param>
    /// <exception cref="DeviceMemoryException">A device cannot hold even the cells of the finest grid; the message names the budget that would.</exception>
    public DeviceSgdEngine(IReadOnlyList<ComputeBackend> devices, SgdProblem problem, int warps = 0)
    {
        _devices = devices;
        _problem = problem;
        _warps = warps;
        int size = DeviceStrata.Size(devices, Math.Max(problem.UserCount, problem.ItemCount), g => Largest(new SgdGrid(problem, g)), "SVD training");
        _grid = new SgdGrid(problem, size);
        _cells = new (SgdProblem, IlgpuSgdEngine)?[size * size];
        _resident = new bool[devices.Count];
        try
        {
            for (int d = 0; d < devices.Count; d++)
            {
                var own = Owned(d).ToList();
                _resident[d] = own.Sum(c => CellBytes(c.Row, c.Col)) <= devices[d].MemoryBudget;
                if (_resident[d])
                {
                    foreach (var (row, col) in own)
                    {
                        var local = _grid.Local(row, col);
                        _cells[(row * size) + col] = (local, new IlgpuSgdEngine(devices[d], local, warps));
                        _bytesCopied += UploadBytes(row, col);
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
    public int Grid => _grid.Blocks;

    /// <summary>Per device, whether its cells stay resident across epochs (else they stream through it one at a time).</summary>
    public IReadOnlyList<bool> Resident => _resident;

    /// <summary>Bytes copied between the host and the devices so far (ratings, parameters, loss partials), for benchmarks; resident cells' one upload of their ratings is counted at construction.</summary>
    public long BytesCopied => Interlocked.Read(ref _bytesCopied);

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default) =>
        DeviceStrata.Run(_devices.Count, Grid, 1, cancel, (d, row, col, _) => RunCell(d, row, col, epoch, learningRate, cancel));

    /// <summary>The host's arrays hold the model after every epoch: the cells write back as they finish.</summary>
    public void CopyTo(float[] p, float[] q, float[] userBias, float[] itemBias)
    {
        _problem.CopyParametersTo(p, q, userBias, itemBias);
    }

    public void Dispose()
    {
        foreach (var cell in _cells)
        {
            cell?.Engine.Dispose();
        }
    }

    private EpochResult RunCell(int device, int row, int col, int epoch, float learningRate, CancellationCheck cancel)
    {
        if (_grid.Count(row, col) == 0)
        {
            return default;
        }
        long bytes = 0;
        SgdProblem local;
        IlgpuSgdEngine engine;
        if (_cells[(row * Grid) + col] is { } resident)
        {
            (local, engine) = resident;
            _grid.Load(local, row, col);
            engine.Load(local);
            bytes += _grid.ParameterBytes(row, col);
        }
        else
        {
            local = _grid.Local(row, col);
            engine = new IlgpuSgdEngine(_devices[device], local, _warps);
            bytes += UploadBytes(row, col);
        }
        try
        {
            var result = engine.RunEpoch(epoch, learningRate, cancel);
            engine.CopyTo(local.P, local.Q, local.UserBias, local.ItemBias);
            _grid.WriteBack(local, row, col);
            bytes += _grid.ParameterBytes(row, col) + PartialBytes(row, col);
            return result;
        }
        finally
        {
            if (!ReferenceEquals(_cells[(row * Grid) + col]?.Engine, engine))
            {
                engine.Dispose();
            }
            Interlocked.Add(ref _bytesCopied, bytes);
        }
    }

    /// <summary>The cells of the user blocks device <paramref name="device"/> owns: every item block of each.</summary>
    private IEnumerable<(int Row, int Col)> Owned(int device)
    {
        for (int row = device; row < Grid; row += _devices.Count)
        {
            for (int col = 0; col < Grid; col++)
            {
                if (_grid.Count(row, col) > 0)
                {
                    yield return (row, col);
                }
            }
        }
    }

    /// <summary>What a cell's engine allocates on the device.</summary>
    private long CellBytes(int row, int col) => Footprint(_grid, row, col);

    /// <summary>What making a cell's engine uploads: its ratings and parameters (the loss partials are allocated, not copied).</summary>
    private long UploadBytes(int row, int col) => (12L * _grid.Count(row, col)) + _grid.ParameterBytes(row, col);

    /// <summary>The loss partials a cell's epoch reads back: what its engine allocates beyond what it uploads.</summary>
    private long PartialBytes(int row, int col) => CellBytes(row, col) - UploadBytes(row, col);

    private long Footprint(SgdGrid grid, int row, int col) =>
        IlgpuSgdEngine.Footprint(_devices[0], grid.Count(row, col), grid.Users(row), grid.Items(col), _problem.Options.Factors, _warps).Bytes;

    /// <summary>The device bytes of the largest cell of <paramref name="grid"/>.</summary>
    private long Largest(SgdGrid grid)
    {
        long largest = 0;
        for (int row = 0; row < grid.Blocks; row++)
        {
            for (int col = 0; col < grid.Blocks; col++)
            {
                largest = Math.Max(largest, Footprint(grid, row, col));
            }
        }
        return largest;
    }
}
