using GpuMF.Backends;
using GpuMF.Mpi;

namespace GpuMF.Pairwise;

/// <summary>The BPR or WARP engine of an MPI job: the managed CPU backend only.</summary>
/// <param name="problem">The positives and parameters, whole on every rank.</param>
/// <param name="communicator">The job's ranks.</param>
internal sealed class MpiPairwiseEngineFactory(PairwiseProblem problem, MpiCommunicator communicator) : IEngineFactory<IPairwiseEngine>
{
    public IPairwiseEngine ForManagedCpu(int threads) => new MpiPairwiseEngine(problem, communicator, threads);

    public IPairwiseEngine ForIlgpu(ComputeBackend backend) =>
        throw new BackendUnavailableException($"{problem.Settings.Kind} across MPI ranks runs on the managed CPU backend, not on {backend.DeviceName}.");
}
