using System.Globalization;
using System.Runtime.ExceptionServices;
using GpuMF.Backends;

namespace GpuMF.Training;

/// <summary>
/// The stratified schedule of SGD over ILGPU devices (Gemulla, Nijkamp, Haas, Sismanis, "Large-scale matrix
/// factorization with distributed stochastic gradient descent", KDD 2011): users and items are cut into G blocks
/// each, G a multiple of the device count D; device d owns user blocks d, d + D, d + 2D, …, and an epoch runs G
/// strata, stratum s being the G cells (b, (b + s) mod G). No two cells of a stratum share a user or an item
/// block, so the devices train theirs at once, one host thread each, and write their rows back to the host's
/// arrays without racing; the next stratum starts when every device has finished.
/// </summary>
internal static class DeviceStrata
{
    /// <summary>
    /// The grid size G: the device count D when a cell of the D × D grid fits the smallest device budget, else
    /// the first of 2D, 4D, 8D, … whose largest cell fits.
    /// </summary>
    /// <param name="devices">The devices (one or more).</param>
    /// <param name="rows">The larger side's row count: a grid with as many blocks holds at most one row of each side per cell, the smallest it can cut.</param>
    /// <param name="largestCell">Device bytes of the largest cell of a G × G grid, for a given G.</param>
    /// <param name="what">The job, as a message names it ("SVD training").</param>
    /// <exception cref="DeviceMemoryException">Even cells of one user and one item block each at the finest grid exceed the budget; the message names the budget that would fit.</exception>
    public static int Size(IReadOnlyList<ComputeBackend> devices, int rows, Func<int, long> largestCell, string what)
    {
        ArgumentOutOfRangeException.ThrowIfZero(devices.Count);
        int d = devices.Count;
        var smallest = devices.MinBy(x => x.MemoryBudget)!;
        long budget = smallest.MemoryBudget;
        int limit = checked((Math.Max(1, rows) + d - 1) / d * d);
        for (int g = d; ; g = (int)Math.Min(2L * g, limit))
        {
            long need = largestCell(g);
            if (need <= budget)
            {
                return g;
            }
            if (g >= limit)
            {
                throw new DeviceMemoryException(
                    $"{what} streams its (user block × item block) cells through the {Size(budget)} of {smallest.DeviceName}, but even a {g} × {g} grid has a cell that needs {Size(need)}: a budget of {need.ToString(CultureInfo.InvariantCulture)} bytes would fit; {ComputeBackend.TrainingAdvice}.",
                    need,
                    budget);
            }
        }
    }

    /// <summary>The block of each row, from the ascending bounds of contiguous blocks (blocks + 1 of them, the first 0).</summary>
    public static int[] BlockOf(int[] bounds)
    {
        var block = new int[bounds[^1]];
        for (int b = 0; b + 1 < bounds.Length; b++)
        {
            block.AsSpan(bounds[b], bounds[b + 1] - bounds[b]).Fill(b);
        }
        return block;
    }

    /// <summary>
    /// One epoch: <paramref name="sweeps"/> passes over the G strata (each cell cut into as many slices, slice w
    /// trained in pass w), each stratum's cells run by their devices at once, one host thread each.
    /// </summary>
    /// <param name="devices">D, the device count.</param>
    /// <param name="grid">G, a multiple of D.</param>
    /// <param name="sweeps">Slices per cell, ≥ 1.</param>
    /// <param name="cancel">Checked before every stratum (the cells' engines check within).</param>
    /// <param name="cell">Trains (device, user block, item block, slice) and returns what it met.</param>
    /// <returns>The sum over every cell.</returns>
    public static EpochResult Run(int devices, int grid, int sweeps, CancellationCheck cancel, Func<int, int, int, int, EpochResult> cell)
    {
        var total = default(EpochResult);
        var partial = new EpochResult[devices];
        for (int sweep = 0; sweep < sweeps; sweep++)
        {
            for (int s = 0; s < grid; s++)
            {
                cancel.ThrowIfRequested();
                void Device(int d)
                {
                    var sum = default(EpochResult);
                    for (int b = d; b < grid; b += devices)
                    {
                        sum += cell(d, b, (b + s) % grid, sweep);
                    }
                    partial[d] = sum;
                }
                if (devices == 1)
                {
                    Device(0);
                }
                else
                {
                    try
                    {
                        Parallel.For(0, devices, new ParallelOptions { MaxDegreeOfParallelism = devices }, Device);
                    }
                    catch (AggregateException e)
                    {
                        ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                    }
                }
                foreach (var p in partial)
                {
                    total += p;
                }
            }
        }
        return total;
    }

    /// <summary>Bytes in MiB, or as bytes below one (the budgets tests set).</summary>
    private static string Size(long bytes) => bytes >= 1048576
        ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
}
