using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using GpuMF.Backends;
using GpuMF.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Als;

/// <summary>
/// ALS over one or more ILGPU devices whose memory need not hold the data. The rows of each side are split
/// into contiguous ranges, one per device, balanced by rows plus interactions; each device splits its
/// range into chunks that fit its <see cref="ComputeBackend.MemoryBudget"/> beside the other side's whole
/// factor matrix. Where every chunk of both sides fits at once the interactions are uploaded once and stay;
/// otherwise they stream from pinned host memory through two buffers, the next chunk copied on a second
/// stream while the kernels solve the current one.
/// </summary>
/// <remarks>
/// The host's factor matrices (the problem's arrays) are where the devices meet: a half-iteration gives
/// each device the other side's whole matrix from the host, device 0 computes the Gram matrix and every
/// other device receives the same k² floats, and each device writes its solved rows back to the host.
/// A row's solution depends only on the other side's factors, the Gram matrix and its own interactions, all
/// the same as on one device in memory, and it is solved by the same kernels (<see cref="AlsDeviceSolver"/>),
/// so the factors equal those of <see cref="IlgpuAlsEngine"/> wherever the kernels' summation order does.
/// </remarks>
internal sealed class PartitionedAlsEngine : IAlsEngine
{
    private readonly AlsProblem _problem;
    private readonly DevicePart[] _parts;
    private readonly float[] _gramHost;
    private readonly GCHandle[] _pins;

