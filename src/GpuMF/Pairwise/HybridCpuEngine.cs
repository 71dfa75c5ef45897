using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// The managed CPU backend's frame for hybrid BPR and WARP: Hogwild SGD (Niu, Recht, Ré, Wright, NIPS 2011), as
/// LightFM trains. The plain engines' block partition (<see cref="CpuPairwiseEngine"/>) keeps threads on disjoint
/// user and item rows, but feature rows are shared between entities: a genre's row belongs to every item of that
/// genre, so no partition of users and items keeps two threads off it. Here each epoch visits the positives in the
/// affine order (seed, epoch, 0), cut into T consecutive ranges (T = threads), which each thread first copies out in
/// that order so that it then reads them sequentially; thread t runs range t with its own
/// stream (seed, epoch, t) and draws negatives from the whole catalogue (WARP's rank estimate ⌊(n − 1)/trials⌋ as in
/// the plain engines). With one thread that is exactly what one GPU warp visits and draws, and a run repeats exactly.
/// <para>
/// What races with several threads: the read-modify-writes of feature rows, item feature biases and their adagrad
/// sums touched by two samples at once (popular items, shared features, a user's rows when the user has positives
/// in two ranges) are not atomic, so one thread may compose a vector from rows another is half-way through updating,
/// or overwrite another's increment of a factor. Each sample touches a few rows of k floats out of tables of many
/// rows, so collisions are rare, a lost increment is one small SGD step among millions, and the analysis of Niu et
/// al. bounds the effect on convergence for such sparse updates; runs with several threads differ in the last bits
/// and are equally good (the tests bound the gap to one thread). Rows are padded to whole cache lines, pinned and
/// 64-byte aligned, so that threads on different rows never share a line.
/// </para>
/// <para>
/// A row of weight 1 alone (an identity-only side, or an entity with one feature) is used in place, without a
/// copy; other entities' vectors are composed into the thread's workspace. Cancellation is checked before the epoch
/// and at <see cref="CpuPairwiseEngine.Stop"/>'s check points of a range; "is j observed for u" is asked of
/// <see cref="ObservedPairs"/>.
/// </para>
/// </summary>
internal abstract unsafe class HybridCpuEngine : HybridEngine
{
    /// <summary>Floats in a cache line: the row padding and the spacing of the bias lines.</summary>
    protected const int Line = 16;

    private readonly PinnedArrays _pins = new();
    private readonly ParallelOptions _parallel;

    protected HybridCpuEngine(HybridProblem problem, int threads)
    {
        Problem = problem;
        Settings = problem.Settings;
        Threads = Math.Max(1, threads);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        int k = Settings.Factors;
        Stride = (k + Line - 1) / Line * Line;
        UserRows = Side(problem.UserSide);
        ItemRows = Side(problem.ItemSide);
        ItemIdentityCount = problem.ItemSide.IdentityCount;
        EU = Rows(problem.UserEmbeddings, problem.UserSide.ColumnCount, k, Stride);
        EI = Rows(problem.ItemEmbeddings, problem.ItemSide.ColumnCount, k, Stride);
        GU = Rows(problem.UserSums, problem.UserSide.ColumnCount, k, Stride);
        GI = Rows(problem.ItemSums, problem.ItemSide.ColumnCount, k, Stride);
        BiasLines = Rows(problem.ItemBiases, problem.ItemSide.ColumnCount, 1, Line);
        if (problem.BiasSums is { } sums)
        {
            for (int c = 0; c < sums.Length; c++)
            {
                BiasLines[(long)c * Line + 1] = sums[c];
            }
        }
        PositiveUsers = _pins.Pin(problem.Users);
        PositiveItems = _pins.Pin(problem.Items);
        OrderedPairs = _pins.Pin(new int[2 * problem.Positives]);
        Observed = new ObservedPairs(problem.UserCount, problem.ItemCount, problem.SeenPtr, problem.SeenItems);
        var rows = Rows(null, 4 * Threads, 0, Stride);
        int named = problem.ItemSide.Names.Count;
        Workspaces = [.. Enumerable.Range(0, Threads).Select(w => new Workspace(rows + 4L * w * Stride, Stride, Rows(null, named, 0, 1), _pins.Pin(new int[named]), named))];
    }

    protected HybridProblem Problem { get; }

    protected PairwiseSettings Settings { get; }

    /// <summary>Floats from one table row to the next: the factors rounded up to whole cache lines.</summary>
    protected int Stride { get; }

