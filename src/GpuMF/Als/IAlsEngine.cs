using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>The heavy steps of ALS on one backend; the factors stay wherever the backend keeps them until <see cref="CopyTo"/>.</summary>
internal interface IAlsEngine : ITrainingEngine
{
    /// <summary>What the engine solves.</summary>
    AlsProblem Problem { get; }

    /// <summary>
    /// Solves every row of <paramref name="side"/> against the other side's current factors (the Gram
    /// matrix of the other side is recomputed first); returns the solved side's Σ|row|². Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancel"/> is cancelled part-way, leaving
    /// the side half-solved.
    /// </summary>
    double Solve(AlsSide side, CancellationCheck cancel = default);

    /// <summary>Σ_u [x_uᵀ(YᵀY + λI)x_u + Σ_{i∈I_u} (c_ui(1 − s_ui)² − s_ui²)], s_ui = x_u·y_i: the objective less λ|Y|².</summary>
    double LossTerm();

    /// <summary>Copies the current factors into the host arrays.</summary>
    void CopyTo(float[] userFactors, float[] itemFactors);

    /// <summary>
    /// One iteration: the items against the users, then the users against the items, so that a model's user
    /// factors solve against its final item factors. The result's loss is the objective (unnormalised) when
    /// <see cref="AlsOptions.ComputeLoss"/> is set, else NaN; its samples are the rows solved.
    /// </summary>
    EpochResult ITrainingEngine.RunEpoch(int epoch, float learningRate, CancellationCheck cancel)
    {
        double itemNorm = Solve(AlsSide.Items, cancel);
        cancel.ThrowIfCancelled();
        double userNorm = Solve(AlsSide.Users, cancel);
        bool finite = double.IsFinite(itemNorm) && double.IsFinite(userNorm);
        var o = Problem.Options;
        double loss = finite && o.ComputeLoss ? LossTerm() + o.Regularization * itemNorm : double.NaN;
        return new EpochResult(loss, (long)Problem.UserCount + Problem.ItemCount, Diverged: !finite);
    }
}
