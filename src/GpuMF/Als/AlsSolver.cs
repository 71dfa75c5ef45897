namespace GpuMF.Als;

/// <summary>How ALS solves each row's normal equations.</summary>
public enum AlsSolver
{
    /// <summary>
    /// A few conjugate-gradient steps per row, warm-started from the row's previous factors, never forming
    /// the row's k × k matrix (Takács, Pilászy, Tikk, RecSys 2011; implicit's default). Cost per row
    /// O(steps · (k² + n_u·k)).
    /// </summary>
    ConjugateGradient,

    /// <summary>The exact solution by Cholesky factorisation of the row's k × k matrix (Hu, Koren, Volinsky 2008). Cost per row O(n_u·k² + k³).</summary>
    Cholesky,
}
