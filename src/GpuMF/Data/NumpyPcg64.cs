namespace GpuMF.Data;

/// <summary>
/// NumPy's <c>numpy.random.default_rng(seed)</c> reimplemented bit for bit: a PCG64 (XSL-RR) generator seeded
/// through NumPy's <c>SeedSequence</c>, with the parts of <c>Generator</c> the fixed splits need
/// (<see cref="Permutation"/>, <see cref="Shuffle"/>, <see cref="NextDouble"/>). It exists so that the published
/// splits made in Python can be rebuilt in .NET without NumPy; it is no general-purpose or secure generator.
/// </summary>
public sealed class NumpyPcg64
{
    private static readonly UInt128 Multiplier = new(0x2360ED051FC65DA4, 0x4385DF649FCCF645);

    private readonly UInt128 _increment;
    private UInt128 _state;

    // NumPy's next_uint32 draws 64 bits and hands out the low half, keeping the high half for the next call.
    private bool _hasHalf;
    private uint _half;

    /// <summary>The generator of <c>numpy.random.default_rng(<paramref name="seed"/>)</c>.</summary>
    public NumpyPcg64(ulong seed)
    {
        Span<uint> words = stackalloc uint[8];
        NumpySeedSequence.GenerateState(seed, words);
        // generate_state(4, np.uint64) pairs the 32-bit words little-endian; pcg64_set_seed then takes the
        // first two 64-bit words as (high, low) of the initial state and the last two as those of the sequence.
        var initState = new UInt128(Pair(words[0], words[1]), Pair(words[2], words[3]));
        var initSequence = new UInt128(Pair(words[4], words[5]), Pair(words[6], words[7]));
        _increment = (initSequence << 1) | 1;
        Step();
        _state += initState;
        Step();
    }

    /// <summary>The next 64 bits (NumPy's <c>next_uint64</c>, what <c>bit_generator.random_raw()</c> returns).</summary>
    public ulong NextUInt64()
    {
        Step();
        ulong folded = (ulong)(_state >> 64) ^ (ulong)_state;
        return ulong.RotateRight(folded, (int)(_state >> 122));
    }

    /// <summary>The next 32 bits (NumPy's <c>next_uint32</c>): the low, then the high half of one 64-bit draw.</summary>
    public uint NextUInt32()
    {
        if (_hasHalf)
        {
            _hasHalf = false;
            return _half;
        }
        ulong draw = NextUInt64();
        _hasHalf = true;
        _half = (uint)(draw >> 32);
        return (uint)draw;
    }

    /// <summary>A double in [0, 1) from the top 53 bits of one 64-bit draw (NumPy's <c>Generator.random()</c>).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// A uniform integer in 0..<paramref name="max"/> (NumPy's <c>random_interval</c>): draws masked to the
    /// smallest covering power of two, rejected above <paramref name="max"/>; 32-bit draws while the
    /// maximum fits in 32 bits, so that the buffered half words are consumed exactly as NumPy does.
    /// </summary>
    public ulong Interval(ulong max)
    {
        if (max == 0)
        {
            return 0;
        }
        ulong mask = ulong.MaxValue >> (int)ulong.LeadingZeroCount(max);
        ulong value;
        if (max <= uint.MaxValue)
        {
            do
            {
                value = NextUInt32() & mask;
            }
            while (value > max);
        }
        else
        {
            do
            {
                value = NextUInt64() & mask;
            }
            while (value > max);
        }
        return value;
    }

    /// <summary>Shuffles in place as NumPy's <c>Generator.shuffle</c> does a 1-D array: Fisher–Yates from the end.</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)Interval((ulong)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>NumPy's <c>Generator.permutation(<paramref name="n"/>)</c>: 0..n-1 shuffled.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int k = 0; k < n; k++)
        {
            p[k] = k;
        }
        Shuffle(p.AsSpan());
        return p;
    }

    private void Step() => _state = (_state * Multiplier) + _increment;

    private static ulong Pair(uint low, uint high) => low | ((ulong)high << 32);
}