    /// <summary>True under adagrad.</summary>
    protected bool Adagrad => GU != null;

    private int Threads { get; }

    private FeatureRows UserRows { get; }

    private FeatureRows ItemRows { get; }

    /// <summary>The item side's identity columns; the named ones follow.</summary>
    private int ItemIdentityCount { get; }

    /// <summary>User feature embeddings, column c at c·<see cref="Stride"/>.</summary>
    private float* EU { get; }

    /// <summary>Item feature embeddings, column c at c·<see cref="Stride"/>.</summary>
    private float* EI { get; }

    /// <summary>Adagrad sums of <see cref="EU"/>, laid out alike; null under plain SGD.</summary>
    private float* GU { get; }

    /// <summary>Adagrad sums of <see cref="EI"/>, laid out alike; null under plain SGD.</summary>
    private float* GI { get; }

    /// <summary>One cache line per item feature column: its bias at c·<see cref="Line"/> and the bias's adagrad sum right after.</summary>
    private float* BiasLines { get; }

    private int* PositiveUsers { get; }

    private int* PositiveItems { get; }

    /// <summary>This epoch's positives in its order, (user, item) at [2n, 2n + 1], each thread's range written by the thread.</summary>
    private int* OrderedPairs { get; }

    private ObservedPairs Observed { get; }

    /// <summary>Each thread's rows and memo.</summary>
    private Workspace[] Workspaces { get; }

