namespace GpuMF.Data;

/// <summary>
/// NumPy's <c>SeedSequence</c> (after O'Neill's <c>seed_seq</c> alternative) for one non-negative integer seed
/// and no spawn key: the seed's 32-bit words are hashed into a 4-word pool, from which
/// <c>generate_state</c> hashes out as many words as a generator needs. All arithmetic wraps at 32 bits.
/// </summary>
internal static class NumpySeedSequence
{
    private const int PoolSize = 4;
    private const uint InitA = 0x43b0d7e5;
    private const uint MultA = 0x931e8875;
    private const uint InitB = 0x8b51f9dd;
    private const uint MultB = 0x58f38ded;
    private const uint MixMultL = 0xca01f9dd;
    private const uint MixMultR = 0x4973f715;
    private const int XShift = 16;

    /// <summary>Fills <paramref name="state"/> as <c>SeedSequence(seed).generate_state(state.Length)</c> does.</summary>
    public static void GenerateState(ulong seed, Span<uint> state)
    {
        Span<uint> pool = stackalloc uint[PoolSize];
        MixEntropy(pool, Words(seed));
        uint hashConst = InitB;
        for (int k = 0; k < state.Length; k++)
        {
            uint value = pool[k % PoolSize] ^ hashConst;
            hashConst *= MultB;
            value *= hashConst;
            state[k] = value ^ (value >> XShift);
        }
    }

    // NumPy splits an integer seed into 32-bit words, lowest first; zero is the one word 0.
    private static uint[] Words(ulong seed) => seed > uint.MaxValue ? [(uint)seed, (uint)(seed >> 32)] : [(uint)seed];

    private static void MixEntropy(Span<uint> pool, uint[] entropy)
    {
        uint hashConst = InitA;
        for (int k = 0; k < pool.Length; k++)
        {
            pool[k] = HashMix(k < entropy.Length ? entropy[k] : 0, ref hashConst);
        }
        // Every pool word is mixed into every other, so that late entropy words reach the early ones.
        for (int src = 0; src < pool.Length; src++)
        {
            for (int dst = 0; dst < pool.Length; dst++)
            {
                if (src != dst)
                {
                    pool[dst] = Mix(pool[dst], HashMix(pool[src], ref hashConst));
                }
            }
        }
        for (int src = pool.Length; src < entropy.Length; src++)
        {
            for (int dst = 0; dst < pool.Length; dst++)
            {
                pool[dst] = Mix(pool[dst], HashMix(entropy[src], ref hashConst));
            }
        }
    }

    private static uint HashMix(uint value, ref uint hashConst)
    {
        value ^= hashConst;
        hashConst *= MultA;
        value *= hashConst;
        return value ^ (value >> XShift);
    }

    private static uint Mix(uint x, uint y)
    {
        uint result = (MixMultL * x) - (MixMultR * y);
        return result ^ (result >> XShift);
    }
}
