namespace GpuMF.Models;

/// <summary>The model families. The numeric values are stored in model files: never renumber them.</summary>
public enum ModelKind
{
    /// <summary>Biased matrix factorisation of explicit ratings, trained by SGD.</summary>
    Svd = 1,

    /// <summary>Implicit-feedback ALS (Hu, Koren, Volinsky 2008).</summary>
    Als = 2,

    /// <summary>Bayesian personalised ranking (Rendle et al. 2009).</summary>
    Bpr = 3,

    /// <summary>Weighted approximate-rank pairwise loss (Weston, Bengio, Usunier 2011).</summary>
    Warp = 4,
}
