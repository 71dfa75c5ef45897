using System.Globalization;
using System.Runtime;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <c>memory train --model M --data FILE --out MODEL --epochs E [--collect]</c>: what <c>gpumf train</c> does, through the
/// library, in a process of its own that reads its high-water mark (VmHWM) after each stage: the file read
/// (<c>RatingFileReader.Read</c>), made positives for the implicit models (<c>RatingTable.Positives</c>), the
/// matrix built (<c>InteractionMatrix.Build</c>, keep-last duplicates), trained on the CPU backend, saved. Unlike
/// the console host, it lets go of the table once the matrix is built, so the stages show what training costs
/// beyond the matrix. <c>--collect</c> adds a full, compacting collection between building and training, so that
/// nothing dead is left for training's peak: the floor that the memory the code still references sets. Prints one JSON line.
/// </summary>
internal static class MemoryTrainTask
{
    public const string Name = "train";

    public static int Run(string[] args)
    {
        var options = new BenchOptions($"{MemoryRun.Command} {Name}", args);
        var family = ModelRegistry.Parse(options.Get("model", "svd"));
        string data = options.Get("data") ?? throw new BenchUsageException("--data is required.");
        string output = options.Get("out") ?? throw new BenchUsageException("--out is required.");
        int epochs = options.Int("epochs", 2, 1, 1000);
        bool collect = options.Optional("collect", "true") is not null;
        options.RejectUnknown();

        var marks = new JsonObject { ["start_bytes"] = ProcStatus.Field("self", "VmRSS") };
        var matrix = ReadAndBuild(data, family.TrainsOnPositives, marks);
        if (collect)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        using var backend = ComputeBackend.Create(BackendKind.Cpu);
        var bound = family.Bind(name => epochs.ToString(CultureInfo.InvariantCulture), name => name == family.EpochUnit);
        var model = family.Train(bound, new TrainingRequest(matrix, null, backend, null, default, null, null, 0));
        marks["trained_bytes"] = ProcStatus.Field("self", "VmHWM");
        model.Save(output);
        marks["saved_bytes"] = ProcStatus.Field("self", "VmHWM");
        marks["interactions"] = matrix.Count;
        marks["model_bytes"] = new FileInfo(output).Length;
        Console.Out.WriteLine(marks.ToJsonString());
        return 0;
    }

    /// <summary>A method of its own, so that the table is unreachable once it returns, whatever the JIT tier.</summary>
    private static InteractionMatrix ReadAndBuild(string path, bool positives, JsonObject marks)
    {
        var table = RatingFileReader.Read(path);
        marks["read_bytes"] = ProcStatus.Field("self", "VmHWM");
        if (positives)
        {
            table = table.Positives();
            marks["positives_bytes"] = ProcStatus.Field("self", "VmHWM");
        }
        var matrix = InteractionMatrix.Build(table, DuplicatePolicy.KeepLast);
        marks["built_bytes"] = ProcStatus.Field("self", "VmHWM");
        return matrix;
    }
}
