using System.Runtime.CompilerServices;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR's and WARP's update: a few epochs of the model's own loss over the new positives, with four times as many of
/// the model's own replayed for each new positive of a new item during the first <see cref="ReplayEpochs"/>, negatives
/// drawn as in training and never among what the user has seen (old and new). New rows start small and take full
/// steps; the trained rows the positives and their negatives touch move lightly. A finished model keeps no adagrad
/// sums: the new rows' start at 1, as in training, and the trained rows' at <see cref="TrainedSum"/>, so that a
/// trained row moves lightly and a handful of new interactions cannot undo what the whole training data taught it.
/// </summary>
internal static class PairwiseUpdate
{
    /// <summary>
    /// The adagrad sum a trained row starts the update with: steps of η/√1000, about η/32. On ML-1M's new users
    /// (<c>update</c> bench, replay for new items alone) 1000 kept WARP's P@10 about 2 points (of 100 %) nearer a full
    /// retrain's than 100 (η/10) did: the trained rows a handful of new positives touch barely move.
    /// </summary>
    internal const float TrainedSum = 1000f;

    /// <summary>
    /// Epochs over the new positives with the replay (when new items need one, <see cref="WithReplay"/>): the rest
    /// of <see cref="UpdateOptions.Epochs"/> visit the new positives of trained items alone. On ML-1M (<c>update</c>
    /// bench, new items) three left P@10 3.0 % (BPR) and 3.0 % (WARP) below a full retrain's, five 3.0 % and 2.6 %,
    /// in 3/5 of the time, the replay being four fifths of the positives visited; new users, whose positives need
    /// no replay, lost 2.3 (WARP) to 2.7 (BPR) points of P@10 with three epochs rather than five.
    /// </summary>
    internal const int ReplayEpochs = 3;

    public static FactorModel Run(FactorModel model, PairwiseSettings settings, RatingTable interactions, UpdateOptions update, ComputeBackend backend)
    {
        var growth = ModelGrowth.Of(model, interactions, update, settings.InitStdDev);
        int users = growth.Users.Count;
        int items = growth.Items.Count;
        var itemBias = ModelGrowth.Grow(model.ItemBias, items) ?? new float[items];
        var s = settings with { Seed = update.Seed, Epochs = update.Epochs };
        float[]? Sums(int rows, int trained, int width)
        {
            if (!s.Adagrad)
            {
                return null;
            }
            var sums = new float[checked(rows * width)];
            Array.Fill(sums, TrainedSum, 0, trained * width);
            Array.Fill(sums, 1f, trained * width, (rows - trained) * width);
            return sums;
        }
        var (positiveUsers, positiveItems) = WithReplay(growth, update.Seed);
        var problem = new PairwiseProblem(
            users,
            items,
            positiveUsers,
            positiveItems,
            growth.SeenPtr,
            growth.SeenItems,
            growth.P,
            growth.Q,
            itemBias,
            Sums(users, model.Users.Count, model.Factors),
            Sums(items, model.Items.Count, model.Factors),
            Sums(items, model.Items.Count, 1),
            s);
        bool replayed = positiveUsers.Length > growth.Added.Count;
        int first = replayed ? Math.Min(s.Epochs, ReplayEpochs) : s.Epochs;
        float lr = s.LearningRate;
        Epochs(problem, 0, first, ref lr, backend);
        var trainedItems = replayed ? PositivesOfTrainedItems(growth) : ([], []);
        if (first < s.Epochs && trainedItems.Users.Length > 0)
        {
            Epochs(problem with { Users = trainedItems.Users, Items = trainedItems.Items }, first, s.Epochs, ref lr, backend);
        }
        return growth.Assemble(problem.P, problem.Q, null, settings.ItemBias ? itemBias : null);
    }

    /// <summary>
    /// Epochs <paramref name="from"/>..<paramref name="to"/> − 1 over the problem's positives on one engine, the step
    /// size decayed after each; the parameters and adagrad sums come back into the problem's arrays.
    /// </summary>
    private static void Epochs(PairwiseProblem problem, int from, int to, ref float lr, ComputeBackend backend)
    {
        using var engine = backend.CreateEngine(new PairwiseEngineFactory(problem));
        for (int epoch = from; epoch < to; epoch++)
        {
            engine.RunEpoch(epoch, lr);
            lr *= problem.Settings.LearningRateDecay;
        }
        engine.CopyTo(problem);
    }

    /// <summary>The new positives of the model's own items, in the new interactions' order.</summary>
    private static (int[] Users, int[] Items) PositivesOfTrainedItems(ModelGrowth growth)
    {
        var added = growth.Added;
        var entryUsers = added.EntryUsers();
        var users = new List<int>();
        var items = new List<int>();
        for (int n = 0; n < added.Count; n++)
        {
            if (added.UserItems[n] < growth.Model.Items.Count)
            {
                users.Add(entryUsers[n]);
                items.Add(added.UserItems[n]);
            }
        }
        return ([.. users], [.. items]);
    }

    /// <summary>
    /// The positives an update's epochs visit: the new ones, and four times as many of the model's own, drawn at
    /// random, as the new ones of new items (on ML-1M, one times as many left new items' P@10 a third below a full
    /// retrain's, four within 4%). Without the replay, a new item would meet only its positives and almost never be
    /// drawn as a negative, so its score would rise for every user; the replayed positives draw negatives, new items
    /// among them, for the other users. Positives of trained items need none: those items were drawn as negatives
    /// all through training, and replaying for them would make the update's epochs five times as long: on ML-1M's
    /// new users (<c>update</c> bench) it bought WARP 1–2 points of P@10 and BPR none, measured while developing this
    /// rule (bench/RESULTS.md, "update-protocol", has the final rule's figures).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Users, int[] Items) WithReplay(ModelGrowth growth, ulong seed)
    {
        var added = growth.Added;
        var old = growth.Model;
        int trainedItems = old.Items.Count;
        long newItemPositives = 0;
        foreach (int item in added.UserItems)
        {
            if (item >= trainedItems)
            {
                newItemPositives++;
            }
        }
        int replay = (int)Math.Min(old.SeenItems.LongLength, 4L * newItemPositives);
        var users = new int[added.Count + replay];
        var items = new int[added.Count + replay];
        added.EntryUsers().CopyTo(users, 0);
        added.UserItems.CopyTo(items, 0);
        if (replay == 0)
        {
            return (users, items);
        }
        // Each seen entry's user, written once: a few sequential megabytes rather than a binary search per draw.
        var owner = new int[old.SeenItems.Length];
        for (int u = 0; u < old.Users.Count; u++)
        {
            owner.AsSpan(old.SeenPtr[u], old.SeenPtr[u + 1] - old.SeenPtr[u]).Fill(u);
        }
        var rng = new XorShiftRandom(seed, 9);
        for (int n = 0; n < replay; n++)
        {
            int entry = rng.NextInt(old.SeenItems.Length);
            users[added.Count + n] = owner[entry];
            items[added.Count + n] = old.SeenItems[entry];
        }
        return (users, items);
    }
}
