using GpuMF.Kernels.Sampling;

namespace GpuMF.Training;

/// <summary>Initial factor matrices: independent normal draws, seeded per side so that users and items never share a stream.</summary>
internal static class NormalFactors
{
    /// <summary>A rows × k matrix of N(0, std²) draws from stream <paramref name="side"/> of <paramref name="seed"/>.</summary>
    public static float[] Create(int rows, int k, float std, ulong seed, int side)
    {
        var f = new float[(long)rows * k];
        var rng = new XorShiftRandom(seed, (ulong)side);
        for (long n = 0; n < f.LongLength; n++)
        {
            f[n] = rng.NextGaussian() * std;
        }
        return f;
    }
}
