using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GpuMF.Data;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Bench;

/// <summary>
/// <c>load [--rows N] [--string-rows M] [--work DIR] [--write [bench/RESULTS.md]]</c>: how fast, and in how much
/// memory, interaction files are read. Generates N rows (default 100,000,000: user ids below 10M, item ids below 1M,
/// values 1..5) as TSV and as Parquet (row groups of 2²⁰ rows), and M rows (default N) of the same draws with string
/// ids (<c>u123</c>, <c>m456</c>), then reads each file with <see cref="InteractionFile.Read"/> in a fresh child process
/// (<c>load read</c>), which reports its time and its own peak resident set (VmHWM). Prints a Markdown report;
/// <c>--write</c> replaces the <c>loading</c> section of the results file.
/// </summary>
public static class LoadRun
{
    public const string Command = "load";

    private const string SectionName = "loading";
    private const string ReadName = "read";
    private const int Users = 10_000_000;
    private const int Items = 1_000_000;
    private const int RowGroupRows = 1 << 20;
    private const double TargetParquetRowsPerSecond = 20e6;
    private const double TargetTsvRowsPerSecond = 10e6;
    private const double TargetBytesPerRow = 48;

    /// <summary>Runs the command, or its child (<c>read</c>); returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == ReadName)
        {
            return Read(args[1..]);
        }
        var options = new BenchOptions(Command, args);
        long rows = options.Long("rows", 100_000_000, 1000, Array.MaxLength);
        long stringRows = options.Long("string-rows", rows, 1000, Array.MaxLength);
        string work = options.Get("work", Path.GetTempPath());
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();

        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        string dir = Path.Combine(Path.GetFullPath(work), $"gpumf-load-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var lines = new List<string[]>();
        var verdicts = new List<string>();
        bool ok = true;
        try
        {
            foreach (var (label, count, strings) in new[] { ("integer ids", rows, false), ("string ids", stringRows, true) })
            {
                string tsv = Path.Combine(dir, strings ? "strings.tsv" : "ints.tsv");
                string parquet = Path.Combine(dir, strings ? "strings.parquet" : "ints.parquet");
                Console.Error.WriteLine($"load: writing {count:N0} rows with {label} as TSV and Parquet in {dir}");
                WriteTsv(tsv, count, strings);
                WriteParquet(parquet, count, strings);
                foreach (var (kind, path, target) in new[] { ("TSV", tsv, TargetTsvRowsPerSecond), ("Parquet", parquet, TargetParquetRowsPerSecond) })
                {
                    Console.Error.WriteLine($"load: reading {path}");
                    var result = Child(path);
                    if (result is null)
                    {
                        lines.Add([kind, label, Count(count), "failed", "", "", "", "", "", "", "", ""]);
                        verdicts.Add($"{kind}, {label}: the read failed, no figure.");
                        ok = false;
                        continue;
                    }
                    long read = (long)result["rows"]!, fileBytes = new FileInfo(path).Length;
                    double seconds = (double)result["seconds"]!, cpuSeconds = (double)result["cpu_seconds"]!;
                    long peak = (long)result["peak_bytes"]!, baseline = (long)result["baseline_bytes"]!;
                    double rate = read / seconds, cpuRate = read / cpuSeconds, perRow = peak / (double)read;
                    bool fast = rate >= target, small = perRow <= TargetBytesPerRow;
                    lines.Add([
                        kind, label, Count(read), (fileBytes / (double)read).ToString("F1", CultureInfo.InvariantCulture),
                        seconds.ToString("F2", CultureInfo.InvariantCulture), (rate / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                        cpuSeconds.ToString("F2", CultureInfo.InvariantCulture), (cpuRate / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                        Megabytes(baseline), Megabytes(peak), perRow.ToString("F1", CultureInfo.InvariantCulture),
                        ((peak - baseline) / (double)read).ToString("F1", CultureInfo.InvariantCulture),
                    ]);
                    long distinct = (long)result["distinct_ids"]!;
                    string names = strings
                        ? string.Create(CultureInfo.InvariantCulture, $" ({distinct:N0} distinct string ids, {(peak - baseline - (20.0 * read)) / distinct:F0} bytes each beyond the table's 20 bytes a row: the string, its map entry and list slot)")
                        : "";
                    string speed = strings
                        ? $"{rate / 1e6:F1} M rows/s, {cpuRate / 1e6:F1} M rows per CPU second (the {target / 1e6:F0} M rows/s target is for integer ids)"
                        : $"{rate / 1e6:F1} M rows/s against ≥ {target / 1e6:F0} M rows/s: {(fast ? "met" : "missed")} ({cpuRate / 1e6:F1} M rows per CPU second)";
                    verdicts.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{kind}, {label}: {speed}; peak {perRow:F1} bytes per interaction against ≤ {TargetBytesPerRow:F0}: {(small ? "met" : "missed")}{names}."));
                    ok &= (strings || fast) && small;
                }
                File.Delete(tsv);
                File.Delete(parquet);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- load " + string.Join(' ', args)).TrimEnd();
        var report = new StringBuilder()
            .Append("## Loading interactions (generated)\n\n")
            .Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n")
            .Append(CultureInfo.InvariantCulture, $"Rows drawn uniformly: user ids below {Users:N0}, item ids below {Items:N0}, values 1..5 (written as integers in the TSV, ")
            .Append(CultureInfo.InvariantCulture, $"32-bit floats in the Parquet file, whose ids are INT64 or UTF-8 strings, Snappy-compressed, in row groups of {RowGroupRows:N0} rows). ")
            .Append("The string-id files hold the same draws as `u123` and `m456`. Each file is read by `InteractionFile.Read` in a fresh process (`load read`), ")
            .Append("which times the call and reads its own VmHWM from /proc/self/status before it exits; \"start-up\" is its resident set before the call. ")
            .Append("The file was just written, so it is read from the page cache: these are warm-cache times. \"CPU s\" is the process's user and system time over the call ")
            .Append("(all its threads): on a machine busy with other work (see the load average above) the wall-clock rate falls below the rate per CPU second, which is what the reader itself costs.\n\n")
            .Append(MarkdownTable.Render(
                ["file", "ids", "rows", "file bytes per row", "read s", "M rows/s", "CPU s", "M rows per CPU s", "start-up MB", "peak MB", "peak bytes per row", "(peak − start-up) bytes per row"],
                lines)).Append('\n')
            .Append("**Against the targets.**\n\n");
        foreach (string verdict in verdicts)
        {
            report.Append("- ").Append(verdict).Append('\n');
        }
        Console.Out.Write(report);
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return ok ? 0 : 1;
    }

    /// <summary>The child: reads one file and prints a JSON line with its rows, time and peak resident set.</summary>
    private static int Read(string[] args)
    {
        var options = new BenchOptions(Command + " " + ReadName, args);
        string path = options.Get("path") ?? throw new BenchUsageException("read needs --path.");
        options.RejectUnknown();
        long baseline = ProcStatus.Field("self", "VmRSS") ?? 0;
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var table = InteractionFile.Read(path);
        double seconds = clock.Elapsed.TotalSeconds;
        self.Refresh();
        double cpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds;
        long peak = ProcStatus.Field("self", "VmHWM") ?? 0;
        Console.Out.WriteLine(new JsonObject
        {
            ["rows"] = table.Count,
            ["seconds"] = seconds,
            ["cpu_seconds"] = cpuSeconds,
            ["peak_bytes"] = peak,
            ["baseline_bytes"] = baseline,
            ["distinct_ids"] = (long)(table.UserNames?.Count ?? 0) + (table.ItemNames?.Count ?? 0),
        }.ToJsonString());
        GC.KeepAlive(table);
        return 0;
    }

    private static JsonObject? Child(string path)
    {
        var start = SelfProcess.StartInfo([Command, ReadName, "--path", path]);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (child.ExitCode != 0 || last is null)
        {
            Console.Error.WriteLine($"load: reading '{path}' failed with exit code {child.ExitCode}");
            return null;
        }
        Console.Error.WriteLine(last);
        return JsonNode.Parse(last)!.AsObject();
    }

    /// <summary>Row <paramref name="row"/>'s draw: the same for both files and both id kinds, from a 64-bit mix of the row number.</summary>
    private static (long User, long Item, int Value) Draw(long row)
    {
        ulong z = (ulong)row * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((long)(z % Users), (long)((z >> 24) % Items), 1 + (int)((z >> 48) % 5));
    }

    private static void WriteTsv(string path, long rows, bool strings)
    {
        var buffer = new byte[1 << 20];
        int at = 0;
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        for (long r = 0; r < rows; r++)
        {
            if (buffer.Length - at < 64)
            {
                stream.Write(buffer, 0, at);
                at = 0;
            }
            var (user, item, value) = Draw(r);
            if (strings)
            {
                buffer[at++] = (byte)'u';
            }
            Utf8Formatter.TryFormat(user, buffer.AsSpan(at), out int n);
            at += n;
            buffer[at++] = (byte)'\t';
            if (strings)
            {
                buffer[at++] = (byte)'m';
            }
            Utf8Formatter.TryFormat(item, buffer.AsSpan(at), out n);
            at += n;
            buffer[at++] = (byte)'\t';
            buffer[at++] = (byte)('0' + value);
            buffer[at++] = (byte)'\n';
        }
        stream.Write(buffer, 0, at);
    }

    private static void WriteParquet(string path, long rows, bool strings)
    {
        DataField user = strings ? new DataField<string>("user", nullable: false) : new DataField<long>("user");
        DataField item = strings ? new DataField<string>("item", nullable: false) : new DataField<long>("item");
        var value = new DataField<float>("value");
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(user, item, value), stream).GetAwaiter().GetResult();
        try
        {
            var users = new long[RowGroupRows];
            var items = new long[RowGroupRows];
            var values = new float[RowGroupRows];
            for (long first = 0; first < rows; first += RowGroupRows)
            {
                int n = (int)Math.Min(RowGroupRows, rows - first);
                for (int k = 0; k < n; k++)
                {
                    var (u, i, v) = Draw(first + k);
                    users[k] = u;
                    items[k] = i;
                    values[k] = v;
                }
                using var group = writer.CreateRowGroup();
                if (strings)
                {
                    group.WriteAsync(user, users.Take(n).Select(u => "u" + u.ToString(CultureInfo.InvariantCulture)).ToArray()).GetAwaiter().GetResult();
                    group.WriteAsync(item, items.Take(n).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture)).ToArray()).GetAwaiter().GetResult();
                }
                else
                {
                    group.WriteAsync<long>(user, users.AsMemory(0, n)).GetAwaiter().GetResult();
                    group.WriteAsync<long>(item, items.AsMemory(0, n)).GetAwaiter().GetResult();
                }
                group.WriteAsync<float>(value, values.AsMemory(0, n)).GetAwaiter().GetResult();
            }
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string Count(long rows) => rows.ToString("N0", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F0", CultureInfo.InvariantCulture);
}
