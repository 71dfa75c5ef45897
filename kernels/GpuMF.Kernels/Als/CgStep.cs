namespace GpuMF.Kernels.Als;

/// <summary>The scalar arguments of one launch of the batched conjugate-gradient kernels, passed by value.</summary>
public struct CgStep
{
    /// <summary><see cref="ConjugateGradientKernels.Rows"/>: start the residual (r = −G·x).</summary>
    public const int Begin = 0;

    /// <summary><see cref="ConjugateGradientKernels.Rows"/>: first direction (p = r, rs = r·r, Ap = G·p).</summary>
    public const int First = 1;

    /// <summary><see cref="ConjugateGradientKernels.Rows"/>: one CG update, then G·p for the next step unless <see cref="Last"/>.</summary>
    public const int Update = 2;

    /// <summary><see cref="ConjugateGradientKernels.Interactions"/>: add Σ_i (c_i − (c_i − 1)·y_i·x)·y_i to r.</summary>
    public const int Residual = 0;

    /// <summary><see cref="ConjugateGradientKernels.Interactions"/>: add Σ_i (c_i − 1)·(y_i·p)·y_i to Ap.</summary>
    public const int Product = 1;

    /// <summary>Rows solved: users or items, ≥ 0.</summary>
    public int Rows;

    /// <summary>Latent factors k, ≥ 1.</summary>
    public int Factors;

    /// <summary>Segments of the interaction pass, ≥ 0.</summary>
    public int Segments;

    /// <summary>Most interactions in one segment, ≥ 1.</summary>
    public int SegmentLength;

    /// <summary>What the launch does: a row phase (<see cref="Begin"/>, <see cref="First"/>, <see cref="Update"/>) or an interaction mode (<see cref="Residual"/>, <see cref="Product"/>).</summary>
    public int Phase;

    /// <summary>1 on the last <see cref="Update"/>: no further G·p, and each row's squared norm is summed.</summary>
    public int Last;
}
