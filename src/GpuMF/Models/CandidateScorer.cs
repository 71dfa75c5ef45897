using GpuMF.Backends;
using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// Candidate scoring, the second stage after another retrieval system: ranks lists of items chosen elsewhere by the
/// model's score p_u·q_i + b_i (the item bias where the model has one), each list best first, ties to the lower dense
/// item index, an item named twice in one list ranked once. Candidates the user had in training are kept unless the
/// scorer is created to filter them: the system that chose them may want them (re-purchases, re-watches).
/// On an ILGPU backend the model's factors are uploaded once when the scorer is created and every pair is scored on
/// the device (<see cref="Kernels.Scoring.PairScoreKernels"/>), the lists then ordered on the host; scores agree with
/// <see cref="FactorModel.Score"/> up to float rounding. On the managed CPU backend, or with none, pairs are scored on
/// every core with <see cref="FactorModel.Score"/> itself. Create one per job, call <see cref="Rank"/> once per chunk
/// of lists, dispose it at the end. Not thread-safe.
/// </summary>
public sealed class CandidateScorer : IDisposable
{
    /// <summary>Pairs a CPU worker scores at a time.</summary>
    private const int Block = 4096;

    private readonly IlgpuPairScorer? _device;
    private readonly bool[]? _allowed;
    private readonly ParallelOptions _parallel;

    private CandidateScorer(FactorModel model, IlgpuPairScorer? device, bool filterSeen, bool[]? allowed, int threads)
    {
        Model = model;
        _device = device;
        FilterSeen = filterSeen;
        _allowed = allowed;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }

    /// <summary>The model that scores.</summary>
    public FactorModel Model { get; }

    /// <summary>True when candidates the user had in training are left out.</summary>
    public bool FilterSeen { get; }

    /// <summary>True when the pairs are scored on an ILGPU device.</summary>
    public bool OnDevice => _device is not null;

    /// <summary>Creates a scorer of <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="backend">Where to score; null (default) runs on the managed CPU with every core.</param>
    /// <param name="filterSeen">Leave out each user's training items (default false: candidates are kept as given).</param>
    /// <param name="filter">An allow- or deny-list of items (default none); ids it names that the model lacks are ignored.</param>
    /// <exception cref="DeviceMemoryException">On a device, the model's factors do not fit in its memory.</exception>
    public static CandidateScorer Create(FactorModel model, ComputeBackend? backend = null, bool filterSeen = false, ItemFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var device = backend is { IsIlgpu: true } ? new IlgpuPairScorer(backend, model) : null;
        return new CandidateScorer(model, device, filterSeen, filter?.Resolve(model.Items), backend?.Threads ?? Environment.ProcessorCount);
    }

    /// <summary>
    /// Scores dense pairs: <paramref name="scores"/>[p] = the score of (<paramref name="users"/>[p], <paramref name="items"/>[p]),
    /// with no filtering and no ordering.
    /// </summary>
    /// <param name="users">Dense user indices, 0..Users.Count-1.</param>
    /// <param name="items">Dense item indices, 0..Items.Count-1, as many as <paramref name="users"/>.</param>
    /// <param name="scores">Receives the scores; as long as <paramref name="users"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or an index is out of range; the message names it.</exception>
    public void ScorePairs(ReadOnlyMemory<int> users, ReadOnlyMemory<int> items, Memory<float> scores)
    {
        if (items.Length != users.Length || scores.Length != users.Length)
        {
            throw new ArgumentException($"The pairs need as many items and scores as users: {users.Length} users, {items.Length} items, {scores.Length} scores.");
        }
        CheckIndices(users.Span, Model.Users.Count, "users", "user");
        CheckIndices(items.Span, Model.Items.Count, "items", "item");
        Score(users, items, scores);
    }