    public override EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        int t = Threads;
        long n = Problem.Positives;
        var order = AffinePermutation.Random(n, Settings.Seed, epoch, 0);
        var partial = new EpochResult[t];
        cancel.ThrowIfRequested();
        Parallel.For(0, t, _parallel, w =>
        {
            long from = n * w / t;
            long to = n * (w + 1) / t;
            int* pairs = OrderedPairs + 2 * from;
            long index = (order.A * from + order.B) % n;
            for (long q = 0; q < to - from; q++)
            {
                pairs[2 * q] = PositiveUsers[index];
                pairs[2 * q + 1] = PositiveItems[index];
                index += order.A;
                index = index >= n ? index - n : index;
            }
            var rng = PairwiseSgd.Stream(Settings.Seed, epoch, w);
            partial[w] = RunRange(new Range(pairs, (int)(to - from)), ref rng, Workspaces[w], learningRate, cancel);
        });
        cancel.ThrowIfCancelled();
        var total = default(EpochResult);
        foreach (var p in partial)
        {
            total += p;
        }
        return total;
    }

    public override void CopyTo(HybridProblem target)
    {
        int k = Settings.Factors;
        PinnedArrays.CopyOut(EU, Stride, target.UserEmbeddings, k, target.UserSide.ColumnCount);
        PinnedArrays.CopyOut(EI, Stride, target.ItemEmbeddings, k, target.ItemSide.ColumnCount);
        PinnedArrays.CopyOut(GU, Stride, target.UserSums, k, target.UserSide.ColumnCount);
        PinnedArrays.CopyOut(GI, Stride, target.ItemSums, k, target.ItemSide.ColumnCount);
        for (int c = 0; c < target.ItemBiases.Length; c++)
        {
            target.ItemBiases[c] = BiasLines[(long)c * Line];
            if (target.BiasSums is { } sums)
            {
                sums[c] = BiasLines[(long)c * Line + 1];
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        _pins.Dispose();
        Observed.Dispose();
    }

    /// <summary>
    /// Runs a range of the epoch's order: its samples front to back, drawing from <paramref name="rng"/>, the range's
    /// stream, and composing into <paramref name="workspace"/>, the thread's own; stops early once <see cref="CpuPairwiseEngine.Stop"/> says so.
    /// </summary>
    protected abstract EpochResult RunRange(Range range, ref XorShiftRandom rng, Workspace workspace, float learningRate, CancellationCheck cancel);

    /// <summary>True when user <paramref name="u"/> has item <paramref name="item"/> among the observed ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected bool Seen(int u, int item) => Observed.Contains(u, item);

    /// <summary>Asks for what <see cref="Seen"/>(u, item) will read (<see cref="ObservedPairs.Prefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void PrefetchSeen(int u, int item) => Observed.Prefetch(u, item);

    /// <summary>
    /// Asks for the cache lines that scoring item <paramref name="i"/> reads first: its CSR offset and, when the item
    /// side has identity columns, its own row (column i) and bias line, so that their misses overlap other work.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void PrefetchItem(int i)
    {
        if (!Sse.IsSupported)
        {
            return;
        }
        Sse.Prefetch0(ItemRows.Ptr + i);
        if (i < ItemIdentityCount)
        {
            float* row = EI + (long)i * Stride;
            for (int f = 0; f < Settings.Factors; f += Line)
            {
                Sse.Prefetch0(row + f);
            }
            Sse.Prefetch0(BiasLines + (long)i * Line);
        }
    }

    /// <summary>User <paramref name="u"/>'s vector p_u: its row in place when it is one row of weight 1, else composed into <paramref name="scratch"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float* User(int u, float* scratch) => Compose(UserRows, EU, u, scratch);

    /// <summary>Item <paramref name="i"/>'s vector q_i, in place or composed into <paramref name="scratch"/> as <see cref="User"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float* Item(int i, float* scratch) => Compose(ItemRows, EI, i, scratch);

    /// <summary>Item <paramref name="i"/>'s bias b_i = Σ w·b over its rows; 0 when the model has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float Bias(int i)
    {
        if (!Settings.ItemBias)
        {
            return 0f;
        }
        var rows = ItemRows;
        float sum = 0f;
        for (int n = rows.Ptr[i]; n < rows.Ptr[i + 1]; n++)
        {
            var entry = rows.Entries[n];
            sum += entry.Weight * BiasLines[(long)entry.Column * Line];
        }
        return sum;
    }

    /// <summary>
    /// b_i + p·q_i for item <paramref name="i"/> without composing q_i: Σ w·b + Σ w·(p·e) over i's rows in one pass, a
    /// named row's p·e taken from <paramref name="workspace"/>'s memo when this sample (<see cref="Workspace.NextSample"/>)
    /// has computed it already.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float Score(float* p, int i, Workspace workspace)
    {
        var rows = ItemRows;
        int k = Settings.Factors;
        int identity = ItemIdentityCount;
        bool useBias = Settings.ItemBias;
        float* dots = workspace.Dots;
        int* stamps = workspace.Stamps;
        int stamp = workspace.Stamp;
        long s = Stride;
        float bias = 0f;
        float sum = 0f;
        for (int n = rows.Ptr[i]; n < rows.Ptr[i + 1]; n++)
        {
            var entry = rows.Entries[n];
            int c = entry.Column;
            float dot;
            if (c < identity)
            {
                dot = PairwiseVectorMath.Dot(p, EI + c * s, k);
            }
            else if (stamps[c - identity] == stamp)
            {
                dot = dots[c - identity];
            }
            else
            {
                dot = PairwiseVectorMath.Dot(p, EI + c * s, k);
                dots[c - identity] = dot;
                stamps[c - identity] = stamp;
            }
            if (useBias)
            {
                bias += entry.Weight * BiasLines[(long)c * Line];
            }
            sum += entry.Weight * dot;
        }
        return bias + sum;
    }

    /// <summary>
    /// The step raising p_u·q_i − p_u·q_j (+ b_i − b_j) with weight <paramref name="c"/>, from the vectors as they are
    /// before it: item i's rows along c·p_u, item j's along −c·p_u, then the user's along c·(q_i − q_j), which is
    /// taken into <paramref name="difference"/> first since the item rows may be q_i or q_j themselves; then the biases.
    /// The same order as <see cref="HybridKernels"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void Step(int u, int i, int j, float* p, float* qi, float* qj, float* difference, float c, float lr)
    {
        int k = Settings.Factors;
        float reg = Settings.Regularization;
        HybridVectorMath.Difference(qi, qj, difference, k);
        Ascend(ItemRows, EI, GI, i, p, c, lr, reg);
        Ascend(ItemRows, EI, GI, j, p, -c, lr, reg);
        Ascend(UserRows, EU, GU, u, difference, c, lr, reg);
        if (Settings.ItemBias)
        {
            AscendBias(i, c, lr, reg);
            AscendBias(j, -c, lr, reg);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* Compose(FeatureRows rows, float* table, int e, float* scratch)
    {
        int start = rows.Ptr[e];
        int end = rows.Ptr[e + 1];
        long s = Stride;
        if (end - start == 1 && rows.Entries[start].Weight == 1f)
        {
            return table + rows.Entries[start].Column * s;
        }
        int k = Settings.Factors;
        new Span<float>(scratch, k).Clear();
        for (int n = start; n < end; n++)
        {
            var entry = rows.Entries[n];
            HybridVectorMath.AddScaled(scratch, table + entry.Column * s, entry.Weight, k);
        }
        return scratch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ascend(FeatureRows rows, float* table, float* sums, int e, float* direction, float c, float lr, float reg)
    {
        int k = Settings.Factors;
        long s = Stride;
        for (int n = rows.Ptr[e]; n < rows.Ptr[e + 1]; n++)
        {
            var entry = rows.Entries[n];
            long at = entry.Column * s;
            HybridVectorMath.Ascend(table + at, sums == null ? null : sums + at, direction, entry.Weight * c, k, lr, reg);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AscendBias(int i, float c, float lr, float reg)
    {
        var rows = ItemRows;
        for (int n = rows.Ptr[i]; n < rows.Ptr[i + 1]; n++)
        {
            var entry = rows.Entries[n];
            float* line = BiasLines + (long)entry.Column * Line;
            float b = line[0];
            float d = entry.Weight * c - reg * b;
            if (Adagrad)
            {
                float g = line[1];
                line[0] = b + lr / MathF.Sqrt(g) * d;
                line[1] = g + d * d;
            }
            else
            {
                line[0] = b + lr * d;
            }
        }
    }

    /// <summary>A side's CSR with each entry's column and weight side by side, so that reading an entry is one cache miss.</summary>
    private FeatureRows Side(GpuMF.Data.FeatureMatrix side)
    {
        var entries = new Entry[side.Count];
        for (int n = 0; n < entries.Length; n++)
        {
            entries[n] = new Entry(side.Columns[n], side.Weights[n]);
        }
        return new(_pins.Pin(side.RowPtr), _pins.Pin(entries));
    }

    /// <summary>
    /// <paramref name="rows"/> rows of <paramref name="stride"/> floats in pinned memory starting on a cache line,
    /// row r holding <paramref name="source"/>'s row r of <paramref name="width"/> values (zeros without a source);
    /// null for a null source of positive width.
    /// </summary>
    private float* Rows(float[]? source, int rows, int width, int stride)
    {
        if (source is null && width > 0)
        {
            return null;
        }
        var buffer = GC.AllocateArray<float>(checked((int)((long)rows * stride + Line)), pinned: true);
        float* start = _pins.Pin(buffer);
        start += (Line - (int)((nint)start / sizeof(float) % Line)) % Line;
        PinnedArrays.CopyIn(source, width, start, rows, stride);
        return start;
    }

    /// <summary>A thread's range of the epoch: <see cref="Count"/> positives, (user, item) at <see cref="Pairs"/>[2n, 2n + 1], in the epoch's order.</summary>
    protected readonly struct Range(int* pairs, int count)
    {
        public int* Pairs { get; } = pairs;

        public int Count { get; } = count;
    }

    /// <summary>
    /// A thread's scratch: four rows (<see cref="P"/>, <see cref="Qi"/>, <see cref="Qj"/>, <see cref="Difference"/>) for the
    /// vectors that are composed rather than used in place, and a memo of p_u's dot products with the item side's named
    /// rows: a sample's candidates share their genres, so WARP computes each p_u·e once per sample.
    /// </summary>
    protected sealed class Workspace(float* rows, int stride, float* dots, int* stamps, int named)
    {
        public float* P { get; } = rows;

        public float* Qi { get; } = rows + stride;

        public float* Qj { get; } = rows + 2L * stride;

        public float* Difference { get; } = rows + 3L * stride;

        /// <summary>p_u·e of each named item column, where <see cref="Stamps"/> says this sample computed it.</summary>
        public float* Dots { get; } = dots;

        /// <summary>The sample that computed each memo entry; an entry is current when it equals <see cref="Stamp"/>.</summary>
        public int* Stamps { get; } = stamps;

        public int Stamp { get; private set; }

        /// <summary>Starts a sample: every memo entry becomes stale.</summary>
        public void NextSample()
        {
            if (Stamp == int.MaxValue)
            {
                new Span<int>(Stamps, named).Clear();
                Stamp = 0;
            }
            Stamp++;
        }
    }

    /// <summary>One side's feature CSR in pinned memory.</summary>
    private readonly struct FeatureRows(int* ptr, Entry* entries)
    {
        public int* Ptr { get; } = ptr;

        public Entry* Entries { get; } = entries;
    }

    /// <summary>A feature entry: the table row and its weight.</summary>
    private readonly record struct Entry(int Column, float Weight);
}
