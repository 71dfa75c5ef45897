using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// Trains implicit-feedback ALS (<see cref="ModelKind.Als"/>; Hu, Koren, Volinsky 2008). The trainer owns
/// the loop (iterations, loss, progress, cancellation); the backend solves each half-iteration. Each
/// iteration solves the items against the users, then the users against the items, so that the user
/// factors of a model are the solution against its final item factors (with the Cholesky solver a
/// training user's <see cref="FactorModel.RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/> reproduces its row).
/// </summary>
public sealed class AlsTrainer
{
    private readonly ComputeBackend? _backend;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Options; null takes <see cref="AlsOptions.Defaults"/>.</param>
    /// <param name="backend">Where to run; null runs on the managed CPU backend with every core. On an ILGPU device whose memory cannot hold the data, ALS streams it in chunks; on a backend of several devices (<see cref="ComputeBackend.CreateGroup"/>) each device solves its share of the rows.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public AlsTrainer(AlsOptions? options = null, ComputeBackend? backend = null)
    {
        Options = options ?? AlsOptions.Defaults;
        Options.Validate();
        _backend = backend;
    }

    /// <summary>The options in force.</summary>
    public AlsOptions Options { get; }

    /// <summary>Checkpoints to write while training (<see cref="CheckpointOptions.Every"/> counts iterations), or null (default) for none.</summary>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>
    /// Stop when the metric on the validation data given to <c>Fit</c> has not improved for this many epochs, and
    /// return the best epoch's model; null (default) runs every epoch.
    /// </summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// The ranks of an MPI job that train this model together, or null (default) to train in this process alone.
    /// Every rank calls <c>Fit</c> with the same data and options (nothing checks that here); each solves its range
    /// of rows, and all end with the same model, bit-identical to a single-process run. The managed CPU backend only.
    /// </summary>
    public MpiCommunicator? Communicator { get; init; }

    /// <summary>Called at every cancellation check point inside an epoch (tests cancel from it); null (default) for none.</summary>
    internal Action? CancellationProbe { get; init; }

    /// <summary>Trains on <paramref name="train"/>.</summary>
    /// <param name="train">Positive interactions (values &gt; 0: 1 for a bare positive, or counts); users and items without any end with zero factors.</param>
    /// <param name="progress">Receives an <see cref="EpochReport"/> after each iteration; its loss is the weighted objective divided by the total weight when <see cref="AlsOptions.ComputeLoss"/> is set, else NaN.</param>
    /// <param name="cancellation">Checked between half-iterations and, within one, before each range of rows
    /// (CPU) or kernel launch (ILGPU); cancelling throws <see cref="OperationCanceledException"/>, returns no
    /// model and writes no checkpoint for the unfinished iteration.</param>
    /// <param name="resumeFrom">A checkpoint of this training (same data, same options) to continue from; on
    /// the CPU backend the result equals that of an uninterrupted run.</param>
    /// <param name="validation">Optional positives in the same index space (built with the training id maps) whose precision@10 is reported after each iteration.</param>
    /// <exception cref="ArgumentException">The matrix is empty or holds a value that is not positive, the validation matrix does not share its id maps, <paramref name="resumeFrom"/> is not a checkpoint of this training, or a <see cref="Communicator"/> is set with an ILGPU backend.</exception>
    /// <exception cref="TrainingDivergedException">The factors became NaN or infinite.</exception>
    public FactorModel Fit(InteractionMatrix train, IProgress<EpochReport>? progress = null, CancellationToken cancellation = default, FactorModel? resumeFrom = null, InteractionMatrix? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (Communicator is not null && _backend is { IsIlgpu: true })
        {
            throw new ArgumentException($"ALS across MPI ranks runs on the managed CPU backend, not on {_backend.DeviceName}.", "backend");
        }
        return TrainingLoop.Run(new AlsRun(Options, train, Communicator), _backend, validation, progress, new CancellationCheck(cancellation, CancellationProbe), Checkpoint, resumeFrom, EarlyStopping);
    }

    /// <summary>
    /// Re-solves the rows of the users in <paramref name="interactions"/> exactly (in float64, see
    /// <see cref="FactorModel.RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/>) against the model's fixed item factors, taking each such
    /// user's rows in the table as that user's complete new history; users the model lacks are appended.
    /// Items the model lacks are ignored. Every other row is kept. The model is not changed; a new one is returned.
    /// </summary>
    /// <param name="model">An ALS model.</param>
    /// <param name="interactions">(user, item, value &gt; 0) rows; repeated pairs have their values summed.</param>
    /// <exception cref="ArgumentException">The model is not ALS, or a value is not positive.</exception>
    public static FactorModel PartialFitUsers(FactorModel model, RatingTable interactions) => PartialFit(model, interactions, users: true);

