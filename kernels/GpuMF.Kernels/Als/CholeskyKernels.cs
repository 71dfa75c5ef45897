using GpuMF.Kernels.Lanes;
using ILGPU;
using ILGPU.Algorithms;

namespace GpuMF.Kernels.Als;

/// <summary>
/// Implicit ALS rows solved exactly (Hu, Koren, Volinsky, "Collaborative filtering for implicit feedback
/// datasets", ICDM 2008): one group per row builds A = G + Σ_i (c_i − 1) y_i y_iᵀ (lower triangle) and
/// b = Σ_i c_i y_i, factors A = LLᵀ by a right-looking Cholesky, and solves LLᵀx = b, all inside the
/// group with Group.Barrier between dependent steps. The k² + k floats of A and b live in shared memory
/// when they fit (<see cref="SolveShared"/>), else in a per-group slice of global memory (<see cref="SolveGlobal"/>).
/// </summary>
public static class CholeskyKernels
{
    /// <summary>
    /// Solves every row of <paramref name="factors"/>, groups striding over the rows, with A and b in
    /// k² + k floats of dynamic shared memory. <paramref name="ptr"/>/<paramref name="idx"/>/<paramref name="conf"/>
    /// are the CSR of the side being solved (indices into <paramref name="other"/>, confidences c ≥ 1);
    /// <paramref name="gram"/> is G = OᵀO + λI of the other side. Each warp adds the squared norm of the
    /// factors its group wrote into <paramref name="norms"/>[warp].
    /// </summary>
    public static void SolveShared(
        ArrayView<int> ptr,
        ArrayView<int> idx,
        ArrayView<float> conf,
        ArrayView<float> other,
        ArrayView<float> gram,
        ArrayView<float> factors,
        ArrayView<float> norms,
        AlsStep step)
    {
        int k = step.Factors;
        var shared = SharedMemory.GetDynamic<float>();
        var a = shared.SubView(0, (long)k * k);
        var b = shared.SubView((long)k * k, k);
        float norm = SolveRows(ptr, idx, conf, other, gram, factors, a, b, step);
        AddNorm(norms, norm);
    }

    /// <summary>
    /// As <see cref="SolveShared"/>, with A and b in <paramref name="workspace"/>: k² + k floats per group.
    /// For k too large for the device's shared memory.
    /// </summary>
    public static void SolveGlobal(
        ArrayView<int> ptr,
        ArrayView<int> idx,
        ArrayView<float> conf,
        ArrayView<float> other,
        ArrayView<float> gram,
        ArrayView<float> factors,
        ArrayView<float> workspace,
        ArrayView<float> norms,
        AlsStep step)
    {
        long k = step.Factors;
        long slice = k * k + k;
        var a = workspace.SubView(Grid.IdxX * slice, k * k);
        var b = workspace.SubView(Grid.IdxX * slice + k * k, k);
        float norm = SolveRows(ptr, idx, conf, other, gram, factors, a, b, step);
        AddNorm(norms, norm);
    }

    private static void AddNorm(ArrayView<float> norms, float norm)
    {
        norm = LaneReduce.Sum(norm);
        if (Warp.LaneIdx == 0)
        {
            norms[LaneGrid.WarpIndex] += norm;
        }
    }

    /// <summary>Solves this group's rows; returns the calling thread's share of their squared norm.</summary>
    private static float SolveRows(
        ArrayView<int> ptr,
        ArrayView<int> idx,
        ArrayView<float> conf,
        ArrayView<float> other,
        ArrayView<float> gram,
        ArrayView<float> factors,
        ArrayView<float> a,
        ArrayView<float> b,
        AlsStep step)
    {
        int k = step.Factors;
        int tid = Group.IdxX;
        int gs = Group.DimX;
        float norm = 0f;
        for (int row = Grid.IdxX; row < step.Rows; row += Grid.DimX)
        {
            int first = ptr[row];
            int end = ptr[row + 1];
            for (int t = tid; t < k * k; t += gs)
            {
                int i = t / k;
                int j = t - i * k;
                if (j <= i)
                {
                    float acc = gram[t];
                    for (int e = first; e < end; e++)
                    {
                        long yi = (long)idx[e] * k;
                        acc += (conf[e] - 1f) * other[yi + i] * other[yi + j];
                    }
                    a[t] = acc;
                }
            }
            for (int f = tid; f < k; f += gs)
            {
                float acc = 0f;
                for (int e = first; e < end; e++)
                {
                    acc += conf[e] * other[(long)idx[e] * k + f];
                }
                b[f] = acc;
            }
            Group.Barrier();
            Factor(a, k, tid, gs);
            Substitute(a, b, k, tid, gs);
            for (int f = tid; f < k; f += gs)
            {
                float xf = b[f];
                factors[(long)row * k + f] = xf;
                norm += xf * xf;
            }
            Group.Barrier();
        }
        return norm;
    }

    /// <summary>A = LLᵀ in place (lower triangle), column by column; the pivot of column j is final once the previous column's update has passed the barrier.</summary>
    private static void Factor(ArrayView<float> a, int k, int tid, int gs)
    {
        for (int j = 0; j < k; j++)
        {
            float d = XMath.Sqrt(a[j * k + j]);
            for (int i = j + 1 + tid; i < k; i += gs)
            {
                a[i * k + j] /= d;
            }
            Group.Barrier();
            if (tid == 0)
            {
                a[j * k + j] = d;
            }
            int m = k - j - 1;
            for (int t = tid; t < m * m; t += gs)
            {
                int i = j + 1 + t / m;
                int c = j + 1 + t % m;
                if (c <= i)
                {
                    a[i * k + c] -= a[i * k + j] * a[c * k + j];
                }
            }
            Group.Barrier();
        }
    }

    /// <summary>Solves L z = b, then Lᵀ x = z, in place in b. Every thread reads b[j] before the barrier after which thread 0 overwrites it.</summary>
    private static void Substitute(ArrayView<float> a, ArrayView<float> b, int k, int tid, int gs)
    {
        for (int j = 0; j < k; j++)
        {
            float zj = b[j] / a[j * k + j];
            Group.Barrier();
            if (tid == 0)
            {
                b[j] = zj;
            }
            for (int i = j + 1 + tid; i < k; i += gs)
            {
                b[i] -= a[i * k + j] * zj;
            }
            Group.Barrier();
        }
        for (int j = k - 1; j >= 0; j--)
        {
            float xj = b[j] / a[j * k + j];
            Group.Barrier();
            if (tid == 0)
            {
                b[j] = xj;
            }
            for (int i = tid; i < j; i += gs)
            {
                b[i] -= a[j * k + i] * xj;
            }
            Group.Barrier();
        }
    }
}
