namespace GpuMF.Als;

/// <summary>How implicit ALS turns an interaction value r &gt; 0 into a confidence c ≥ 1 (Hu, Koren, Volinsky 2008, section 4).</summary>
public enum ConfidenceScaling
{
    /// <summary>c = 1 + α·r.</summary>
    Linear,

    /// <summary>c = 1 + α·ln(1 + r/ε): damps heavy repeat counts (plays, clicks).</summary>
    Log,
}