    /// <summary>
    /// As <see cref="PartialFitUsers"/> for items: re-solves the rows of the items in <paramref name="interactions"/>
    /// against the model's fixed user factors, each such item's rows being its complete new set of users;
    /// items the model lacks are appended, users it lacks are ignored, and the users' seen items follow the table.
    /// </summary>
    /// <param name="model">An ALS model.</param>
    /// <param name="interactions">(user, item, value &gt; 0) rows; repeated pairs have their values summed.</param>
    /// <exception cref="ArgumentException">The model is not ALS, or a value is not positive.</exception>
    public static FactorModel PartialFitItems(FactorModel model, RatingTable interactions) => PartialFit(model, interactions, users: false);

    private static FactorModel PartialFit(FactorModel model, RatingTable interactions, bool users)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(interactions);
        if (model.Kind != ModelKind.Als)
        {
            throw new ArgumentException($"Partial fits re-solve ALS rows; this model is {model.Kind}.", nameof(model));
        }
        var options = AlsOptions.FromJson(model.OptionsJson);
        int k = model.Factors;
        var (ownMap, otherMap) = users ? (model.Users, model.Items) : (model.Items, model.Users);
        var (own, other) = users ? (model.UserFactors, model.ItemFactors) : (model.ItemFactors, model.UserFactors);
        IdKinds.RequireSame(interactions, model.Users, model.Items, "partial fit");
        var ids = IdKinds.WritableCopy(ownMap);
        var (ownNames, otherNames) = users ? (interactions.UserNames, interactions.ItemNames) : (interactions.ItemNames, interactions.UserNames);
        var rows = new Dictionary<int, List<(int, float)>>();
        for (int n = 0; n < interactions.Count; n++)
        {
            long ownId = users ? interactions.Users[n] : interactions.Items[n];
            long otherId = users ? interactions.Items[n] : interactions.Users[n];
            int row = IdKinds.GetOrAdd(ids, ownNames, ownId);
            if (!rows.TryGetValue(row, out var list))
            {
                rows[row] = list = new List<(int, float)>();
            }
            if (IdKinds.TryGetIndex(otherMap, otherNames, otherId, out int index))
            {
                list.Add((index, interactions.Values[n]));
            }
        }
        var factors = new float[(long)ids.Count * k];
        Array.Copy(own, factors, own.LongLength);
        var gram = AlsFoldIn.Gram(other, otherMap.Count, k);
        var solved = rows.ToArray();
        Parallel.For(0, solved.Length, n => AlsFoldIn.Solve(gram, other, k, solved[n].Value, options).CopyTo(factors, (long)solved[n].Key * k));
        var (userMap, itemMap) = users ? (ids, model.Items) : (model.Users, ids);
        var (seenPtr, seenItems) = Seen(model, userMap.Count, rows, users);
        return users
            ? new FactorModel(ModelKind.Als, userMap, itemMap, k, factors, model.ItemFactors, null, null, 0f, seenPtr, seenItems, model.OptionsJson)
            : new FactorModel(ModelKind.Als, userMap, itemMap, k, model.UserFactors, factors, null, null, 0f, seenPtr, seenItems, model.OptionsJson);
    }

    /// <summary>The seen-item CSR after a partial fit: refitted users take their new items; refitted items take their new users.</summary>
    private static (int[] Ptr, int[] Items) Seen(FactorModel model, int userCount, Dictionary<int, List<(int Index, float Value)>> rows, bool users)
    {
        var seen = new List<int>[userCount];
        for (int u = 0; u < userCount; u++)
        {
            seen[u] = new List<int>();
            if (u < model.Users.Count && !(users && rows.ContainsKey(u)))
            {
                foreach (int item in model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]))
                {
                    if (users || !rows.ContainsKey(item))
                    {
                        seen[u].Add(item);
                    }
                }
            }
        }
        foreach (var (row, entries) in rows)
        {
            foreach (var (index, _) in entries)
            {
                seen[users ? row : index].Add(users ? index : row);
            }
        }
        var ptr = new int[userCount + 1];
        var items = new List<int>();
        for (int u = 0; u < userCount; u++)
        {
            items.AddRange(seen[u].Distinct().Order());
            ptr[u + 1] = items.Count;
        }
        return (ptr, items.ToArray());
    }
}
