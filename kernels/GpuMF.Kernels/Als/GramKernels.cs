using ILGPU;

namespace GpuMF.Kernels.Als;

/// <summary>The Gram matrix YᵀY + λI of a row-major factor matrix Y, the shared part of every ALS normal equation.</summary>
public static class GramKernels
{
    /// <summary>Largest tile side: 16² = 256 threads per group, and the size of the static shared tiles.</summary>
    public const int MaxTile = 16;

    /// <summary>
    /// Adds YᵀY + λI into <paramref name="gram"/> (k × k, row-major, zeroed by the caller). Group g
    /// computes output tile g mod Tiles² over the rows of chunk g / Tiles²: it stages t rows × t columns
    /// of both column blocks in shared memory, accumulates one output entry per thread, and adds it
    /// atomically, so chunks can split a tall Y across the whole device.
    /// </summary>
    public static void Gram(ArrayView<float> factors, ArrayView<float> gram, GramStep step)
    {
        var left = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        var right = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        int t = step.Tile;
        int k = step.Factors;
        int tilesSquared = step.Tiles * step.Tiles;
        int tile = Grid.IdxX % tilesSquared;
        int chunk = Grid.IdxX / tilesSquared;
        int ty = Group.IdxX / t;
        int tx = Group.IdxX % t;
        int a0 = tile / step.Tiles * t;
        int b0 = tile % step.Tiles * t;
        long start = (long)chunk * step.ChunkRows;
        long end = start + step.ChunkRows < step.Rows ? start + step.ChunkRows : step.Rows;
        float acc = 0f;
        for (long r0 = start; r0 < end; r0 += t)
        {
            long row = r0 + ty;
            left[ty * t + tx] = row < end && a0 + tx < k ? factors[row * k + a0 + tx] : 0f;
            right[ty * t + tx] = row < end && b0 + tx < k ? factors[row * k + b0 + tx] : 0f;
            Group.Barrier();
            for (int j = 0; j < t; j++)
            {
                acc += left[j * t + ty] * right[j * t + tx];
            }
            Group.Barrier();
        }
        int a = a0 + ty;
        int b = b0 + tx;
        if (a < k && b < k)
        {
            if (chunk == 0 && a == b)
            {
                acc += step.Regularization;
            }
            Atomic.Add(ref gram[(long)a * k + b], acc);
        }
    }
}
