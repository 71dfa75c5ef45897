using System.Runtime.CompilerServices;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR's and WARP's update: a few epochs of the model's own loss over the new positives, with as many of the model's
/// own replayed as there are new positives of new items during the first <see cref="ReplayEpochs"/>, negatives drawn
/// as in training and never among what the user has seen (old and new), except that a replayed positive's come from
/// the new items alone (<see cref="PairwiseProblem.RestrictedNegatives"/>). New rows start small and take full
/// steps; the trained rows the positives and their negatives touch move lightly. A finished model keeps no adagrad
/// sums: the new rows' start at 1, as in training, and the trained rows' at <see cref="TrainedSum"/>, so that a
/// trained row moves lightly and a handful of new interactions cannot undo what the whole training data taught it.
/// The epochs with the replay run on the managed CPU engine whatever the backend, since only it draws negatives
/// from a range; the others run on the backend's engine.
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
    /// bench, new items, replaying four times as many positives with negatives from every item) three left P@10 3.0 %
    /// (BPR) and 3.0 % (WARP) below a full retrain's, five 3.0 % and 2.6 %, in 3/5 of the time; new users, whose
    /// positives need no replay, lost 2.3 (WARP) to 2.7 (BPR) points of P@10 with three epochs rather than five.
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
        bool replayed = positiveUsers.Length > growth.Added.Count;
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
            s)
        {
            RestrictedNegatives = replayed ? new NegativeRange(growth.Added.Count, model.Items.Count, items) : null,
        };
        int first = replayed ? Math.Min(s.Epochs, ReplayEpochs) : s.Epochs;
        float lr = s.LearningRate;
        Epochs(problem, 0, first, ref lr, backend);
        var trainedItems = replayed ? PositivesOfTrainedItems(growth) : ([], []);
        if (first < s.Epochs && trainedItems.Users.Length > 0)
        {
            Epochs(problem with { Users = trainedItems.Users, Items = trainedItems.Items, RestrictedNegatives = null }, first, s.Epochs, ref lr, backend);
        }
        return growth.Assemble(problem.P, problem.Q, null, settings.ItemBias ? itemBias : null);
    }

    /// <summary>
    /// Epochs <paramref name="from"/>..<paramref name="to"/> − 1 over the problem's positives on one engine, the step
    /// size decayed after each; the parameters and adagrad sums come back into the problem's arrays.
    /// </summary>
    private static void Epochs(PairwiseProblem problem, int from, int to, ref float lr, ComputeBackend backend)
    {
        var engines = new PairwiseEngineFactory(problem);
        using var engine = problem.RestrictedNegatives is null ? backend.CreateEngine(engines) : engines.ForManagedCpu(backend.Threads);
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
    /// The positives an update's epochs visit: the new ones, then as many of the model's own, drawn at random, as the
    /// new ones of new items. Without the replay, a new item would meet only its positives and almost never be drawn
    /// as a negative, so its score would rise for every user; the replayed positives draw their negatives from the new
    /// items alone, for other users than theirs. On ML-1M's new items (<c>update</c> bench, measured while choosing
    /// this rule), replaying 0.5, 0.75, 1, 1.5, 2 and 4 times as many left P@10 2.1, 0.9, 2.2, 4.1, 5.3 and 7.5 % (BPR)
    /// and 9.0, 2.7, 1.3, 2.2, 4.0 and 7.5 % (WARP) below a full retrain's: more pushes the new items below where a
    /// retrain puts them, fewer leaves WARP's too high. Negatives from every item, of which the new ones are a tenth
    /// there, needed four times as many (3.0 % and 3.0 %), so the replay's epochs visited 5 positives per new one
    /// rather than 2. Over the update seeds 1, 2, 3 and 7 (<c>update --threads 2 --models bpr,warp --seed S</c>) the
    /// final rule left new items 1.7–2.2 % (BPR) and 1.0–1.3 % (WARP) below a full retrain's P@10, new users (WARP,
    /// 16 of whose 44,660 positives are of new items) 3.1–4.7 %. Positives of trained items need none: those items
    /// were drawn as negatives all through training.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Users, int[] Items) WithReplay(ModelGrowth growth, ulong seed)
    {
        var added = growth.Added;
        var old = growth.Model;
        int trainedItems = old.Items.Count;
        int replay = 0;
        foreach (int item in added.UserItems)
        {
            if (item >= trainedItems)
            {
                replay++;
            }
        }
        replay = (int)Math.Min(old.SeenItems.LongLength, replay);
        var users = new int[added.Count + replay];
        var items = new int[added.Count + replay];
        added.EntryUsers().CopyTo(users, 0);
        added.UserItems.CopyTo(items, 0);
        var rng = new XorShiftRandom(seed, 9);
        for (int n = 0; n < replay; n++)
        {
            int entry = rng.NextInt(old.SeenItems.Length);
            users[added.Count + n] = OwnerOf(old.SeenPtr, old.Users.Count, entry);
            items[added.Count + n] = old.SeenItems[entry];
        }
        return (users, items);
    }

    /// <summary>
    /// The user whose seen list holds <paramref name="entry"/>: a binary search of the CSR offsets, so that the replay
    /// costs in proportion to the draws rather than to the model's seen lists.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int OwnerOf(int[] seenPtr, int users, int entry)
    {
        int lo = 0, hi = users;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (seenPtr[mid] <= entry)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
