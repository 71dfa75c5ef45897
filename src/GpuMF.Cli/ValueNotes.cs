namespace GpuMF.Cli;

/// <summary>What each model does with the value column, as <c>train</c> and <c>evaluate</c> tell it in help and on stderr.</summary>
internal static class ValueNotes
{
    /// <summary>The help paragraph.</summary>
    public const string Help = """
        values: svd fits the ratings themselves. als, bpr and warp read every row kept by --min-value as a positive
        of value 1 (a pair repeated n times sums to n under --duplicates sum), unless als is given --confidence
        linear|log: then als reads the value column as counts (plays, clicks; repeats summed), with confidence
        1 + alpha*r or 1 + alpha*ln(1 + r/epsilon), and leaves out rows of value 0 or less. bpr and warp take no
        sample weights: every positive counts once.
        """;

    /// <summary>A few words on how <paramref name="plan"/> reads the values.</summary>
    public static string Describe(TrainingPlan plan) => plan.Values switch
    {
        "counts" => "values read as counts",
        "binary" => "every row a positive of value 1",
        _ => "values read as ratings",
    };
}
