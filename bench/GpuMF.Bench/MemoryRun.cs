using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GpuMF.Data;

namespace GpuMF.Bench;

/// <summary>
/// Memory as users see it: <c>memory [--interactions 2e7] [--users 200000] [--items 30000] [--models svd,als,bpr,warp]
/// [--epochs 2] [--load-users 1e7] [--crash-users 1.25e7] [--kill-at 1073741824] [--parts train,load,crash]
/// [--cli PATH] [--work DIR] [--write [bench/RESULTS.md]]</c>. Three measurements, each child in a process of
/// its own so that peaks do not mix:
/// <list type="number">
/// <item>train: the console host's <c>gpumf train</c> on a generated TSV, per model, its peak resident set
/// taken by <see cref="MemoryProbe"/>, against the target of 48 bytes per interaction plus the model;</item>
/// <item>load: a large model of random factors saved, then loaded in a fresh process
/// (<see cref="MemoryModelTasks"/>), its peak against the target of 1.2 times the file;</item>
/// <item>crash: a larger model saved over that file, the saving process killed (SIGKILL) once its temporary
/// file has grown past <c>--kill-at</c> bytes; the file at the path must load and be byte-identical to before.</item>
/// </list>
/// Scratch files go to a folder of their own under <c>--work</c> (the temporary folder by default), removed at
/// the end. Prints a Markdown report; <c>--write</c> replaces the <c>memory</c> section of the results file.
/// </summary>
public static class MemoryRun
{
    public const string Command = "memory";

    private const string SectionName = "memory";
    private const string DefaultCli = "src/GpuMF.Cli/bin/Release/net10.0/GpuMF.Cli.dll";
    private const double BoundBytesPerInteraction = 48;
    private const double BoundLoadRatio = 1.2;
    private const int Factors = 64;
    private const int LargeModelItems = 30_000;
    private const int KillPollMilliseconds = 5;
    private static readonly string[] Parts = ["train", "load", "crash"];

