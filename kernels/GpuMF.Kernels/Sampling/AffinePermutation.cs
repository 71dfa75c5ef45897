namespace GpuMF.Kernels.Sampling;

/// <summary>
/// The permutation t ↦ (A·t + B) mod N of 0..N-1, with A coprime to N. Visiting ratings in a fresh
/// affine order each epoch reshuffles them without moving any data, on the host or the device alike.
/// </summary>
public readonly struct AffinePermutation
{
    /// <summary>Creates the permutation with multiplier <paramref name="a"/> (coprime to n) and offset <paramref name="b"/>.</summary>
    public AffinePermutation(long n, long a, long b)
    {
        N = n;
        A = a;
        B = b;
    }

    /// <summary>Length of the permuted range.</summary>
    public long N { get; }

    /// <summary>Multiplier, coprime to N.</summary>
    public long A { get; }

    /// <summary>Offset in [0, N).</summary>
    public long B { get; }

    /// <summary>The t-th element, 0 ≤ t &lt; N.</summary>
    public long this[long t] => (A * t + B) % N;

    /// <summary>A seeded random permutation of 0..n-1 for the given epoch and stream.</summary>
    public static AffinePermutation Random(long n, ulong seed, int epoch, int stream)
    {
        if (n <= 1)
        {
            return new AffinePermutation(Math.Max(n, 1), 1, 0);
        }
        var rng = new XorShiftRandom(seed ^ ((ulong)(uint)epoch << 32), (ulong)(uint)stream + 0x51ED);
        while (true)
        {
            long a = 1 + (long)(rng.NextULong() % (ulong)(n - 1));
            if (Gcd(a, n) == 1)
            {
                return new AffinePermutation(n, a, (long)(rng.NextULong() % (ulong)n));
            }
        }
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
