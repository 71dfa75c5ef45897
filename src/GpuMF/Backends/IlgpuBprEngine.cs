using GpuMF.Kernels;
using GpuMF.Training;
using ILGPU;

namespace GpuMF.Backends;

/// <summary>BPR on an ILGPU accelerator: each epoch a few launches of <see cref="BprKernels.Epoch"/> over the pairs in the epoch's affine order.</summary>
internal sealed class IlgpuBprEngine(ComputeBackend backend, PairwiseProblem problem, int warps = 0) : IlgpuPairwiseEngine(backend, problem, warps)
{
    /// <summary>The kernels, loaded on first use: after the base class has checked that the job fits on the device.</summary>
    private BprKernelSet Kernels => Backend.Kernels(a => new BprKernelSet(a));

    protected override void Launch(ArrayView<int> users, ArrayView<int> items, ArrayView<int> negatives, int first, int end, bool given, int epoch, float learningRate)
    {
        var s = Problem.Settings;
        var order = AffinePermutation.Random(Problem.Positives, s.Seed, epoch, 0);
        var step = new BprStep
        {
            First = first,
            End = end,
            Positives = Problem.Positives,
            ItemCount = Problem.ItemCount,
            Factors = s.Factors,
            Seed = s.Seed,
            Epoch = epoch,
            OrderA = order.A,
            OrderB = order.B,
            Given = given ? 1 : 0,
            RejectObserved = s.RejectObserved ? 1 : 0,
            UseBias = s.ItemBias ? 1 : 0,
            Adagrad = s.Adagrad ? 1 : 0,
            LearningRate = learningRate,
            Regularization = s.Regularization,
        };
        Kernels.Epoch(Shape, users, items, negatives, SeenPtr.View, SeenItems.View, P.View, Q.View, Bias.View, GP.View, GQ.View, GB.View, Loss.View, Counts.View, step);
    }

    protected override void CheckGiven(PairwiseSamples samples)
    {
        if (samples.NegativesPerSample != 1)
        {
            throw new ArgumentException($"BPR's given samples need one negative each; they hold {samples.NegativesPerSample}.", nameof(samples));
        }
    }
}
