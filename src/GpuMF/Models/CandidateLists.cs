using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// The result of <see cref="CandidateScorer.Rank"/>: one list per user of the call, in the order given, each holding
/// the user's candidates by dense item index, best first, ties to the lower index, with their scores. A list is
/// shorter than its candidates by those left out (seen in training when filtering, outside the item filter, or
/// named twice), which <see cref="SeenLeftOut"/>, <see cref="FilteredOut"/> and <see cref="Duplicates"/> count.
/// </summary>
public sealed class CandidateLists
{
    private readonly int[] _users;
    private readonly int[] _offsets;
    private readonly int[] _items;
    private readonly float[] _scores;

    internal CandidateLists(int[] users, int[] offsets, int[] items, float[] scores, long seenLeftOut, long filteredOut, long duplicates)
    {
        _users = users;
        _offsets = offsets;
        _items = items;
        _scores = scores;
        SeenLeftOut = seenLeftOut;
        FilteredOut = filteredOut;
        Duplicates = duplicates;
    }

    /// <summary>Number of lists: the users of the call.</summary>
    public int Count => _users.Length;

    /// <summary>Entries over all lists.</summary>
    public long TotalEntries => _offsets[^1];

    /// <summary>Entries of the longest list.</summary>
    public int LongestList
    {
        get
        {
            int longest = 0;
            for (int list = 0; list < _users.Length; list++)
            {
                longest = Math.Max(longest, _offsets[list + 1] - _offsets[list]);
            }
            return longest;
        }
    }

    /// <summary>Candidates left out because the user had them in training (only when the scorer filters them).</summary>
    public long SeenLeftOut { get; }

    /// <summary>Candidates left out by the scorer's allow- or deny-list.</summary>
    public long FilteredOut { get; }

    /// <summary>Candidates left out because the same list named the item before.</summary>
    public long Duplicates { get; }

    /// <summary>The dense user index of list <paramref name="list"/> (0..<see cref="Count"/>-1).</summary>
    public int User(int list) => _users[Check(list)];

    /// <summary>The dense item indices of list <paramref name="list"/>, best first.</summary>
    public ReadOnlySpan<int> Items(int list) => _items.AsSpan(_offsets[Check(list)], _offsets[list + 1] - _offsets[list]);

    /// <summary>The scores (p_u·q_i + b_i) of list <paramref name="list"/>, best first.</summary>
    public ReadOnlySpan<float> Scores(int list) => _scores.AsSpan(_offsets[Check(list)], _offsets[list + 1] - _offsets[list]);

    /// <summary>
    /// The lists by external id, each cut to its best <paramref name="n"/> (at least one slot a list): the form the
    /// batch writers take. Holds Count × min(n, <see cref="LongestList"/>) slots, so callers keep that product bounded.
    /// </summary>
    internal RankedLists ToRankedLists(FactorModel model, int n)
    {
        int slots = Math.Max(1, Math.Min(n, LongestList));
        var dense = new TopNBuffer(Count, slots);
        var queries = new int[Count];
        for (int list = 0; list < Count; list++)
        {
            queries[list] = _users[list];
            int count = Math.Min(slots, _offsets[list + 1] - _offsets[list]);
            dense.Counts[list] = count;
            Array.Copy(_items, _offsets[list], dense.Indices, (long)list * slots, count);
            Array.Copy(_scores, _offsets[list], dense.Scores, (long)list * slots, count);
        }
        var lists = new RankedLists(Count, slots, model.Users, model.Items);
        lists.Load(queries, dense);
        return lists;
    }

    private int Check(int list)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(list);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(list, Count);
        return list;
    }
}
