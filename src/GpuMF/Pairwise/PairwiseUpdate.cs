using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR's and WARP's update: a few epochs of the model's own loss over the new positives only, negatives drawn as in
/// training and never among what the user has seen (old and new). New rows start small, the rows the new positives
/// (and their sampled negatives) touch move, every other row stays as trained. Adagrad restarts from 1, since a
/// finished model keeps no adagrad sums.
/// </summary>
internal static class PairwiseUpdate
{
    public static FactorModel Run(FactorModel model, PairwiseSettings settings, RatingTable interactions, UpdateOptions update, ComputeBackend backend)
    {
        var growth = ModelGrowth.Of(model, interactions, update, settings.InitStdDev);
        int users = growth.Users.Count;
        int items = growth.Items.Count;
        var itemBias = ModelGrowth.Grow(model.ItemBias, items) ?? new float[items];
        var s = settings with { Seed = update.Seed, Epochs = update.Epochs };
        float[]? Ones(long length) => s.Adagrad ? Enumerable.Repeat(1f, checked((int)length)).ToArray() : null;
        var problem = new PairwiseProblem(
            users,
            items,
            growth.Added.EntryUsers(),
            growth.Added.UserItems,
            growth.All.UserPtr,
            growth.All.UserItems,
            growth.P,
            growth.Q,
            itemBias,
            Ones((long)users * model.Factors),
            Ones((long)items * model.Factors),
            Ones(items),
            s);
        using (var engine = backend.CreateEngine(new PairwiseEngineFactory(problem)))
        {
            float lr = s.LearningRate;
            for (int epoch = 0; epoch < s.Epochs; epoch++)
            {
                engine.RunEpoch(epoch, lr);
                lr *= s.LearningRateDecay;
            }
            engine.CopyTo(problem);
        }
        return growth.Assemble(problem.P, problem.Q, null, settings.ItemBias ? itemBias : null);
    }
}
