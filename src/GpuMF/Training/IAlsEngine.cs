namespace GpuMF.Training;

/// <summary>The heavy steps of ALS on one backend; the factors stay wherever the backend keeps them until <see cref="CopyTo"/>.</summary>
internal interface IAlsEngine : IDisposable
{
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
}
