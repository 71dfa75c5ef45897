namespace GpuMF.Kernels.Sampling;

/// <summary>
/// A 64-bit xorshift* generator small enough to live in a GPU thread's registers. Streams are derived
/// from (seed, stream) with SplitMix64 so that every thread, epoch and backend draws an independent,
/// reproducible sequence.
/// </summary>
public struct XorShiftRandom
{
    private ulong _state;

    /// <summary>Creates the stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
    public XorShiftRandom(ulong seed, ulong stream)
    {
        ulong s = Mix(seed ^ Mix(stream + 0x9E3779B97F4A7C15UL));
        _state = s == 0 ? 0x2545F4914F6CDD1DUL : s;
    }

    /// <summary>The generator's state, from which <see cref="FromState"/> continues the stream (in a later kernel launch, say).</summary>
    public readonly ulong State => _state;

    /// <summary>The generator whose state is <paramref name="state"/>, as read from <see cref="State"/>.</summary>
    public static XorShiftRandom FromState(ulong state) => new() { _state = state };

    /// <summary>SplitMix64's finaliser: a bijective scrambler of 64-bit values.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextULong()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>), n ≥ 1 (multiply-shift, no division).</summary>
    public int NextInt(int n) => (int)(((NextULong() >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>A uniform float in [0, 1).</summary>
    public float NextFloat() => (NextULong() >> 40) * (1f / (1 << 24));

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public float NextGaussian()
    {
        float u1 = 1f - NextFloat();
        float u2 = NextFloat();
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }
}
