using GpuMF.Backends;
using GpuMF.Mpi;

namespace GpuMF.Als;

/// <summary>The ALS engine of an MPI job: the managed CPU backend only (<see cref="AlsTrainer.Fit"/> checks the backend first).</summary>
/// <param name="problem">The interactions and factors, whole on every rank.</param>
/// <param name="communicator">The job's ranks.</param>
internal sealed class MpiAlsEngineFactory(AlsProblem problem, MpiCommunicator communicator) : IEngineFactory<IAlsEngine>
{
    public IAlsEngine ForManagedCpu(int threads) => new MpiAlsEngine(problem, threads, communicator);

    public IAlsEngine ForIlgpu(ComputeBackend backend) =>
        throw new BackendUnavailableException($"ALS across MPI ranks runs on the managed CPU backend, not on {backend.DeviceName}.");
}