    /// <summary>
    /// Ranks the candidates of many users at once, given as compressed rows: list l is user <paramref name="users"/>[l]
    /// with items <paramref name="items"/>[<paramref name="offsets"/>[l] .. <paramref name="offsets"/>[l + 1]). A user
    /// may have several lists; each is ranked on its own.
    /// </summary>
    /// <param name="users">Dense user index of each list.</param>
    /// <param name="offsets">Where each list starts, one more than <paramref name="users"/>: 0 first, non-decreasing, the item count last.</param>
    /// <param name="items">Dense item indices of every list, one after the other.</param>
    /// <exception cref="ArgumentException">The offsets do not fit the lists, or an index is out of range; the message names it.</exception>
    public CandidateLists Rank(ReadOnlyMemory<int> users, ReadOnlyMemory<int> offsets, ReadOnlyMemory<int> items)
    {
        CheckOffsets(users.Length, offsets.Span, items.Length);
        CheckIndices(users.Span, Model.Users.Count, "users", "user");
        CheckIndices(items.Span, Model.Items.Count, "items", "item");
        int lists = users.Length;
        // A device scores every pair in one pass; the CPU scores each list's admissible items as it orders them.
        float[]? scores = null;
        if (_device is not null)
        {
            var pairUsers = new int[items.Length];
            for (int list = 0; list < lists; list++)
            {
                pairUsers.AsSpan(offsets.Span[list], offsets.Span[list + 1] - offsets.Span[list]).Fill(users.Span[list]);
            }
            scores = new float[items.Length];
            _device.Score(pairUsers, items.Span, scores);
        }
        var keys = new ulong[items.Length];
        var kept = new int[lists];
        long seen = 0, filtered = 0, duplicates = 0;
        Parallel.For(0, lists, _parallel, () => (Seen: 0L, Filtered: 0L, Duplicates: 0L), (list, _, counts) =>
        {
            int start = offsets.Span[list];
            int end = offsets.Span[list + 1];
            int u = users.Span[list];
            var seenItems = FilterSeen ? Model.SeenItems.AsSpan(Model.SeenPtr[u], Model.SeenPtr[u + 1] - Model.SeenPtr[u]) : default;
            var listItems = items.Span;
            int at = start;
            for (int p = start; p < end; p++)
            {
                int item = listItems[p];
                if (FilterSeen && seenItems.BinarySearch(item) >= 0)
                {
                    counts.Seen++;
                }
                else if (_allowed is not null && !_allowed[item])
                {
                    counts.Filtered++;
                }
                else
                {
                    keys[at++] = Key(scores is null ? Model.Score(u, item) : scores[p], item);
                }
            }
            var ranked = keys.AsSpan(start, at - start);
            ranked.Sort();
            // A repeated item has the same score, so its copies sort next to each other.
            int distinct = 0;
            for (int c = 0; c < ranked.Length; c++)
            {
                if (c > 0 && (uint)ranked[c] == (uint)ranked[distinct - 1])
                {
                    counts.Duplicates++;
                    continue;
                }
                ranked[distinct++] = ranked[c];
            }
            kept[list] = distinct;
            return counts;
        }, counts =>
        {
            Interlocked.Add(ref seen, counts.Seen);
            Interlocked.Add(ref filtered, counts.Filtered);
            Interlocked.Add(ref duplicates, counts.Duplicates);
        });
        var outOffsets = new int[lists + 1];
        for (int list = 0; list < lists; list++)
        {
            outOffsets[list + 1] = outOffsets[list] + kept[list];
        }
        var outItems = new int[outOffsets[lists]];
        var outScores = new float[outOffsets[lists]];
        for (int list = 0; list < lists; list++)
        {
            int from = offsets.Span[list];
            for (int c = 0; c < kept[list]; c++)
            {
                ulong key = keys[from + c];
                outItems[outOffsets[list] + c] = (int)(uint)key;
                outScores[outOffsets[list] + c] = ScoreOf(key);
            }
        }
        return new CandidateLists(users.ToArray(), outOffsets, outItems, outScores, seen, filtered, duplicates);
    }

    /// <inheritdoc />
    public void Dispose() => _device?.Dispose();

    /// <summary>
    /// A key whose ascending order is score descending, then item ascending: the score's bits mapped to an unsigned
    /// integer that orders as the floats do (negatives' bits all flipped, positives' sign bit set), then inverted,
    /// in the high half; the item in the low half. −0 is taken as +0 so that the two tie as the floats do.
    /// </summary>
    private static ulong Key(float score, int item)
    {
        uint bits = BitConverter.SingleToUInt32Bits(score == 0f ? 0f : score);
        uint ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)~ordered << 32) | (uint)item;
    }

    /// <summary>The score <see cref="Key"/> was made from.</summary>
    private static float ScoreOf(ulong key)
    {
        uint ordered = ~(uint)(key >> 32);
        return BitConverter.UInt32BitsToSingle((ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered);
    }

    private void Score(ReadOnlyMemory<int> users, ReadOnlyMemory<int> items, Memory<float> scores)
    {
        if (_device is not null)
        {
            _device.Score(users.Span, items.Span, scores.Span);
            return;
        }
        int blocks = (users.Length + Block - 1) / Block;
        Parallel.For(0, blocks, _parallel, b =>
        {
            int start = b * Block;
            int end = Math.Min(users.Length, start + Block);
            var u = users.Span;
            var i = items.Span;
            var s = scores.Span;
            for (int p = start; p < end; p++)
            {
                s[p] = Model.Score(u[p], i[p]);
            }
        });
    }

    private static void CheckOffsets(int lists, ReadOnlySpan<int> offsets, int items)
    {
        if (offsets.Length != lists + 1 || offsets[0] != 0 || offsets[lists] != items)
        {
            throw new ArgumentException($"The offsets must hold one more entry than the lists ({lists + 1}), start at 0 and end at the item count ({items}); they hold {offsets.Length}.", nameof(offsets));
        }
        for (int list = 0; list < lists; list++)
        {
            if (offsets[list + 1] < offsets[list])
            {
                throw new ArgumentException($"offsets[{list + 1}] = {offsets[list + 1]} is below offsets[{list}] = {offsets[list]}: lists must not overlap.", nameof(offsets));
            }
        }
    }

    private static void CheckIndices(ReadOnlySpan<int> indices, int count, string name, string what)
    {
        for (int p = 0; p < indices.Length; p++)
        {
            if ((uint)indices[p] >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(name, indices[p], $"{name}[{p}] = {indices[p]} is not a dense {what} index (0..{count - 1}).");
            }
        }
    }
}
