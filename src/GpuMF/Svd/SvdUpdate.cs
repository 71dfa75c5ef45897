using System.Runtime.CompilerServices;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// SVD's update: a few epochs of SGD over the new ratings only, from the model's own step size and decay, so that
/// the update costs time in proportion to the new ratings, not to the model. The rows (and biases) of new users
/// and items start small and keep what the epochs teach them; the trained rows the new ratings touch keep
/// <see cref="TrainedShare"/> of their move, since epochs over a few ratings, without the rest of the data that
/// trained those rows, would bend them towards the newcomers; every other row stays as trained.
/// </summary>
internal static class SvdUpdate
{
    /// <summary>
    /// The share of its move over the update's epochs that a trained row or bias keeps. On ML-1M (<c>update</c>
    /// bench) a full move left the new users' RMSE 0.012 above a full retrain's, and the new items' 0.015;
    /// keeping 0.3 of it, 0.001 and 0.002; none of it, 0.002 and 0.003.
    /// </summary>
    internal const float TrainedShare = 0.3f;

    public static FactorModel Run(FactorModel model, SvdOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend)
    {
        var growth = ModelGrowth.Of(model, interactions, update, options.InitStdDev);
        var userBias = ModelGrowth.Grow(model.UserBias, growth.Users.Count) ?? new float[growth.Users.Count];
        var itemBias = ModelGrowth.Grow(model.ItemBias, growth.Items.Count) ?? new float[growth.Items.Count];
        var problem = SgdProblem.Shuffled(growth.Added, options with { Seed = update.Seed }, growth.P, growth.Q, userBias, itemBias) with { Mean = model.GlobalMean };
        using (var engine = backend.CreateEngine(new SgdEngineFactory(problem)))
        {
            float lr = options.LearningRate;
            for (int epoch = 0; epoch < update.Epochs; epoch++)
            {
                engine.RunEpoch(epoch, lr);
                lr *= options.LearningRateDecay;
            }
            engine.CopyTo(growth.P, growth.Q, userBias, itemBias);
        }
        int k = model.Factors;
        var added = growth.Added;
        KeepShare(model.UserFactors, growth.P, added.UserPtr, model.Users.Count, k);
        KeepShare(model.ItemFactors, growth.Q, added.ItemPtr, model.Items.Count, k);
        KeepShare(model.UserBias, userBias, added.UserPtr, model.Users.Count, 1);
        KeepShare(model.ItemBias, itemBias, added.ItemPtr, model.Items.Count, 1);
        return growth.Assemble(growth.P, growth.Q, userBias, itemBias);
    }

    /// <summary>
    /// Moves each trained row of <paramref name="updated"/> that the new ratings touch (<paramref name="ptr"/>, the
    /// new ratings' CSR on that side) back to <paramref name="trained"/> + <see cref="TrainedShare"/> × its move;
    /// untouched rows did not move. A null <paramref name="trained"/> (a model without biases) leaves nothing to keep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KeepShare(float[]? trained, float[] updated, int[] ptr, int rows, int width)
    {
        if (trained is null)
        {
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            if (ptr[r + 1] == ptr[r])
            {
                continue;
            }
            for (long n = (long)r * width; n < (long)(r + 1) * width; n++)
            {
                updated[n] = trained[n] + (TrainedShare * (updated[n] - trained[n]));
            }
        }
    }
}
