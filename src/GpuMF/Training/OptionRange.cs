namespace GpuMF.Training;

/// <summary>The range check every options record's <c>Validate</c> makes, with the message the console host turns into its own.</summary>
internal static class OptionRange
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    public static void Require(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in {range}; got {value}.");
        }
    }
}
