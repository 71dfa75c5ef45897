using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Persistence;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf tune</c>: searches a model's hyper-parameters on a validation split carved from the training file
/// (<see cref="Tuner"/>), prints the trials and writes the best options as JSON for <c>train</c>/<c>evaluate --options</c>.
/// </summary>
internal sealed class TuneCommand : CliCommand
{
    private readonly TrainingArguments _training;
    private readonly Option<string> _train;
    private readonly Option<string> _out;
    private readonly Option<int> _trials;
    private readonly Option<float?> _timeBudget;
    private readonly Option<string> _metric;
    private readonly Option<float> _validationFraction;
    private readonly Option<int> _maxEpochs;
    private readonly Option<int> _patience;
    private readonly Option<ulong> _seed;
    private readonly DataArguments _data;

    public TuneCommand()
        : base("tune", "search a model's hyper-parameters on a validation split of the training file and write the best as JSON")
    {
        _training = new TrainingArguments(Command);
        _train = Add(Opt.Text("--train", "FILE", "the training rows, laid out as for train --data; a share of each user's rows is held out for validation, never the test data", true));
        _out = Add(Opt.Text("--out", "FILE.json", "where the best options go, as JSON that train and evaluate read with --options (default: not written)", false));
        _trials = Add(Opt.Int("--trials", "points of the search space tried in the first round (the defaults, or the options given, are the first)", TuningOptions.Defaults.Trials, 1, 10000));
        _timeBudget = Add(Opt.OptionalFloat("--time-budget", "seconds: no trial starts after them and one running is cut (default: none)"));
        _metric = Add(MetricOption.Create("--metric", "what to optimise on the validation rows (default: rmse for svd, ndcg@10 for the others)"));
        _validationFraction = Add(Opt.Float("--validation-fraction", "the share of each user's training rows held out for validation", 0.2f, "(0, 1)", f => f > 0 && f < 1));
        _maxEpochs = Add(Opt.Int("--max-epochs", "epochs (als: iterations) of the last round; 0 for twice the model's default", 0, 0, 10000));
        _patience = Add(Opt.Int("--patience", "epochs without improvement of the validation metric after which a trial stops; 0 for half the round's epochs", TuningOptions.Defaults.Patience, 0, 10000));
        _seed = Add(Opt.ULong("--seed", "seed of the validation split and of the search", TuningOptions.Defaults.Seed));
        _training.AddComputeOptions();
        _data = new DataArguments(Command, models: true);
        Models = _training.Models;
    }

    public override string Notes => """
        the search: quasi-random points of each model's search space (a shifted Halton sequence) raced by successive
        halving: every trial trains first for a ninth of --max-epochs, and only the best third of each round three times longer,
        with early stopping. Model options given on the command line are held fixed and not searched. On --backend cpu
        with the same --threads, the same seed gives the same trials.
        """;

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string trainPath = parse.GetValue(_train)!;
        string? output = parse.GetValue(_out);
        if (output is not null)
        {
            OutputPaths.CheckFile(output, "--out");
            OutputPaths.Distinct(1, ("--out", output), ("--train", trainPath));
        }
        float? budget = parse.GetValue(_timeBudget);
        if (budget is { } seconds && !(seconds > 0))
        {
            throw new UsageException($"--time-budget must be a positive number of seconds; got {seconds.ToString(CultureInfo.InvariantCulture)}.");
        }
        var plan = _training.Prepare(parse);
        var family = plan.Family;
        var metric = MetricOption.Read(parse, _metric, family);
        var fixedOptions = _training.Models.Given(family, parse);
        _data.Check(parse, family, trainPath, "--train");
        using var backend = _training.Open(parse, plan);
        var table = _data.Read(parse, trainPath, "--train", family.TrainsOnPositives, valueOptional: family.TrainsOnPositives, cancellation).Table;
        ulong seed = parse.GetValue(_seed);
        var (fit, held) = Splitter.PerUserFraction(table, parse.GetValue(_validationFraction), seed);
        var (train, validation) = HoldoutData.Build(fit, held, DuplicatePolicy.Reject);
        Console.Error.WriteLine($"{trainPath}: {train.Count:N0} training and {validation.Count:N0} validation interactions; tuning {family.Name} on {BackendArguments.Describe(backend)}"
            + (fixedOptions.Count > 0 ? $", holding {string.Join(", ", fixedOptions.Select(o => "--" + o))} fixed" : ""));
        var options = TuningOptions.Defaults with
        {
            Trials = parse.GetValue(_trials),
            TimeBudget = budget is { } b ? TimeSpan.FromSeconds(b) : null,
            Metric = metric,
            MaxEpochs = parse.GetValue(_maxEpochs),
            Patience = parse.GetValue(_patience),
            Seed = seed,
            Start = plan.Options,
            Fixed = fixedOptions,
        };
        var clock = Stopwatch.StartNew();
        TuningResult result;
        try
        {
            result = Tuner.Tune(family, train, validation, backend, options, new TrialLog(family), cancellation);
        }
        catch (ArgumentException e) when (e.ParamName == "options")
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
        catch (TimeoutException e)
        {
            throw new UsageException(e.Message);
        }
        Console.Error.WriteLine($"tuned in {clock.Elapsed.TotalSeconds:F1} s, {result.Trials.Count} trials{(result.StoppedByBudget ? " (the time budget ended the search early)" : "")}");
        Print(family, result);
        if (output is not null)
        {
            AtomicFile.Write(output, stream => stream.Write(Encoding.UTF8.GetBytes(result.BestJson + "\n")));
            Console.Out.WriteLine($"wrote {output}");
        }
        return 0;
    }

    private static void Print(ModelFamily family, TuningResult result)
    {
        string name = MetricOption.Name(result.Metric);
        var dims = family.SearchSpace.Select(d => d.Option).Where(o => result.Trials.Any(t => t.Values.Any(v => v.Key == o))).ToArray();
        var rows = result.Trials.Select(t => (string[])[
            t.Point == 0 ? "start" : t.Point.ToString(CultureInfo.InvariantCulture),
            t.Round.ToString(CultureInfo.InvariantCulture),
            $"{t.BestEpoch}/{t.Epochs}",
            .. dims.Select(d => t.Values.FirstOrDefault(v => v.Key == d).Value ?? "-"),
            t.Metric.ToString("F4", CultureInfo.InvariantCulture),
            t.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),
        ]).ToList();
        Table.Print(["point", "round", family.EpochUnit, .. dims, name, "s"], rows);
        var best = result.Best;
        Console.Out.WriteLine($"best: point {(best.Point == 0 ? "start" : best.Point.ToString(CultureInfo.InvariantCulture))}, validation {name} {best.Metric.ToString("F4", CultureInfo.InvariantCulture)} after {best.BestEpoch} {family.EpochUnit}: {string.Join(" ", best.Values.Select(v => $"--{v.Key} {v.Value}").Append($"--{family.EpochUnit} {best.BestEpoch}"))}");
    }

    /// <summary>One line on stderr per trial as it completes, so a long search shows where it is.</summary>
    private sealed class TrialLog(ModelFamily family) : IProgress<TuningTrial>
    {
        public void Report(TuningTrial value) =>
            Console.Error.WriteLine($"round {value.Round}, point {(value.Point == 0 ? "start" : value.Point.ToString(CultureInfo.InvariantCulture))}: {value.Metric.ToString("F4", CultureInfo.InvariantCulture)} after {value.BestEpoch}/{value.Epochs} {family.EpochUnit} in {value.Elapsed.TotalSeconds:F1} s");
    }
}
