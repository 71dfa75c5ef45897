namespace GpuMF.Pairwise;

/// <summary>
/// A fixed list of samples for the deterministic mode, in which the engines draw nothing: sample s is
/// user <see cref="Users"/>[s] with positive <see cref="Positives"/>[s] and the candidate negatives
/// <see cref="Negatives"/>[s·<see cref="NegativesPerSample"/> …] (BPR takes one; WARP scans MaxSampled
/// in order). Applied in order by one CPU thread or one GPU warp, so the two backends can be compared exactly.
/// </summary>
internal sealed record PairwiseSamples(int[] Users, int[] Positives, int[] Negatives, int NegativesPerSample)
{
    public int Count => Users.Length;

    public void Validate(int userCount, int itemCount)
    {
        if (Positives.Length != Users.Length || Negatives.Length != (long)Users.Length * NegativesPerSample)
        {
            throw new ArgumentException($"Given samples: {Users.Length} users, {Positives.Length} positives and {Negatives.Length} negatives do not match {NegativesPerSample} negatives per sample.");
        }
        Check(Users, userCount, "user");
        Check(Positives, itemCount, "positive item");
        Check(Negatives, itemCount, "negative item");
    }

    private static void Check(int[] values, int count, string what)
    {
        foreach (int v in values)
        {
            if ((uint)v >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(values), $"Given samples: {what} index {v} is outside 0..{count - 1}.");
            }
        }
    }
}
