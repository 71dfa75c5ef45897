namespace GpuMF.Bench;

/// <summary>A quality metric of the protocol: its key, its column heading, and whether lower is better.</summary>
internal sealed record Metric(string Key, string Heading, bool LowerIsBetter = false)
{
    public static readonly Metric Rmse = new("rmse", "RMSE", LowerIsBetter: true);
    public static readonly Metric Mae = new("mae", "MAE", LowerIsBetter: true);
    public static readonly Metric Precision = new("p@10", "P@10");
    public static readonly Metric Map = new("map@10", "MAP@10");
    public static readonly Metric Ndcg = new("ndcg@10", "NDCG@10");
    public static readonly Metric Auc = new("auc@10", "AUC@10");
    public static readonly Metric AucFull = new("auc_full", "AUC full");

    public static readonly IReadOnlyList<Metric> Rating = [Rmse, Mae];
    public static readonly IReadOnlyList<Metric> Ranking = [Precision, Map, Ndcg, Auc, AucFull];
}

/// <summary>A peer's published figure on the same split: metric values and train seconds as printed in bench/PEERS.md.</summary>
internal sealed record PeerFigure(string Beside, string Name, IReadOnlyDictionary<string, string> Quality, string TrainSeconds);

/// <summary>A quality bound of a target: the metric must be at least (or, for lower-is-better metrics, at most) the bound.</summary>
internal sealed record QualityBound(Metric Metric, double Bound);

/// <summary>bench/PEERS.md's CPU target for one row: quality bounds, the time to stay under, and the time it aims for.</summary>
internal sealed record ProtocolTarget(string Row, IReadOnlyList<QualityBound> Quality, double MaxSeconds, double AimSeconds, string TimeSource);

/// <summary>
/// The constants of the benchmark protocol, copied from bench/PEERS.md ("Peers on ML-1M" and "Targets for
/// GpuMF"): the peers were measured on 2026-11-28 on one 2-core AMD EPYC (AVX-512) machine with 64 factors
/// on the same fixed splits. Figures marked "tuned on test" came from hyper-parameters picked on the test
/// split, so they are optimistic.
/// </summary>
internal static class ProtocolFigures
{
    public const string Source = "bench/PEERS.md (measured 2026-11-28 on a 2-core AMD EPYC with AVX-512, 64 factors, the same splits)";

    public static readonly IReadOnlyList<PeerFigure> Peers =
    [
        new("svd", "LIBMF SGD, 20 iterations, l2 0.05 (tuned on test)", Q(("rmse", "0.8384")), "0.68"),
        new("svd", "LIBMF SGD, default l2 0.1", Q(("rmse", "0.8660")), "0.69–0.73"),
        new("svd", "Surprise SVD, 20 epochs, 1 thread", Q(("rmse", "0.8600")), "2.29–2.38"),
        new("als-cg", "implicit 0.7.3 ALS, CG, α 5 and reg 1 (tuned on test), 15 iterations",
            Q(("p@10", "0.2979"), ("map@10", "0.1656"), ("ndcg@10", "0.2922"), ("auc_full", "0.9117")), "0.79"),
        new("als-cg", "LIBMF one-class (-f 12)", Q(("p@10", "0.2689"), ("ndcg@10", "0.2609")), "5.2–5.4"),
        new("als-cholesky", "implicit ALS, Cholesky, same", Q(("p@10", "0.2987"), ("ndcg@10", "0.2916")), "3.80–3.85"),
        new("bpr", "implicit BPR, 100 iterations, lr 0.01, reg 0.01",
            Q(("p@10", "0.1772"), ("ndcg@10", "0.1762"), ("auc_full", "0.8811")), "4.81–4.93"),
        new("bpr", "LightFM BPR, 30 epochs, lr 0.05, adagrad", Q(("p@10", "0.1890"), ("ndcg@10", "0.1877")), "8.8–9.0"),
        new("warp", "LightFM 1.17 WARP, 30 epochs, lr 0.05, adagrad",
            Q(("p@10", "0.2850–0.2865"), ("ndcg@10", "0.2748–0.2751"), ("auc_full", "0.9344")), "9.4–11.4"),
    ];

    /// <summary>
    /// bench/PEERS.md names one ALS time target, implicit's conjugate-gradient time; the Cholesky row is held to
    /// the same quality and to implicit's Cholesky time, the like-for-like solver, aiming for half as for CG.
    /// </summary>
    public static readonly IReadOnlyList<ProtocolTarget> Targets =
    [
        new("svd", [new(Metric.Rmse, 0.835)], 0.68, 0.34, "LIBMF"),
        new("als-cg", [new(Metric.Ndcg, 0.292), new(Metric.Precision, 0.298)], 0.79, 0.395, "implicit CG"),
        new("als-cholesky", [new(Metric.Ndcg, 0.292), new(Metric.Precision, 0.298)], 3.80, 1.90, "implicit Cholesky"),
        new("bpr", [new(Metric.Precision, 0.19)], 4.8, 0.96, "implicit BPR"),
        new("warp", [new(Metric.Precision, 0.286), new(Metric.Ndcg, 0.275)], 9.4, 1.88, "LightFM WARP"),
    ];

    private static Dictionary<string, string> Q(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
}
