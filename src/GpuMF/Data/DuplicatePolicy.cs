namespace GpuMF.Data;

/// <summary>What <see cref="InteractionMatrix.Build"/> does with a (user, item) pair that occurs more than once.</summary>
public enum DuplicatePolicy
{
    /// <summary>Reject the input with an error naming the pair (the default: ratings files should not repeat a pair).</summary>
    Reject,

    /// <summary>Add the values (play counts, clicks).</summary>
    Sum,

    /// <summary>Keep the last value seen (a re-rating replaces the earlier one).</summary>
    KeepLast,
}
