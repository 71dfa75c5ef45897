using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Updates;

/// <summary>The ML-100K fixed split and the models the update and fold-in tests judge against it (32 factors, 2 threads).</summary>
internal static class Ml100kModels
{
    /// <summary>SVD's ratings, or the implicit split's positives at value 1 as the console host reads them.</summary>
    public static RatingTable Read(string model, string part)
    {
        var table = RatingFileReader.Read(TestData.Split(model == "svd" ? $"ml100k_explicit_{part}.tsv" : $"ml100k_implicit_{part}.tsv"));
        return model == "svd" ? table : table.Positives(minValue: 0f);
    }

    /// <summary>The model of that name at its defaults with 32 factors (ALS with λ 20), on the CPU backend with 2 threads.</summary>
    public static FactorModel Fit(string model, InteractionMatrix data)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        return model switch
        {
            "svd" => new SvdTrainer(SvdOptions.Defaults with { Factors = 32 }, backend).Fit(data),
            "als" => new AlsTrainer(AlsOptions.Defaults with { Factors = 32, Regularization = 20 }, backend).Fit(data),
            "bpr" => new BprTrainer(BprOptions.Defaults with { Factors = 32 }, backend).Fit(data),
            "warp" => new WarpTrainer(WarpOptions.Defaults with { Factors = 32 }, backend).Fit(data),
            _ => throw new ArgumentOutOfRangeException(nameof(model)),
        };
    }
}
