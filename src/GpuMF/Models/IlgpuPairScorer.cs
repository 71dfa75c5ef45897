using System.Runtime.InteropServices;
using GpuMF.Backends;
using GpuMF.Kernels.Scoring;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Models;

/// <summary>
/// Scores of (user, item) pairs on an ILGPU accelerator (<see cref="PairScoreKernels"/>). The model's factors and
/// item biases are uploaded once; each call uploads only its pairs' indices and downloads their scores, in chunks
/// of at most <see cref="ChunkPairs"/> pairs so that the pair buffers stay small whatever the number of pairs.
/// The footprint is checked against the device's memory before anything is uploaded.
/// </summary>
internal sealed class IlgpuPairScorer : IDisposable
{
    /// <summary>Pairs per launch unless the constructor is told fewer.</summary>
    public const int DefaultChunkPairs = 1 << 20;

    private readonly Accelerator _accelerator;
    private readonly PairScoreKernelSet _kernels;
    private readonly int _factors;
    private readonly bool _hasBias;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _userFactors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _itemFactors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _bias;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _users;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _items;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scores;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="model">The model whose factors score the pairs.</param>
    /// <param name="chunkPairs">Pairs per launch, ≥ 1 (default <see cref="DefaultChunkPairs"/>).</param>
    /// <exception cref="DeviceMemoryException">The factors and pair buffers do not fit on the device.</exception>
    public IlgpuPairScorer(ComputeBackend backend, FactorModel model, int chunkPairs = DefaultChunkPairs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkPairs, 1);
        _accelerator = backend.Accelerator ?? throw new ArgumentException("The pair-scoring kernel needs an ILGPU backend.", nameof(backend));
        ChunkPairs = chunkPairs;
        _factors = model.Factors;
        _hasBias = model.ItemBias is not null;
        var footprint = new DeviceFootprint().Add(model.UserFactors).Add(model.ItemFactors).Add(model.ItemBias)
            .Add<int>(chunkPairs).Add<int>(chunkPairs).Add<float>(chunkPairs);
        backend.EnsureFits(footprint, "Candidate scoring", ComputeBackend.ScoringAdvice);
        _kernels = backend.Kernels(a => new PairScoreKernelSet(a));
        var buffers = new List<IDisposable>();
        try
        {
            _userFactors = Keep(buffers, backend.Upload(model.UserFactors, "user factors"));
            _itemFactors = Keep(buffers, backend.Upload(model.ItemFactors, "item factors"));
            _bias = Keep(buffers, model.ItemBias is null ? backend.Allocate<float>(1, "item biases") : backend.Upload(model.ItemBias, "item biases"));
            _users = Keep(buffers, backend.Allocate<int>(chunkPairs, "candidate users"));
            _items = Keep(buffers, backend.Allocate<int>(chunkPairs, "candidate items"));
            _scores = Keep(buffers, backend.Allocate<float>(chunkPairs, "candidate scores"));
        }
        catch
        {
            buffers.ForEach(b => b.Dispose());
            throw;
        }
    }

    /// <summary>Pairs per launch.</summary>
    public int ChunkPairs { get; }

    /// <summary>scores[p] = the score of (users[p], items[p]); every index already checked against the model.</summary>
    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        var fill = LaunchShape.Warps(_accelerator);
        int fillWarps = LaunchShape.WarpCount(_accelerator, fill);
        for (int start = 0; start < users.Length; start += ChunkPairs)
        {
            int count = Math.Min(ChunkPairs, users.Length - start);
            _users.View.SubView(0, count).CopyFromCPU(ref MemoryMarshal.GetReference(users.Slice(start, count)), count);
            _items.View.SubView(0, count).CopyFromCPU(ref MemoryMarshal.GetReference(items.Slice(start, count)), count);
            var shape = count < fillWarps ? LaunchShape.Warps(_accelerator, count) : fill;
            _kernels.Score(shape, _users.View, _items.View, _userFactors.View, _itemFactors.View, _bias.View, _scores.View,
                new PairScoreStep { Pairs = count, Factors = _factors, HasBias = _hasBias ? 1 : 0 });
            _scores.View.SubView(0, count).CopyToCPU(ref MemoryMarshal.GetReference(scores.Slice(start, count)), count);
        }
    }

    public void Dispose()
    {
        _userFactors.Dispose();
        _itemFactors.Dispose();
        _bias.Dispose();
        _users.Dispose();
        _items.Dispose();
        _scores.Dispose();
    }

    private static T Keep<T>(List<IDisposable> buffers, T buffer) where T : IDisposable
    {
        buffers.Add(buffer);
        return buffer;
    }
}
