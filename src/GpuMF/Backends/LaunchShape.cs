using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Backends;

/// <summary>Grid shapes for warp-per-item kernels, from the device's own limits (the warp size is never assumed).</summary>
internal static class LaunchShape
{
    /// <summary>
    /// A grid of whole warps: groups of up to 256 threads (a multiple of the warp size), enough groups to
    /// fill every multiprocessor twice, or exactly <paramref name="warps"/> warps when that is positive.
    /// </summary>
    public static KernelConfig Warps(Accelerator accelerator, int warps = 0)
    {
        int warpSize = accelerator.WarpSize;
        int group = Math.Max(warpSize, Math.Min(256, accelerator.MaxNumThreadsPerGroup) / warpSize * warpSize);
        if (warps > 0)
        {
            int perGroup = group / warpSize;
            if (warps < perGroup)
            {
                return new KernelConfig(1, warps * warpSize);
            }
            return new KernelConfig((warps + perGroup - 1) / perGroup, group);
        }
        int perMp = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / group);
        return new KernelConfig(Math.Max(1, accelerator.NumMultiprocessors * perMp * 2), group);
    }

    /// <summary>
    /// The grid for lock-free (Hogwild) SGD over <paramref name="samples"/> samples per epoch: exactly
    /// <paramref name="warps"/> warps when that is positive, else as many as fill the device, but no more
    /// than one per <paramref name="samplesPerWarp"/> samples (and at least one). With W warps in flight, a
    /// row holding c of an epoch's S samples takes about c·W/S concurrent updates computed from stale
    /// factors, so S/W bounds how stale the popular rows get; small data sets (ML-1M) would otherwise
    /// run with tens of stale updates on their most popular items and lose quality.
    /// </summary>
    public static KernelConfig Hogwild(Accelerator accelerator, long samples, int warps, int samplesPerWarp)
    {
        if (warps > 0)
        {
            return Warps(accelerator, warps);
        }
        var fill = Warps(accelerator);
        long wanted = samples / samplesPerWarp;
        return wanted >= WarpCount(accelerator, fill) ? fill : Warps(accelerator, (int)Math.Max(1, wanted));
    }

    /// <summary>
    /// Samples each warp takes per launch when an epoch is cut into launches, between which cancellation
    /// is checked: enough to keep a device busy for milliseconds, few enough that it stops within them.
    /// </summary>
    public const int StepsPerLaunch = 512;

    /// <summary>Warps in a grid.</summary>
    public static int WarpCount(Accelerator accelerator, KernelConfig config) =>
        config.GridDim.X * config.GroupDim.X / accelerator.WarpSize;
}
