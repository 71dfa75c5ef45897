using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary><c>gpumf score</c>: the top N items of many users, streamed to a CSV or Parquet file or to standard output.</summary>
internal sealed class ScoreCommand : CliCommand
{
    private readonly Option<string> _model;
    private readonly Option<string> _users;
    private readonly Option<int> _n;
    private readonly Option<bool> _includeSeen;
    private readonly Option<bool> _json;
    private readonly BatchOutput _output;
    private readonly BackendArguments _backend;
    private readonly CandidateScoring _candidates;

    public ScoreCommand()
        : base("score", "the top N items of each user, or each user's given candidates ranked (--candidates), streamed in chunks to a CSV or Parquet file (user,rank,item,score)")
    {
        _model = Add(Opt.Text("--model", "MODEL.gpumf", "the model file", true, "-m"));
        _output = new BatchOutput(Command, outRequired: true);
        _users = Add(new Option<string>("--users") { Description = "whose lists: all, comma-separated ids, or a file of one id a line", HelpName = "all|FILE|ID,ID…", DefaultValueFactory = _ => "all" });
        _n = Add(Opt.Int("--n", "items per user", 10, 1, BatchScorer.MaxN, "-n"));
        _includeSeen = Add(Opt.Flag("--include-seen", "keep the items a user had in training (left out by default)"));
        _json = Add(Opt.Flag("--json", "print one JSON object (counts, timings, options) on stdout when done, instead of 'wrote'"));
        _backend = new BackendArguments(Command);
        _candidates = new CandidateScoring(Command);
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        if (_candidates.Applies(parse))
        {
            if (Mpi.MpiCommunicator.LaunchedByMpirun)
            {
                throw new UsageException("under mpirun, score splits --users over the ranks; --candidates ranks one file's pairs in one process: run it without mpirun.");
            }
            return _candidates.Run(parse, _model, _users, _n, _includeSeen, _json, _output, _backend, cancellation);
        }
        string modelPath = parse.GetValue(_model)!;
        string users = parse.GetValue(_users)!;
        int n = parse.GetValue(_n);
        bool includeSeen = parse.GetValue(_includeSeen);
        bool json = parse.GetValue(_json);
        QueryIdReader.CheckInline(users, "user", "--users");
        var (output, format) = _output.CheckOutput(parse, ("--model", modelPath), ("--users", users == "all" ? null : users));
        if (json && output == OutputPaths.StandardOutput)
        {
            throw new UsageException("--json and --out - would both write to standard output: give --out a file.");
        }
        var mpi = MpiSession.StartJob();
        if (mpi is not null)
        {
            if (output == OutputPaths.StandardOutput)
            {
                throw new UsageException("under mpirun each rank writes its part of --out: give --out a file.");
            }
            mpi.RequireSameInputs(parse, "", null, "--model");
        }
        using var backend = _backend.Open(parse);
        var clock = Stopwatch.StartNew();
        var model = FactorModel.Load(modelPath);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        cancellation.ThrowIfCancellationRequested();
        using var queries = QueryIdReader.Parse(users, model.Users, "user", "--users", parse.GetValue(_output.SkipUnknown));
        string written = output;
        if (mpi is not null)
        {
            queries.Keep(mpi.Communicator.Rank, mpi.Communicator.Size);
            written = ScoreParts.PartPath(output, mpi.Communicator.Rank, mpi.Communicator.Size);
        }
        var filter = _output.ReadFilter(parse, model);
        string kind = ModelRegistry.Of(model.Kind).Name;
        Console.Error.WriteLine($"{modelPath}: {kind}, {model.Users.Count:N0} users × {model.Items.Count:N0} items, {model.Factors} factors; top {n} on {BackendArguments.Describe(backend)}{(includeSeen ? "" : ", seen items left out")}");
        using var scorer = BatchScorer.ForRecommendations(model, backend, !includeSeen, filter);
        var result = _output.Write(parse, scorer, queries, n, written, format, "user", "item", null, cancellation);
        if (mpi is not null)
        {
            result = ScoreParts.Gather(mpi.Communicator, output, format, result);
        }
        if (json)
        {
            var report = new JsonObject
            {
                ["model"] = kind,
                ["model_file"] = modelPath,
                ["backend"] = BackendArguments.Name(backend.Kind),
                ["device"] = backend.DeviceName,
                ["out"] = output,
                ["format"] = format,
                ["n"] = n,
                ["include_seen"] = includeSeen,
                ["filter"] = filter is null ? null : filter.IsAllowList ? "allow" : "deny",
                ["users"] = result.Queries,
                ["rows"] = result.Rows,
                ["skipped_unknown"] = result.Skipped,
                ["load_seconds"] = Math.Round(loadSeconds, 4),
                ["score_seconds"] = Math.Round(result.Seconds, 4),
            };
            if (mpi is not null)
            {
                report["ranks"] = mpi.Communicator.Size;
                report["manifest"] = ScoreParts.ManifestPath(output);
            }
            Console.Out.WriteLine(report.ToJsonString());
        }
        else if (mpi is not null)
        {
            Console.Out.WriteLine($"wrote {mpi.Communicator.Size} parts of {output}, named by {ScoreParts.ManifestPath(output)}");
        }
        else if (output != OutputPaths.StandardOutput)
        {
            Console.Out.WriteLine($"wrote {output}");
        }
        return 0;
    }
}