    /// <param name="devices">One or more ILGPU devices (each with its own budget).</param>
    /// <param name="problem">What to train.</param>
    /// <exception cref="DeviceMemoryException">A device cannot hold the larger side's factors with the smallest chunks; the message names what would fit.</exception>
    public PartitionedAlsEngine(IReadOnlyList<ComputeBackend> devices, AlsProblem problem)
    {
        ArgumentOutOfRangeException.ThrowIfZero(devices.Count);
        _problem = problem;
        int k = problem.Options.Factors;
        _gramHost = new float[k * k];
        var userRanges = Split(problem.UserPtr, devices.Count);
        var itemRanges = Split(problem.ItemPtr, devices.Count);
        var plans = new PartPlan[devices.Count];
        for (int d = 0; d < devices.Count; d++)
        {
            plans[d] = PartPlan.Create(devices[d], problem, userRanges[d], itemRanges[d]);
        }
        // Pinned for the engine's life: the page locks below let the copies run asynchronously.
        _pins = [.. new Array[] { problem.UserItems, problem.UserConfidence, problem.ItemUsers, problem.ItemConfidence, problem.UserFactors, problem.ItemFactors }
            .Select(a => GCHandle.Alloc(a, GCHandleType.Pinned))];
        _parts = new DevicePart[devices.Count];
        try
        {
            for (int d = 0; d < devices.Count; d++)
            {
                _parts[d] = new DevicePart(plans[d], problem);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public AlsProblem Problem => _problem;

    /// <summary>Bytes copied between host and devices so far (interactions, factors, Gram matrices), for benchmarks; a resident device's one upload of its interactions is counted at construction.</summary>
    public long BytesCopied => _parts.Sum(p => p?.BytesCopied ?? 0);

    /// <summary>Chunks per device of the user side and of the item side; one each where a device holds its range whole.</summary>
    public IReadOnlyList<(int Users, int Items, bool Resident)> Layout =>
        [.. _parts.Select(p => (p.Plan.Users.Count, p.Plan.Items.Count, p.Plan.Resident))];

    public double Solve(AlsSide side, CancellationCheck cancel = default)
    {
        var s = _problem.Of(side);
        cancel.ThrowIfRequested();
        ShareOtherSide(s.Other, s.OtherRows);
        cancel.ThrowIfRequested();
        return Sum(part => part.Solve(side, cancel));
    }

    public double LossTerm()
    {
        ShareOtherSide(_problem.ItemFactors, _problem.ItemCount);
        return Sum(part => part.Loss());
    }

    public void CopyTo(float[] userFactors, float[] itemFactors)
    {
        _problem.UserFactors.AsSpan().CopyTo(userFactors);
        _problem.ItemFactors.AsSpan().CopyTo(itemFactors);
    }

    public void Dispose()
    {
        foreach (var part in _parts)
        {
            part?.Dispose();
        }
        foreach (var pin in _pins)
        {
            pin.Free();
        }
    }

    /// <summary>
    /// Every device receives the other side's whole matrix from the host (where the last half-iteration left
    /// its rows), and the Gram matrix device 0 computes from it. With peer access the devices could instead
    /// send one another the rows they solved; through the host works everywhere, the CPU accelerator included.
    /// </summary>
    private void ShareOtherSide(float[] other, int rows)
    {
        ForEach(part =>
        {
            part.Receive(other, rows);
            return 0;
        });
        var first = _parts[0];
        first.Solver.Gram(first.Other.View, rows);
        first.Device.Accelerator!.Synchronize();
        if (_parts.Length > 1)
        {
            first.Solver.CopyGramTo(_gramHost);
            first.BytesCopied += 4L * _gramHost.Length;
            foreach (var part in _parts.Skip(1))
            {
                part.Solver.SetGram(_gramHost);
                part.BytesCopied += 4L * _gramHost.Length;
            }
        }
    }

    private double Sum(Func<DevicePart, double> work) => ForEach(work).Sum();

    /// <summary>Runs <paramref name="work"/> on every device at once, one host thread each; the first failure is rethrown as itself.</summary>
    private double[] ForEach(Func<DevicePart, double> work)
    {
        var results = new double[_parts.Length];
        if (_parts.Length == 1)
        {
            results[0] = work(_parts[0]);
            return results;
        }
        try
        {
            Parallel.For(0, _parts.Length, new ParallelOptions { MaxDegreeOfParallelism = _parts.Length }, d => results[d] = work(_parts[d]));
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return results;
    }

    /// <summary>Contiguous row ranges, one per part, cut where the running rows + interactions pass each part's equal share.</summary>
    internal static (int Start, int End)[] Split(int[] ptr, int parts)
    {
        int rows = ptr.Length - 1;
        long total = rows + (long)ptr[rows];
        var ranges = new (int, int)[parts];
        int start = 0;
        for (int p = 0; p < parts; p++)
        {
            int end = start;
            long target = total * (p + 1) / parts;
            while (end < rows && (p == parts - 1 || end + (long)ptr[end] < target))
            {
                end++;
            }
            ranges[p] = (start, end);
            start = end;
        }
        return ranges;
    }

    /// <summary>A run of rows of one side: its offsets rebased to its first interaction, and (conjugate gradient) its segments.</summary>
    internal sealed record Chunk(int Start, int Rows, int First, int Count, int[] Ptr, int[] SegmentRows, int[] SegmentStarts)
    {
        public static Chunk Create(int[] ptr, int start, int end, bool cg)
        {
            int first = ptr[start];
            var local = GC.AllocateUninitializedArray<int>(end - start + 1, pinned: true);
            for (int r = start; r <= end; r++)
            {
                local[r - start] = ptr[r] - first;
            }
            var (rows, starts) = cg ? IlgpuAlsEngine.Segments(local) : ([], []);
            return new Chunk(start, end - start, first, ptr[end] - first, local, rows, starts);
        }

        /// <summary>Device bytes of the chunk's own buffers: offsets, interactions, confidences, its factor rows, segments.</summary>
        public long Bytes(int k) => new DeviceFootprint().Add<int>(Rows + 1).Add<int>(Count).Add<float>(Count).Add<float>((long)Rows * k)
            .Add<int>(SegmentRows.Length).Add<int>(SegmentStarts.Length).Bytes;
    }

    /// <summary>How one device holds its ranges: the chunks of each side, whether they all stay resident, and what it allocates.</summary>
    internal sealed record PartPlan(ComputeBackend Device, IReadOnlyList<Chunk> Users, IReadOnlyList<Chunk> Items, bool Resident, int MaxRows, long OtherFloats)
    {
        public static PartPlan Create(ComputeBackend device, AlsProblem problem, (int Start, int End) users, (int Start, int End) items)
        {
            var o = problem.Options;
            int k = o.Factors;
            bool cg = o.Solver == AlsSolver.ConjugateGradient;
            long otherFloats = (long)Math.Max(problem.UserCount, problem.ItemCount) * k;
            long budget = device.MemoryBudget;
            long Fixed(int maxRows) => AlsDeviceSolver.AddFootprint(new DeviceFootprint().Add<float>(otherFloats), device, o, maxRows).Bytes;

            var wholeUsers = new[] { Chunk.Create(problem.UserPtr, users.Start, users.End, cg) };
            var wholeItems = new[] { Chunk.Create(problem.ItemPtr, items.Start, items.End, cg) };
            int wholeRows = Math.Max(wholeUsers[0].Rows, wholeItems[0].Rows);
            if (Fixed(wholeRows) + wholeUsers[0].Bytes(k) + wholeItems[0].Bytes(k) <= budget)
            {
                return new PartPlan(device, wholeUsers, wholeItems, true, wholeRows, otherFloats);
            }
            // Two chunk buffers: the one solved and the one being copied. Shrink the chunks until both fit beside the fixed part.
            long target = Math.Max(1, (budget - Fixed(0)) / 2);
            while (true)
            {
                var userChunks = Cut(problem.UserPtr, users, target, k, cg);
                var itemChunks = Cut(problem.ItemPtr, items, target, k, cg);
                var all = userChunks.Concat(itemChunks).ToList();
                int maxRows = all.Count == 0 ? 0 : all.Max(c => c.Rows);
                long largest = all.Count == 0 ? 0 : all.Max(c => c.Bytes(k));
                long need = Fixed(maxRows) + 2 * largest;
                if (need <= budget)
                {
                    return new PartPlan(device, userChunks, itemChunks, false, maxRows, otherFloats);
                }
                if (all.All(c => c.Rows <= 1))
                {
                    throw new DeviceMemoryException(
                        $"ALS training streams the interactions through the {Size(budget)} of {device.DeviceName}, but it must hold the larger side's factors whole ({Size(4 * otherFloats)}) beside two chunks of its longest row: a budget of {Size(need)} ({need} bytes) would fit; {ComputeBackend.TrainingAdvice}.",
                        need,
                        budget);
                }
                target = target * 3 / 4;
            }
        }

        /// <summary>Chunks of at most <paramref name="target"/> bytes each (one row, however long, at least).</summary>
        private static List<Chunk> Cut(int[] ptr, (int Start, int End) range, long target, int k, bool cg)
        {
            var chunks = new List<Chunk>();
            int start = range.Start;
            while (start < range.End)
            {
                int end = start + 1;
                while (end < range.End && ChunkBytes(ptr, start, end + 1, k, cg) <= target)
                {
                    end++;
                }
                chunks.Add(Chunk.Create(ptr, start, end, cg));
                start = end;
            }
            return chunks;
        }

        /// <summary>An upper bound of <see cref="Chunk.Bytes"/> for rows [start, end), without building it: every row one segment or more.</summary>
        private static long ChunkBytes(int[] ptr, int start, int end, int k, bool cg)
        {
            long rows = end - start;
            long count = ptr[end] - ptr[start];
            long segments = cg ? rows + count / IlgpuAlsEngine.SegmentLength : 0;
            return 4 * (rows + 1 + 2 * count + rows * k + 2 * Math.Max(1, segments));
        }

        /// <summary>Bytes in the largest binary unit that keeps a whole number in front: 512.0 KiB, 1.5 MiB.</summary>
        private static string Size(long bytes)
        {
            string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
            double value = bytes;
            int unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }
            return unit == 0 ? $"{bytes} bytes" : $"{value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} {units[unit]}";
        }
    }

    /// <summary>One device: its solver, the other side's factors, and its chunk buffers (one per chunk when resident, else two).</summary>
    private sealed class DevicePart : IDisposable
    {
        private readonly AlsProblem _problem;
        private readonly List<IDisposable> _owned = new();
        private readonly Slot[] _slots;
        private readonly AcceleratorStream _copies;

        public DevicePart(PartPlan plan, AlsProblem problem)
        {
            Plan = plan;
            _problem = problem;
            Device = plan.Device;
            var accelerator = Device.Accelerator!;
            int k = problem.Options.Factors;
            var chunks = plan.Users.Concat(plan.Items).ToList();
            try
            {
                _copies = Own(accelerator.CreateStream());
                Lock(problem.UserItems);
                Lock(problem.ItemUsers);
                Lock(problem.UserConfidence);
                Lock(problem.ItemConfidence);
                Lock(problem.UserFactors);
                Lock(problem.ItemFactors);
                Other = Own(Device.Allocate<float>(plan.OtherFloats, "the other side's factors"));
                Solver = Own(new AlsDeviceSolver(Device, problem.Options, plan.MaxRows));
                _slots = plan.Resident
                    ? [.. chunks.Select(c => new Slot(this, c.Rows, c.Count, c.SegmentRows.Length, k))]
                    : [.. Enumerable.Range(0, 2).Select(_ => new Slot(this, chunks.Select(c => c.Rows).DefaultIfEmpty().Max(), chunks.Select(c => c.Count).DefaultIfEmpty().Max(), chunks.Select(c => c.SegmentRows.Length).DefaultIfEmpty().Max(), k))];
                if (plan.Resident)
                {
                    // Uploaded once, here: a resident device's half-iterations copy factor rows only.
                    for (int c = 0; c < plan.Users.Count; c++)
                    {
                        Stage(_slots[c], plan.Users[c], problem.UserItems, problem.UserConfidence, problem.UserFactors, withFactors: false);
                    }
                    for (int c = 0; c < plan.Items.Count; c++)
                    {
                        Stage(_slots[plan.Users.Count + c], plan.Items[c], problem.ItemUsers, problem.ItemConfidence, problem.ItemFactors, withFactors: false);
                    }
                    _copies.Synchronize();
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public PartPlan Plan { get; }

        public ComputeBackend Device { get; }

        public AlsDeviceSolver Solver { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> Other { get; }

        public long BytesCopied { get; set; }

        /// <summary>Copies the other side's <paramref name="rows"/> rows from the host.</summary>
        public void Receive(float[] other, int rows)
        {
            long floats = (long)rows * _problem.Options.Factors;
            if (floats > 0)
            {
                Other.View.SubView(0, floats).CopyFromCPU(ref other[0], floats);
                BytesCopied += 4 * floats;
            }
        }

        /// <summary>Solves this device's rows of <paramref name="side"/>, writing them to the host; returns their Σ|row|².</summary>
        public double Solve(AlsSide side, CancellationCheck cancel)
        {
            var s = _problem.Of(side);
            var chunks = side == AlsSide.Users ? Plan.Users : Plan.Items;
            int offset = side == AlsSide.Users ? 0 : Plan.Users.Count;
            bool warmStart = _problem.Options.Solver == AlsSolver.ConjugateGradient;
            return Stream(chunks, offset, s.Idx, s.Confidence, s.Factors, warmStart, cancel, (slot, chunk) =>
            {
                double norm = Solver.Solve(slot.Views(chunk), Other.View, slot.Factors.View, chunk.Rows);
                Download(slot, chunk, s.Factors);
                return norm;
            });
        }

        /// <summary>The loss kernel over this device's users, against the Gram matrix of the item factors already set.</summary>
        public double Loss() =>
            Stream(Plan.Users, 0, _problem.UserItems, _problem.UserConfidence, _problem.UserFactors, true, default, (slot, chunk) =>
                Solver.Loss(slot.Views(chunk), Other.View, slot.Factors.View, chunk.Rows));

        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--)
            {
                _owned[i].Dispose();
            }
        }

        /// <summary>
        /// Runs <paramref name="work"/> on each chunk in turn, the next chunk's copy issued on the copy stream
        /// before the current chunk's kernels (double buffering); resident chunks copy only their factor rows.
        /// </summary>
        private double Stream(IReadOnlyList<Chunk> chunks, int offset, int[] idx, float[] confidence, float[] factors, bool withFactors, CancellationCheck cancel, Func<Slot, Chunk, double> work)
        {
            double total = 0;
            if (chunks.Count == 0)
            {
                return total;
            }
            Slot SlotOf(int c) => Plan.Resident ? _slots[offset + c] : _slots[c % 2];
            Stage(SlotOf(0), chunks[0], idx, confidence, factors, withFactors);
            _copies.Synchronize();
            for (int c = 0; c < chunks.Count; c++)
            {
                cancel.ThrowIfRequested();
                if (c + 1 < chunks.Count)
                {
                    Stage(SlotOf(c + 1), chunks[c + 1], idx, confidence, factors, withFactors);
                }
                total += work(SlotOf(c), chunks[c]);
                _copies.Synchronize();
            }
            return total;
        }

        /// <summary>Issues a chunk's copies on the copy stream: its interactions unless already resident, and its factor rows when the kernel reads them.</summary>
        private void Stage(Slot slot, Chunk chunk, int[] idx, float[] confidence, float[] factors, bool withFactors)
        {
            if (slot.Holds != chunk)
            {
                slot.Ptr.View.SubView(0, chunk.Rows + 1).CopyFromCPU(_copies, ref chunk.Ptr[0], chunk.Rows + 1);
                long bytes = 4L * (chunk.Rows + 1);
                if (chunk.Count > 0)
                {
                    slot.Idx.View.SubView(0, chunk.Count).CopyFromCPU(_copies, ref idx[chunk.First], chunk.Count);
                    slot.Confidence.View.SubView(0, chunk.Count).CopyFromCPU(_copies, ref confidence[chunk.First], chunk.Count);
                    bytes += 8L * chunk.Count;
                }
                if (chunk.SegmentRows.Length > 0)
                {
                    slot.SegmentRows.View.SubView(0, chunk.SegmentRows.Length).CopyFromCPU(_copies, ref chunk.SegmentRows[0], chunk.SegmentRows.Length);
                    slot.SegmentStarts.View.SubView(0, chunk.SegmentStarts.Length).CopyFromCPU(_copies, ref chunk.SegmentStarts[0], chunk.SegmentStarts.Length);
                    bytes += 8L * chunk.SegmentRows.Length;
                }
                BytesCopied += bytes;
                slot.Holds = Plan.Resident ? chunk : null;
            }
            long floats = (long)chunk.Rows * _problem.Options.Factors;
            if (withFactors && floats > 0)
            {
                slot.Factors.View.SubView(0, floats).CopyFromCPU(_copies, ref factors[(long)chunk.Start * _problem.Options.Factors], floats);
                BytesCopied += 4 * floats;
            }
        }

        private void Download(Slot slot, Chunk chunk, float[] factors)
        {
            long floats = (long)chunk.Rows * _problem.Options.Factors;
            if (floats > 0)
            {
                slot.Factors.View.SubView(0, floats).CopyToCPU(ref factors[(long)chunk.Start * _problem.Options.Factors], floats);
                BytesCopied += 4 * floats;
            }
        }

        /// <summary>Page-locks a host array the engine has pinned, so that copies from it can run asynchronously.</summary>
        private void Lock<T>(T[] array) where T : unmanaged
        {
            if (array.Length > 0)
            {
                Own(Device.Accelerator!.CreatePageLockFromPinned(array));
            }
        }

        private T Own<T>(T disposable) where T : IDisposable
        {
            _owned.Add(disposable);
            return disposable;
        }

        /// <summary>The device buffers of one chunk at a time.</summary>
        private sealed class Slot
        {
            /// <summary>Allocates the buffers, owned by <paramref name="part"/> (which frees them however far this got).</summary>
            public Slot(DevicePart part, int rows, int count, int segments, int k)
            {
                var device = part.Device;
                Ptr = part.Own(device.Allocate<int>(rows + 1L, "chunk offsets"));
                Idx = part.Own(device.Allocate<int>(count, "chunk interactions"));
                Confidence = part.Own(device.Allocate<float>(count, "chunk confidences"));
                Factors = part.Own(device.Allocate<float>((long)rows * k, "chunk factors"));
                SegmentRows = part.Own(device.Allocate<int>(segments, "chunk segments"));
                SegmentStarts = part.Own(device.Allocate<int>(segments, "chunk segment starts"));
            }

            public MemoryBuffer1D<int, Stride1D.Dense> Ptr { get; }

            public MemoryBuffer1D<int, Stride1D.Dense> Idx { get; }

            public MemoryBuffer1D<float, Stride1D.Dense> Confidence { get; }

            public MemoryBuffer1D<float, Stride1D.Dense> Factors { get; }

            public MemoryBuffer1D<int, Stride1D.Dense> SegmentRows { get; }

            public MemoryBuffer1D<int, Stride1D.Dense> SegmentStarts { get; }

            /// <summary>The chunk whose interactions stay in this slot (resident plans only).</summary>
            public Chunk? Holds { get; set; }

            public RowViews Views(Chunk chunk) => new(Ptr.View, Idx.View, Confidence.View, SegmentRows.View, SegmentStarts.View, chunk.SegmentRows.Length);
        }
    }
}