    /// <summary>Runs the command, or one of its children (<c>probe</c>, <c>save</c>, <c>load</c>); returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            return args[0] switch
            {
                MemoryProbe.Name => MemoryProbe.Run(args[1..]),
                MemoryModelTasks.SaveName => MemoryModelTasks.Save(args[1..]),
                MemoryModelTasks.LoadName => MemoryModelTasks.Load(args[1..]),
                MemoryTrainTask.Name => MemoryTrainTask.Run(args[1..]),
                _ => throw new BenchUsageException($"unknown argument '{args[0]}'."),
            };
        }
        var options = new BenchOptions(Command, args);
        long interactions = options.Long("interactions", 20_000_000, 1000, int.MaxValue - 1);
        int users = options.Int("users", 200_000, 1, int.MaxValue);
        int items = options.Int("items", 30_000, 20, int.MaxValue);
        var models = options.List("models", ScalePoint.ModelNames, ScalePoint.ModelNames);
        int epochs = options.Int("epochs", 2, 1, 1000);
        int loadUsers = (int)options.Long("load-users", 10_000_000, 1, Array.MaxLength / Factors);
        int crashUsers = (int)options.Long("crash-users", 12_500_000, 1, Array.MaxLength / Factors);
        long killAt = options.Long("kill-at", 1L << 30, 1, long.MaxValue);
        var parts = options.List("parts", Parts, Parts);
        string cli = options.Get("cli", DefaultCli);
        string work = options.Get("work", Path.GetTempPath());
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        if (parts.Contains("train") && !File.Exists(cli))
        {
            throw new BenchUsageException($"the console host '{cli}' is not built: run 'dotnet build GpuMF.sln -c Release' first, or give --cli.");
        }

        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        string dir = Path.Combine(Path.GetFullPath(work), $"gpumf-memory-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var report = new StringBuilder();
        bool ok = true;
        try
        {
            string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- memory " + string.Join(' ', args)).TrimEnd();
            report.Append("## Memory (generated)\n\n")
                .Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n")
                .Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n");
            var verdicts = new List<string>();
            if (parts.Contains("train"))
            {
                ok &= Train(report, verdicts, dir, cli, models, users, items, interactions, epochs);
            }
            string large = Path.Combine(dir, "large.gpumf");
            if (parts.Contains("load"))
            {
                ok &= Load(report, verdicts, large, loadUsers);
            }
            if (parts.Contains("crash"))
            {
                ok &= Crash(report, verdicts, large, loadUsers, crashUsers, killAt);
            }
            report.Append("**Against the targets.**\n\n");
            foreach (string verdict in verdicts)
            {
                report.Append("- ").Append(verdict).Append('\n');
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Console.Out.Write(report);
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return ok ? 0 : 1;
    }

    private static bool Train(StringBuilder report, List<string> verdicts, string dir, string cli, IReadOnlyList<string> models, int users, int items, long interactions, int epochs)
    {
        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var files = new Dictionary<bool, DataFile>();
        DataFile Data(bool ratings)
        {
            if (!files.TryGetValue(ratings, out var file))
            {
                file = Generate(Path.Combine(dir, ratings ? "ratings.tsv" : "positives.tsv"), users, items, interactions, ratings);
                files[ratings] = file;
            }
            return file;
        }

        Console.Error.WriteLine("memory: the host alone (gpumf --help)");
        var idle = Probe([dotnet, cli, "--help"]);
        long? idlePeak = (long?)idle?["peak_bytes"];
        var rows = new List<IReadOnlyList<string>>();
        var runs = new List<(string Model, DataFile Data, JsonObject? Probe, long ModelBytes, JsonObject? Library, JsonObject? Collected)>();
        bool ok = idle is not null;
        foreach (string model in models)
        {
            var family = ModelRegistry.Parse(model);
            var data = Data(!family.TrainsOnPositives);
            string output = Path.Combine(dir, model + ".gpumf");
            Console.Error.WriteLine($"memory: gpumf train --model {model} on {data.Rows:N0} rows");
            var probe = Probe([dotnet, cli, "train", "--model", model, "--data", data.Path, "--out", output, "--backend", "cpu",
                "--" + family.EpochUnit, epochs.ToString(CultureInfo.InvariantCulture)]);
            bool ran = probe is not null && (int)probe["exit_code"]! == 0 && File.Exists(output);
            long modelBytes = ran ? new FileInfo(output).Length : 0;
            File.Delete(output);
            if (!ran)
            {
                Console.Error.WriteLine($"memory: {model} failed: {probe?.ToJsonString() ?? "no result"}");
            }
            Console.Error.WriteLine($"memory: the library path for {model}, stage by stage");
            var library = Child([MemoryTrainTask.Name, "--model", model, "--data", data.Path, "--out", output, "--epochs", Text(epochs)]);
            File.Delete(output);
            Console.Error.WriteLine($"memory: the library path for {model}, a full collection before training");
            var collected = Child([MemoryTrainTask.Name, "--model", model, "--data", data.Path, "--out", output, "--epochs", Text(epochs), "--collect"]);
            File.Delete(output);
            ok &= ran && library is not null && collected is not null;
            runs.Add((model, data, ran ? probe : null, modelBytes, library, collected));
        }
        foreach (var file in files.Values)
        {
            File.Delete(file.Path);
        }

        report.Append("### End to end: `gpumf train`\n\n")
            .Append(CultureInfo.InvariantCulture, $"The console host as users start it, `dotnet {DefaultCli} train --model M --data FILE.tsv --out M.gpumf --backend cpu --epochs {epochs}` ")
            .Append(CultureInfo.InvariantCulture, $"(ALS: `--iterations {epochs}`), GpuMF's defaults otherwise ({Factors} factors); memory does not grow with the epochs. ")
            .Append("Each run is the only child of a probe process (`memory probe`), and its peak is the kernel's: `getrusage(RUSAGE_CHILDREN)` `ru_maxrss` ")
            .Append("once the child has been reaped, the same high-water mark as VmHWM in /proc/PID/status at exit, so no sampling interval can miss it. ")
            .Append(CultureInfo.InvariantCulture, $"Data: `SyntheticData.Generate({users:N0} users, {items:N0} items, {interactions:N0}, seed 1)` (Zipf-like item popularity and user activity) ")
            .Append("written as TSV (user, item, value; ratings 1..5 for SVD, 1 for the positives of the others), in user order. \"model\" is the saved model file: ")
            .Append("factors, biases, ids and each user's seen items, all of which the model holds in memory too. B per interaction = (peak − model) ÷ interactions, ")
            .Append("the runtime's own footprint included, as users see it")
            .Append(idlePeak is { } p ? string.Create(CultureInfo.InvariantCulture, $" (`gpumf --help` alone peaks at {Megabytes(p)} MB)") : "")
            .Append(". The stage columns are the child's VmHWM polled when it printed the data summary (file read, matrix built), its first epoch line ")
            .Append("and \"trained in\"; the stage where the mark reaches the peak holds it (the save follows training).\n\n");
        foreach (var run in runs)
        {
            if (run.Probe is not { } j)
            {
                rows.Add([run.Model, run.Data.Rows.ToString("N0", CultureInfo.InvariantCulture), $"{run.Data.Users:N0} × {run.Data.Items:N0}", "failed", "", "", "", "", "", "", ""]);
                verdicts.Add($"{run.Model}: the run failed, no figure.");
                continue;
            }
            long peak = (long?)j["peak_bytes"] ?? (long)j["sampled_peak_bytes"]!;
            double perInteraction = (peak - run.ModelBytes) / (double)run.Data.Rows;
            bool met = perInteraction <= BoundBytesPerInteraction;
            rows.Add([
                run.Model,
                run.Data.Rows.ToString("N0", CultureInfo.InvariantCulture),
                $"{run.Data.Users:N0} × {run.Data.Items:N0}",
                Megabytes(peak),
                Megabytes(run.ModelBytes),
                perInteraction.ToString("F1", CultureInfo.InvariantCulture),
                Mark(j, line => line.Contains(" interactions, ", StringComparison.Ordinal)),
                Mark(j, line => line.StartsWith('[')),
                Mark(j, line => line.StartsWith("trained in", StringComparison.Ordinal)),
                ((double)j["seconds"]!).ToString("F0", CultureInfo.InvariantCulture),
                met ? "yes" : "no",
            ]);
            verdicts.Add(string.Create(CultureInfo.InvariantCulture,
                $"`gpumf train --model {run.Model}`: peak {Megabytes(peak)} MB = {perInteraction:F1} B per interaction + the model ({Megabytes(run.ModelBytes)} MB): target of {BoundBytesPerInteraction:F0} B {(met ? "met" : "missed")}."));
        }
        report.Append(MarkdownTable.Render(
            ["model", "interactions", "users × items", "peak MB", "model MB", "B per interaction + model", "peak MB, data in", "peak MB, first epoch", "peak MB, trained", "wall s", $"≤ {BoundBytesPerInteraction:F0} B"],
            rows)).Append('\n');

        report.Append("Where the peak sits: the same pipeline through the library (`memory train`: `RatingFileReader.Read`, `RatingTable.Positives` for the ")
            .Append("implicit models, `InteractionMatrix.Build` with keep-last duplicates, `Train` on the CPU backend, `model.Save`), in a process of its own that ")
            .Append("reads its VmHWM after each stage, so each column is the peak up to the end of that stage. Like the console host, it lets go of the ")
            .Append("table once the matrix is built; unlike it, it forces no collection then. The last two columns come from a second run ")
            .Append("that also forces a full, compacting collection between building and training (`memory train --collect`): its peak is what the ")
            .Append("memory still referenced costs, and the difference from the run before it is dead memory (the table, building's temporaries) ")
            .Append("that the collector had not yet reclaimed when training allocated its own.\n\n");
        var stages = new List<IReadOnlyList<string>>();
        foreach (var run in runs)
        {
            if (run.Library is not { } j)
            {
                stages.Add([run.Model, "failed", "", "", "", "", "", "", "", ""]);
                continue;
            }
            stages.Add([
                run.Model,
                Megabytes((long)j["start_bytes"]!),
                Megabytes((long)j["read_bytes"]!),
                j["positives_bytes"] is { } positives ? Megabytes((long)positives) : "",
                Megabytes((long)j["built_bytes"]!),
                Megabytes((long)j["trained_bytes"]!),
                Megabytes((long)j["saved_bytes"]!),
                PerInteraction(j),
                run.Collected is { } c ? Megabytes((long)c["saved_bytes"]!) : "failed",
                run.Collected is { } d ? PerInteraction(d) : "",
            ]);
        }
        report.Append(MarkdownTable.Render(
            ["model", "MB at start", "peak MB, read", "peak MB, positives", "peak MB, built", "peak MB, trained", "peak MB, saved", "B per interaction + model", "peak MB, collected first", "B per interaction + model, collected first"],
            stages)).Append('\n');
        return ok;
    }

    private static bool Load(StringBuilder report, List<string> verdicts, string large, int users)
    {
        Console.Error.WriteLine($"memory: saving a model of {users:N0} users × {Factors} factors");
        var saved = Child([MemoryModelTasks.SaveName, "--users", Text(users), "--items", Text(LargeModelItems), "--factors", Text(Factors), "--out", large]);
        Console.Error.WriteLine("memory: loading it in a fresh process");
        var loaded = saved is null ? null : Child([MemoryModelTasks.LoadName, "--model", large]);
        report.Append("### Loading a model\n\n")
            .Append(CultureInfo.InvariantCulture, $"An ALS model of {users:N0} users and {LargeModelItems:N0} items × {Factors} factors, uniform random factors, no seen items, ")
            .Append("built with the `FactorModel` constructor and saved with `model.Save(path)` by one child (`memory save`), then read with `FactorModel.Load(path)` ")
            .Append("by a fresh one (`memory load`), which reads its own VmHWM just before it exits. The file was just written, so the load reads it from the page ")
            .Append("cache (which is not the process's resident set): the time is a warm-cache time, checksum and validation included. ")
            .Append("\"start-up\" is the loading process's resident set before the call.\n\n");
        if (saved is null || loaded is null)
        {
            report.Append("The save or the load failed; no figure.\n\n");
            verdicts.Add("Model loading: the run failed, no figure.");
            return false;
        }
        long file = (long)loaded["file_bytes"]!, peak = (long)loaded["peak_bytes"]!, baseline = (long)loaded["baseline_bytes"]!;
        double ratio = peak / (double)file;
        bool met = ratio <= BoundLoadRatio;
        report.Append(MarkdownTable.Render(
            ["users × factors", "file MB", "save s", "save peak MB", "load s", "start-up MB", "load peak MB", "peak ÷ file", "(peak − start-up) ÷ file", $"≤ {BoundLoadRatio:F1}×"],
            [[
                $"{users:N0} × {Factors}",
                Megabytes(file),
                ((double)saved["seconds"]!).ToString("F1", CultureInfo.InvariantCulture),
                Megabytes((long)saved["peak_bytes"]!),
                ((double)loaded["seconds"]!).ToString("F1", CultureInfo.InvariantCulture),
                Megabytes(baseline),
                Megabytes(peak),
                ratio.ToString("F3", CultureInfo.InvariantCulture),
                ((peak - baseline) / (double)file).ToString("F3", CultureInfo.InvariantCulture),
                met ? "yes" : "no",
            ]])).Append('\n');
        verdicts.Add(string.Create(CultureInfo.InvariantCulture,
            $"Model loading: peak {Megabytes(peak)} MB for a {Megabytes(file)} MB file = {ratio:F3}× the model: target of {BoundLoadRatio:F1}× {(met ? "met" : "missed")}."));
        return true;
    }

    private static bool Crash(StringBuilder report, List<string> verdicts, string good, int goodUsers, int users, long killAt)
    {
        report.Append("### Killing a big save\n\n");
        if (!File.Exists(good))
        {
            Console.Error.WriteLine($"memory: saving the model to be overwritten ({goodUsers:N0} users)");
            if (Child([MemoryModelTasks.SaveName, "--users", Text(goodUsers), "--items", Text(LargeModelItems), "--factors", Text(Factors), "--out", good]) is null)
            {
                report.Append("The model to overwrite could not be saved; no figure.\n\n");
                verdicts.Add("Crash safety: the run failed, no figure.");
                return false;
            }
        }
        long goodBytes = new FileInfo(good).Length;
        byte[] before = Sha256(good);
        long newBytes = (long)users * (Factors * 4 + 8 + 4) + LargeModelItems * (Factors * 4L + 8);
        Console.Error.WriteLine($"memory: saving {users:N0} users × {Factors} factors (about {Megabytes(newBytes)} MB) over it, to be killed at {killAt:N0} bytes");
        var start = SelfProcess.StartInfo([Command, MemoryModelTasks.SaveName, "--users", Text(users), "--items", Text(LargeModelItems), "--factors", Text(Factors), "--out", good, "--seed", "2"]);
        string folder = Path.GetDirectoryName(good)!;
        var temporary = new Regex("^" + Regex.Escape(Path.GetFileName(good)) + @"\.[0-9a-f]{16}\.tmp$", RegexOptions.CultureInvariant);
        List<FileInfo> Temporaries() => new DirectoryInfo(folder).EnumerateFiles().Where(f => temporary.IsMatch(f.Name)).ToList();
        long killedAt = -1;
        var clock = Stopwatch.StartNew();
        int exitCode;
        using (var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}."))
        {
            while (!child.WaitForExit(KillPollMilliseconds))
            {
                if (Temporaries().Select(f => f.Length).DefaultIfEmpty(0).Max() is var grown && grown >= killAt)
                {
                    // Process.Kill sends SIGKILL on Unix: no handler, no finally block, no clean-up runs.
                    child.Kill();
                    killedAt = grown;
                    break;
                }
            }
            child.WaitForExit();
            exitCode = child.ExitCode;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        // Sizes first: deleting a FileInfo's file forgets its length.
        var left = Temporaries();
        var leftSizes = left.Select(f => f.Length).ToList();
        bool sameSize = new FileInfo(good).Length == goodBytes;
        bool identical = sameSize && Sha256(good).AsSpan().SequenceEqual(before);
        Console.Error.WriteLine("memory: loading the file at the path in a fresh process");
        var loaded = Child([MemoryModelTasks.LoadName, "--model", good]);
        bool loads = loaded is not null && (int)loaded["users"]! == goodUsers;
        foreach (var f in left)
        {
            f.Delete();
        }
        bool killed = killedAt >= 0;
        bool ok = killed && identical && loads;
        report.Append(CultureInfo.InvariantCulture, $"A good model ({goodUsers:N0} users × {Factors}, {Megabytes(goodBytes)} MB, the one loaded above) lies at the path; a child (`memory save`) ")
            .Append(CultureInfo.InvariantCulture, $"builds a model of {users:N0} users × {Factors} factors (about {Megabytes(newBytes)} MB on disk) and saves it over that path with `model.Save`, which writes ")
            .Append("a temporary file PATH.<16 hex>.tmp beside it and renames it into place only once it is complete and flushed to disk. The bench polls the folder ")
            .Append(CultureInfo.InvariantCulture, $"every {KillPollMilliseconds} ms and kills the child with SIGKILL (`Process.Kill`) once the temporary file has reached {killAt:N0} bytes; then it compares ")
            .Append("the file at the path with its SHA-256 from before, loads it in a fresh process, and counts the temporary files left (then deletes them).\n\n")
            .Append(CultureInfo.InvariantCulture, $"- Killed: {(killed ? $"yes, with the temporary file at {killedAt:N0} bytes, {seconds:F1} s after the child started; exit code {exitCode} (128 + 9, SIGKILL)" : $"no: the child exited with code {exitCode} before its temporary file reached {killAt:N0} bytes")}.\n")
            .Append(CultureInfo.InvariantCulture, $"- The previous file: {(identical ? "byte-identical to before (same size and SHA-256)" : sameSize ? "CHANGED (same size, different SHA-256)" : "CHANGED (different size)")}; ")
            .Append(CultureInfo.InvariantCulture, $"it {(loads ? $"loads ({(int)loaded!["users"]!:N0} users, {(double)loaded["seconds"]!:F1} s)" : "does NOT load")}.\n")
            .Append(CultureInfo.InvariantCulture, $"- Temporary files left beside it: {left.Count} ({string.Join(", ", leftSizes.Select(b => $"{Megabytes(b)} MB"))}); ")
            .Append(CultureInfo.InvariantCulture, $"{Megabytes(leftSizes.Sum())} MB in all. A process killed by SIGKILL runs no clean-up, so it cannot delete its own temporary file: one stays per killed save ")
            .Append("until something removes it (a later successful save of the same path does not: each write picks a new random name).\n\n");
        verdicts.Add(string.Create(CultureInfo.InvariantCulture,
            $"Crash safety of a {Megabytes(newBytes)} MB save killed mid-save: previous file {(identical ? "byte-identical" : "changed")} and {(loads ? "loads" : "does not load")}; {left.Count} temporary file(s) left."));
        return ok;
    }

    /// <summary>Runs this bench runner's <c>probe</c> child on <paramref name="command"/>; its JSON, or null when it failed.</summary>
    private static JsonObject? Probe(IEnumerable<string> command) => Child([MemoryProbe.Name, "--", .. command]);

    /// <summary>Runs <c>memory ARGS</c> as a child; the JSON object it printed last, or null when it failed.</summary>
    private static JsonObject? Child(IEnumerable<string> args)
    {
        var start = SelfProcess.StartInfo([Command, .. args]);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (child.ExitCode != 0 || last is null)
        {
            Console.Error.WriteLine($"memory: '{string.Join(' ', args)}' failed with exit code {child.ExitCode}");
            return null;
        }
        Console.Error.WriteLine(last);
        return JsonNode.Parse(last)!.AsObject();
    }

    /// <summary>(peak − model) ÷ interactions of a <c>memory train</c> child.</summary>
    private static string PerInteraction(JsonObject run) =>
        (((long)run["saved_bytes"]! - (long)run["model_bytes"]!) / (double)(int)run["interactions"]!).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The probe's high-water mark at the first line of the child's standard error that <paramref name="match"/> accepts, in MB; empty when none did.</summary>
    private static string Mark(JsonObject probe, Func<string, bool> match) =>
        probe["marks"]!.AsArray().FirstOrDefault(m => match((string)m!["line"]!)) is { } mark ? Megabytes((long)mark["hwm_bytes"]!) : "";

    /// <summary>Generates the data and writes it as TSV, user by user; the matrix is dropped before the runs.</summary>
    private static DataFile Generate(string path, int users, int items, long interactions, bool ratings)
    {
        Console.Error.WriteLine($"memory: writing {interactions:N0} {(ratings ? "ratings" : "positives")} to {path}");
        var matrix = SyntheticData.Generate(users, items, interactions, ratings, seed: 1);
        var itemSeen = new bool[matrix.ItemCount];
        var buffer = new byte[1 << 20];
        int at = 0;
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            for (int u = 0; u < matrix.UserCount; u++)
            {
                long user = matrix.Users[u];
                for (int k = matrix.UserPtr[u]; k < matrix.UserPtr[u + 1]; k++)
                {
                    if (buffer.Length - at < 64)
                    {
                        stream.Write(buffer, 0, at);
                        at = 0;
                    }
                    int item = matrix.UserItems[k];
                    itemSeen[item] = true;
                    at += Format(user, buffer.AsSpan(at));
                    buffer[at++] = (byte)'\t';
                    at += Format(matrix.Items[item], buffer.AsSpan(at));
                    buffer[at++] = (byte)'\t';
                    // Ratings are whole stars; positives are 1.
                    at += Format(ratings ? (long)matrix.UserValues[k] : 1, buffer.AsSpan(at));
                    buffer[at++] = (byte)'\n';
                }
            }
            stream.Write(buffer, 0, at);
        }
        var file = new DataFile(path, matrix.Count, matrix.UserPtr.Skip(1).Where((end, u) => end > matrix.UserPtr[u]).Count(), itemSeen.Count(s => s));
        return file;
    }

    private static int Format(long value, Span<byte> destination) =>
        Utf8Formatter.TryFormat(value, destination, out int written) ? written : throw new InvalidOperationException("The line buffer is too small.");

    private static byte[] Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return SHA256.HashData(stream);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>A generated data file: its rows, and the users and items that occur in it.</summary>
    private sealed record DataFile(string Path, int Rows, int Users, int Items);
}
