using GpuMF.Kernels;
using GpuMF.Training;
using ILGPU;

namespace GpuMF.Backends;

/// <summary>WARP on an ILGPU accelerator: each epoch a few launches of <see cref="WarpKernels.Epoch"/> over the positives in the epoch's affine order.</summary>
internal sealed class IlgpuWarpEngine(ComputeBackend backend, PairwiseProblem problem, int warps = 0) : IlgpuPairwiseEngine(backend, problem, warps)
{
    /// <summary>The kernels, loaded on first use: after the base class has checked that the job fits on the device.</summary>
    private WarpKernelSet Kernels => Backend.Kernels(a => new WarpKernelSet(a));

    protected override void Launch(ArrayView<int> users, ArrayView<int> items, ArrayView<int> negatives, int first, int end, bool given, int epoch, float learningRate)
    {
        var s = Problem.Settings;
        var order = AffinePermutation.Random(Problem.Positives, s.Seed, epoch, 0);
        var step = new WarpStep
        {
            First = first,
            End = end,
            Positives = Problem.Positives,
            ItemCount = Problem.ItemCount,
            Factors = s.Factors,
            MaxSampled = s.MaxSampled,
            Seed = s.Seed,
            Epoch = epoch,
            OrderA = order.A,
            OrderB = order.B,
            Given = given ? 1 : 0,
            UseBias = s.ItemBias ? 1 : 0,
            Adagrad = s.Adagrad ? 1 : 0,
            LearningRate = learningRate,
            Regularization = s.Regularization,
        };
        Kernels.Epoch(Shape, users, items, negatives, SeenPtr.View, SeenItems.View, P.View, Q.View, Bias.View, GP.View, GQ.View, GB.View, Loss.View, Counts.View, step);
    }

    protected override void CheckGiven(PairwiseSamples samples)
    {
        if (samples.NegativesPerSample != Problem.Settings.MaxSampled)
        {
            throw new ArgumentException($"WARP's given samples need MaxSampled = {Problem.Settings.MaxSampled} candidates each; they hold {samples.NegativesPerSample}.", nameof(samples));
        }
    }
}
