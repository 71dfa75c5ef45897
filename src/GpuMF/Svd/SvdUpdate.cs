using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// SVD's update: a few epochs of SGD over the new ratings only, from the model's own step size and decay. The rows
/// of new users and items start small; the rows the new ratings touch move; every other row stays as trained, so
/// that the update costs time in proportion to the new ratings, not to the model.
/// </summary>
internal static class SvdUpdate
{
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
        return growth.Assemble(growth.P, growth.Q, userBias, itemBias);
    }
}
