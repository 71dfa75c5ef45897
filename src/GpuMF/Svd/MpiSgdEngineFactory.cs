using GpuMF.Backends;
using GpuMF.Mpi;

namespace GpuMF.Svd;

/// <summary>The SGD engine of an MPI job: the managed CPU backend only.</summary>
/// <param name="problem">The ratings and parameters, whole on every rank.</param>
/// <param name="communicator">The job's ranks.</param>
internal sealed class MpiSgdEngineFactory(SgdProblem problem, MpiCommunicator communicator) : IEngineFactory<ISgdEngine>
{
    public ISgdEngine ForManagedCpu(int threads) => new MpiSgdEngine(problem, communicator, threads);

    public ISgdEngine ForIlgpu(ComputeBackend backend) =>
        throw new BackendUnavailableException($"SVD across MPI ranks runs on the managed CPU backend, not on {backend.DeviceName}.");
}
