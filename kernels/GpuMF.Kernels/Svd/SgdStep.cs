namespace GpuMF.Kernels.Svd;

/// <summary>The scalar arguments of one SGD launch, passed to the kernel by value.</summary>
public struct SgdStep
{
    /// <summary>Number of ratings.</summary>
    public int Count;

    /// <summary>First position of the epoch's order that this launch visits: a multiple of the warps launched, so that an epoch cut into launches gives every warp the positions one launch would.</summary>
    public int First;

    /// <summary>One past the last position this launch visits, ≤ <see cref="Count"/>.</summary>
    public int End;

    /// <summary>Latent factors per user and item.</summary>
    public int Factors;

    /// <summary>Affine order multiplier for this epoch.</summary>
    public long OrderA;

    /// <summary>Affine order offset for this epoch.</summary>
    public long OrderB;

    /// <summary>Global mean rating μ.</summary>
    public float Mean;

    /// <summary>Step size for this epoch.</summary>
    public float LearningRate;

    /// <summary>L2 weight on the factors.</summary>
    public float Regularization;

    /// <summary>L2 weight on the biases.</summary>
    public float BiasRegularization;
}
