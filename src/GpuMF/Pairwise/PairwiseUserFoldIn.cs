using System.Numerics.Tensors;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR's and WARP's fold-in by their own loss: epochs of SGD on the user's row alone, the item factors and biases
/// fixed, each positive paired with negatives drawn from the items the user lacks — BPR's log-sigmoid with one
/// negative, WARP's rank-weighted hinge with up to MaxSampled candidates — from a small seeded start with the
/// model's step size and L2 weight. The caller's λ is not used. Deterministic: the draws are seeded from the user's items.
/// </summary>
/// <param name="settings">The model's options.</param>
internal sealed class PairwiseUserFoldIn(PairwiseSettings settings) : UserFoldIn
{
    /// <summary>Passes over the user's positives: enough for a row started near zero to settle at the model's step size.</summary>
    internal const int Epochs = 40;

    public override UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization)
    {
        int k = model.Factors;
        int n = model.Items.Count;
        var seen = rows.Select(r => r.Item).Distinct().Order().ToArray();
        var p = new float[k];
        ulong seed = settings.Seed;
        foreach (int item in seen)
        {
            seed = seed * 0x9E3779B97F4A7C15UL + (ulong)item;
        }
        var rng = new XorShiftRandom(seed, 5);
        for (int f = 0; f < k; f++)
        {
            p[f] = rng.NextGaussian() * settings.InitStdDev;
        }
        if (seen.Length == 0 || seen.Length == n)
        {
            return new UserVector(p, 0f, seen);
        }
        var step = new float[k];
        var order = (int[])seen.Clone();
        float lr = settings.LearningRate;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            for (int s = order.Length - 1; s > 0; s--)
            {
                int t = rng.NextInt(s + 1);
                (order[s], order[t]) = (order[t], order[s]);
            }
            foreach (int i in order)
            {
                float positive = Score(model, p, i);
                int trials = 0;
                int j = -1;
                float negative = 0f;
                int budget = settings.Kind == ModelKind.Bpr ? 1 : settings.MaxSampled;
                while (trials < budget)
                {
                    int candidate = rng.NextInt(n);
                    if (Array.BinarySearch(seen, candidate) >= 0)
                    {
                        continue;
                    }
                    trials++;
                    float score = Score(model, p, candidate);
                    if (settings.Kind == ModelKind.Bpr || score > positive - 1f)
                    {
                        j = candidate;
                        negative = score;
                        break;
                    }
                }
                if (j < 0)
                {
                    continue;
                }
                float weight = settings.Kind == ModelKind.Bpr
                    ? 1f / (1f + MathF.Exp(positive - negative))
                    : PairwiseSgd.RankWeight((n - 1) / trials);
                TensorPrimitives.Subtract(model.ItemRow(i), model.ItemRow(j), step);
                TensorPrimitives.Multiply(step, weight, step);
                TensorPrimitives.MultiplyAdd(p, -settings.Regularization, step, step);
                TensorPrimitives.MultiplyAdd(step, lr, p, p);
            }
            lr *= settings.LearningRateDecay;
        }
        return new UserVector(p, 0f, seen);
    }

    /// <summary>
    /// The item side of the same losses: SGD on the item's row and bias alone, the user factors and the other items
    /// fixed, each of the item's users paired with negatives drawn from the items that user lacks, so that the new item
    /// learns to outscore, for its users, what they did not choose. Deterministic: the draws are seeded from the item's users.
    /// </summary>
    public override ItemVector SolveItem(FactorModel model, FactorModel transposed, IReadOnlyList<(int User, float Value)> rows, float regularization)
    {
        int k = model.Factors;
        int n = model.Items.Count;
        var users = rows.Select(r => r.User).Distinct().Order().ToArray();
        var q = new float[k];
        ulong seed = settings.Seed ^ 0xA5A5A5A5UL;
        foreach (int user in users)
        {
            seed = seed * 0x9E3779B97F4A7C15UL + (ulong)user;
        }
        var rng = new XorShiftRandom(seed, 5);
        for (int f = 0; f < k; f++)
        {
            q[f] = rng.NextGaussian() * settings.InitStdDev;
        }
        float b = 0f;
        bool hasBias = model.ItemBias is not null;
        var order = users.Where(u => model.SeenPtr[u + 1] - model.SeenPtr[u] < n).ToArray();
        if (order.Length == 0)
        {
            return new ItemVector(q, b, users);
        }
        var step = new float[k];
        float lr = settings.LearningRate;
        int budget = settings.Kind == ModelKind.Bpr ? 1 : settings.MaxSampled;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            for (int s = order.Length - 1; s > 0; s--)
            {
                int t = rng.NextInt(s + 1);
                (order[s], order[t]) = (order[t], order[s]);
            }
            foreach (int u in order)
            {
                var p = model.UserRow(u);
                var seen = model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]);
                float positive = TensorPrimitives.Dot(p, q) + b;
                int trials = 0;
                float negative = float.NaN;
                while (trials < budget)
                {
                    int candidate = rng.NextInt(n);
                    if (seen.BinarySearch(candidate) >= 0)
                    {
                        continue;
                    }
                    trials++;
                    float score = TensorPrimitives.Dot(p, model.ItemRow(candidate)) + (model.ItemBias?[candidate] ?? 0f);
                    if (settings.Kind == ModelKind.Bpr || score > positive - 1f)
                    {
                        negative = score;
                        break;
                    }
                }
                if (float.IsNaN(negative))
                {
                    continue;
                }
                float weight = settings.Kind == ModelKind.Bpr
                    ? 1f / (1f + MathF.Exp(positive - negative))
                    : PairwiseSgd.RankWeight((n - 1) / trials);
                TensorPrimitives.Multiply(p, weight, step);
                TensorPrimitives.MultiplyAdd(q, -settings.Regularization, step, step);
                TensorPrimitives.MultiplyAdd(step, lr, q, q);
                if (hasBias)
                {
                    b += lr * (weight - settings.Regularization * b);
                }
            }
            lr *= settings.LearningRateDecay;
        }
        return new ItemVector(q, b, users);
    }

    private static float Score(FactorModel model, float[] p, int item) => TensorPrimitives.Dot(p, model.ItemRow(item)) + (model.ItemBias?[item] ?? 0f);
}
