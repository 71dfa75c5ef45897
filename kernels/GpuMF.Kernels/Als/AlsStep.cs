namespace GpuMF.Kernels.Als;

/// <summary>The scalar arguments of one ALS half-iteration launch (solving every row of one side), passed by value.</summary>
public struct AlsStep
{
    /// <summary>Rows solved: users or items, ≥ 0.</summary>
    public int Rows;

    /// <summary>Latent factors k, ≥ 1.</summary>
    public int Factors;
}
