using System.CommandLine;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// A validation metric named on the command line (<c>rmse</c>, <c>p@10</c>, <c>ndcg@10</c>): <c>tune --metric</c> and
/// <c>--validation-metric</c> of train and evaluate, one list of names and one check that it fits the model.
/// </summary>
internal static class MetricOption
{
    private static readonly Dictionary<string, ValidationMetric> Metrics = new()
    {
        ["rmse"] = ValidationMetric.Rmse,
        ["p@10"] = ValidationMetric.PrecisionAt10,
        ["ndcg@10"] = ValidationMetric.NdcgAt10,
    };

    /// <summary>The option <paramref name="name"/>, taking one of the metrics' names; null when not given.</summary>
    public static Option<string> Create(string name, string help) => Opt.Choice(name, help, [.. Metrics.Keys], null);

    /// <summary>The name of <paramref name="metric"/> as the option takes it.</summary>
    public static string Name(ValidationMetric metric) => Metrics.First(m => m.Value == metric).Key;

    /// <summary>The metric <paramref name="option"/> names, checked against <paramref name="family"/>; null when not given.</summary>
    /// <exception cref="UsageException">RMSE for an implicit model, or a ranking metric for svd; the message names the option.</exception>
    public static ValidationMetric? Read(ParseResult parse, Option<string> option, ModelFamily family)
    {
        if (parse.GetValue(option) is not { } name)
        {
            return null;
        }
        var metric = Metrics[name];
        if ((metric == ValidationMetric.Rmse) == family.TrainsOnPositives)
        {
            throw new UsageException(metric == ValidationMetric.Rmse
                ? $"{option.Name} rmse applies to svd; {family.Name} ranks positives: use p@10 or ndcg@10."
                : $"{option.Name} {name} applies to the implicit models; svd predicts ratings: use rmse.");
        }
        return metric;
    }
}
