using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <c>features [--threads T] [--models bpr,warp] [--weights raw,raw1,scaled] [--write [bench/RESULTS.md]]</c>: hybrid BPR and WARP (features:
/// ML-1M's genres from movies.dat, gender, age band and occupation from users.dat) on the fixed splits, at the
/// models' defaults on the managed CPU backend. Warm start on the implicit split (plain against identity + features);
/// item cold start on <c>ml1m_colditem_*</c> (each user ranks the held-out items only, from their genres); user cold
/// start on <c>ml1m_colduser_*</c> (the held-out users rank every item, from their demographics), both by
/// <see cref="ColdStartProtocol"/>; and the lists of a
/// brand-new user and a brand-new item described by features alone.
/// </summary>
internal static class FeaturesRun
{
    public const string Command = "features";

    private const string SectionName = "features";
    private const int K = 10;

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        int threads = options.Int("threads", 0, 0, 1024);
        var models = options.List("models", ["bpr", "warp"], ["bpr", "warp"]);
        var weightings = options.List("weights", ["raw", "raw1", "scaled"], ["raw", "raw1", "scaled"]);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string root = BenchData.Root("ml-1m/ and splits/");
        string splits = BenchData.Splits();
        var movies = FeatureFile.Read(Path.Combine(root, "ml-1m", "movies.dat"));
        var people = FeatureFile.Read(Path.Combine(root, "ml-1m", "users.dat"));
        var titles = MovieCatalog.Read(Path.Combine(root, "ml-1m", "movies.dat"));
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        DateTime started = DateTime.UtcNow;
        string machine = MachineInfo.Describe();

        var warmRows = new List<string>();
        var (warmTrain, warmTest) = HoldoutData.Build(Split(splits, "ml1m_implicit_train.tsv"), Split(splits, "ml1m_implicit_test.tsv"));
        var (coldItemRows, coldItemTest) = (Split(splits, "ml1m_colditem_train.tsv"), Split(splits, "ml1m_colditem_test.tsv"));
        var (coldUserRows, coldUserTest) = (Split(splits, "ml1m_colduser_train.tsv"), Split(splits, "ml1m_colduser_test.tsv"));
        var coldRows = new List<string>();
        foreach (string name in models)
        {
            var family = ModelRegistry.Parse(name);
            var (plain, plainSeconds) = Train(family, warmTrain, null, null, backend);
            warmRows.Add(WarmRow(name, "plain", "", RankingMetrics.Evaluate(plain, warmTest, K), plainSeconds, plainSeconds));
            foreach (string weighting in weightings)
            {
                var scale = FeatureOptions.Defaults with { Normalize = weighting == "scaled", SharedWeight = weighting == "raw1" ? 1f : null };
                string weights = weighting == "raw1" ? "raw, shared 1" : weighting;
                foreach (var (label, userSide) in new (string, bool)[] { ("items: identity + genres", false), ("items: identity + genres; users: identity + demographics", true) })
                {
                    var users = userSide ? EntityFeatures.Build(people, warmTrain.Users, scale) : null;
                    var items = EntityFeatures.Build(movies, warmTrain.Items, scale);
                    var (model, seconds) = Train(family, warmTrain, users, items, backend);
                    var m = RankingMetrics.Evaluate(model, warmTest, K);
                    warmRows.Add(WarmRow(name, label, weights, m, seconds, plainSeconds));
                    Console.Error.WriteLine($"features: warm {name} {label} {weighting}: P@10 {m.Precision:F4} ({seconds:F1} s)");
                }
                // Without identity features the shared weight does not apply: raw1's rows would be raw's.
                var cases = new (ColdStartSide Side, bool Identity, bool Catalogue)[]
                {
                    (ColdStartSide.Items, false, false), (ColdStartSide.Items, true, false),
                    (ColdStartSide.Users, false, false), (ColdStartSide.Users, false, true), (ColdStartSide.Users, true, false),
                }.Where(c => c.Identity || weighting != "raw1");
                foreach (var (side, identity, catalogue) in cases)
                {
                    bool users = side == ColdStartSide.Users;
                    double seconds = 0;
                    var m = ColdStartProtocol.Run(users ? coldUserRows : coldItemRows, users ? coldUserTest : coldItemTest, side, train =>
                    {
                        var features = EntityFeatures.Build(users ? people : movies, users ? train.Users : train.Items, scale with { Identity = identity });
                        var (model, s) = Train(family, train, users ? features : null, users ? null : features, backend);
                        seconds = s;
                        return new ColdStartFit(model, users ? features : null, users ? null : features);
                    }, K, catalogue: catalogue ? movies.Entities : null).Metrics;
                    string features = (users, identity) switch
                    {
                        (false, false) => "items: genres only",
                        (false, true) => "items: identity + genres (cold items: genres)",
                        (true, false) => "users: demographics only",
                        (true, true) => "users: identity + demographics (cold users: demographics)",
                    };
                    string protocol = users ? catalogue ? "user cold start, every movie of movies.dat" : "user cold start" : "item cold start";
                    coldRows.Add(ColdRow(protocol, name, features, weights, m, seconds));
                    Console.Error.WriteLine($"features: {protocol} {name} identity {identity} {weighting}: P@10 {m.Precision:F4} AUC {m.AucFull:F4} ({seconds:F1} s)");
                }
            }
        }

        // LightFM's cold-start fits (bench/PEERS.md): 30 epochs with the same features, rows scaled.
        var speedRows = new List<string>();
        var warp = ModelRegistry.Parse("warp");
        var coldItemTrain = ColdStartProtocol.TrainingMatrix(coldItemRows, coldItemTest, ColdStartSide.Items);
        var coldUserTrain = ColdStartProtocol.TrainingMatrix(coldUserRows, coldUserTest, ColdStartSide.Users);
        var thirty = ((Pairwise.WarpOptions)warp.DefaultOptions) with { Epochs = 30 };
        foreach (var (label, train, users, items, lightFm) in new (string, InteractionMatrix, EntityFeatures?, EntityFeatures?, double)[]
        {
            ("ml1m_colditem_train, items: genres only", coldItemTrain, null, EntityFeatures.Build(movies, coldItemTrain.Items, FeatureOptions.Defaults with { Identity = false, Normalize = true }), 28.4),
            ("ml1m_colduser_train, users: demographics only", coldUserTrain, EntityFeatures.Build(people, coldUserTrain.Users, FeatureOptions.Defaults with { Identity = false, Normalize = true }), null, 25.5),
        })
        {
            var clock = Stopwatch.StartNew();
            warp.Train(thirty, new TrainingRequest(train, null, backend, null, default, null, null, 0) { UserFeatures = users?.Known, ItemFeatures = items?.Known });
            double seconds = clock.Elapsed.TotalSeconds;
            speedRows.Add(string.Create(CultureInfo.InvariantCulture, $"| {label} | {train.Count:N0} | {seconds:F2} | {lightFm:F1} | {seconds / lightFm:F2}× | {30.0 * train.Count / seconds / 1e6:F2} |"));
            Console.Error.WriteLine($"features: 30 epochs {label}: {seconds:F1} s");
        }

        var example = Train(ModelRegistry.Parse("warp"), warmTrain, EntityFeatures.Build(people, warmTrain.Users), EntityFeatures.Build(movies, warmTrain.Items), backend).Model;
        var newUser = example.Recommend(example.UserFromFeatures([("age=25-34", 1f), ("gender=F", 1f), ("occupation=programmer", 1f)]), K);
        var newItem = example.SimilarItems(example.ItemFromFeatures([("genre=Animation", 1f), ("genre=Children's", 1f), ("genre=Comedy", 1f)]), K);

        var report = new StringBuilder();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- features " + string.Join(' ', args)).TrimEnd();
        report.AppendLine("## Side features and cold start (generated)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC. {machine} Backend: {backend}.");
        report.AppendLine();
        report.AppendLine("Each model at its defaults (64 factors). Features from ML-1M's own files, read by `FeatureFile.Read`: `genre=…` from movies.dat (18 genres), `gender=…`, `age=…` (7 bands) and `occupation=…` (21) from users.dat; every weight 1 (\"raw\", `FeatureOptions.Defaults`) or each entity's weights scaled to sum to 1, its identity feature included (\"scaled\", `Normalize = true`, LightFM's default); identity features on unless a row says otherwise. Beside an identity feature the named features' weights are multiplied by the model's shared weight (`FeatureOptions.SharedWeight` left to the model: 0.02 for WARP on raw weights, 1 for WARP on scaled rows and for BPR), or by 1 in the rows \"raw, shared 1\" (`SharedWeight = 1`, the weights as given). A user's vector is the weighted sum of its features' embeddings, an item's likewise plus the sum of its features' biases (Kula 2015).");
        report.AppendLine();
        report.AppendLine("Warm start, the fixed implicit split (seen items left out; P@10 and NDCG@10 as implicit defines them; AUC exact against every unobserved item):");
        report.AppendLine();
        report.AppendLine("| model | features | weights | P@10 | NDCG@10 | AUC | train s | × plain |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        warmRows.ForEach(r => report.AppendLine(r));
        report.AppendLine();
        report.AppendLine("Cold start on `ml1m_colditem_*` (20% of the items held out entirely; each user with a held-out positive ranks the held-out items only, represented by their genres) and `ml1m_colduser_*` (20% of the users held out entirely; each ranks every item from gender, age band and occupation). Run by `ColdStartProtocol.Run`: trained on the training file's own users and items, for user cold start also on the items that only the test file holds (the split's index space, the items of all positives: they are negatives only), and on every movie of movies.dat in the rows that say so (the 350 never liked with rating ≥ 4 joining as negatives only); the held-out entities are added afterwards from their features and judged with `RankingMetrics.EvaluateColdItems` / `EvaluateColdUsers`. AUC: exact, each user's test items against the other candidates. LightFM WARP on the same splits and features (bench/PEERS.md): item cold start P@10 0.0792, NDCG@10 0.0682, AUC 0.7075, fit 28.4 s; user cold start 0.4004, 0.4142, 0.8963, 25.5 s (64 components, 30 epochs, lr 0.05).");
        report.AppendLine();
        report.AppendLine("| protocol | model | features | weights | candidates | users judged | P@10 | NDCG@10 | AUC | train s |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        coldRows.ForEach(r => report.AppendLine(r));
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Speed: hybrid WARP for 30 epochs (LightFM's count; otherwise defaults) with LightFM's features and scaled rows, on this backend, against LightFM's fit on the same data and features (bench/PEERS.md, same machine kind, OpenMP 2 threads):");
        report.AppendLine();
        report.AppendLine("| training data, features | positives | GpuMF s | LightFM s | ratio | M samples/s |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- |");
        speedRows.ForEach(r => report.AppendLine(r));
        report.AppendLine();
        report.AppendLine("A brand-new user described only as `age=25-34, gender=F, occupation=programmer`, and the items nearest (cosine) a brand-new item described only as `genre=Animation, genre=Children's, genre=Comedy`, from WARP trained on the implicit training split with identity + features on both sides:");
        report.AppendLine();
        report.AppendLine("| rank | new user: item | score | new item: similar item | cosine |");
        report.AppendLine("| --- | --- | --- | --- | --- |");
        for (int r = 0; r < K; r++)
        {
            string user = r < newUser.Count ? $"{titles.Title(newUser[r].Id)} | {newUser[r].Score.ToString("F3", CultureInfo.InvariantCulture)}" : " | ";
            string item = r < newItem.Count ? $"{titles.Title(newItem[r].Id)} | {newItem[r].Score.ToString("F3", CultureInfo.InvariantCulture)}" : " | ";
            report.AppendLine(CultureInfo.InvariantCulture, $"| {r + 1} | {user} | {item} |");
        }
        Console.Out.Write(report.ToString());
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return 0;
    }

    private static RatingTable Split(string folder, string file) => BenchData.Read(Path.Combine(folder, file), positives: true);

    private static (FactorModel Model, double Seconds) Train(ModelFamily family, InteractionMatrix train, EntityFeatures? users, EntityFeatures? items, ComputeBackend backend)
    {
        var clock = Stopwatch.StartNew();
        var model = family.Train(family.DefaultOptions, new TrainingRequest(train, null, backend, null, default, null, null, 0) { UserFeatures = users?.Known, ItemFeatures = items?.Known });
        return (model, clock.Elapsed.TotalSeconds);
    }

    private static string ColdRow(string protocol, string model, string features, string weighting, RankingMetrics m, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"| {protocol} | {model} | {features} | {weighting} | {m.Candidates:N0} | {m.Users:N0} | {m.Precision:F4} | {m.Ndcg:F4} | {m.AucFull:F4} | {seconds:F2} |");

    private static string WarmRow(string model, string features, string weighting, RankingMetrics m, double seconds, double plainSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"| {model} | {features} | {weighting} | {m.Precision:F4} | {m.Ndcg:F4} | {m.AucFull:F4} | {seconds:F2} | {seconds / plainSeconds:F2}× |");
}
