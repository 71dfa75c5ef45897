using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;

namespace GpuMF.Tests.Support;

/// <summary>Small hand-made models for tests.</summary>
public static class TestModels
{
    public static IdMap Ids(int n, long first = 1) => new(Enumerable.Range(0, n).Select(i => first + i));

    /// <summary>A model with seeded random factors and biases, and per-user seen items.</summary>
    public static FactorModel Random(int users, int items, int factors, ulong seed, int seenPerUser = 2, ModelKind kind = ModelKind.Svd)
    {
        var rng = new XorShiftRandom(seed, 3);
        float[] Fill(long n) => Enumerable.Range(0, (int)n).Select(_ => rng.NextGaussian()).ToArray();
        var ptr = new int[users + 1];
        var seen = new List<int>();
        for (int u = 0; u < users; u++)
        {
            var row = Enumerable.Range(0, seenPerUser).Select(_ => rng.NextInt(items)).Distinct().Order().ToArray();
            seen.AddRange(row);
            ptr[u + 1] = seen.Count;
        }
        return new FactorModel(kind, Ids(users), Ids(items, 100), factors, Fill((long)users * factors), Fill((long)items * factors),
            kind == ModelKind.Svd ? Fill(users) : null, kind == ModelKind.Svd ? Fill(items) : null, kind == ModelKind.Svd ? 3.5f : 0f,
            ptr, seen.ToArray(), "{\"test\":true}");
    }
}
