namespace GpuMF.Kernels;

/// <summary>The scalar arguments of one SGD launch, passed to the kernel by value.</summary>
public struct SgdStep
{
    /// <summary>Number of ratings.</summary>
    public int Count;

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
