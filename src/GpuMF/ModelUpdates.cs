using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF;

/// <summary>Updating a trained model with new interactions, new users and new items, without a full retrain: <c>model.Update(table)</c>.</summary>
public static class ModelUpdates
{
    extension(FactorModel model)
    {
        /// <summary>
        /// A new model that has also learnt <paramref name="interactions"/>; the model itself is not changed. Users and
        /// items it has not seen are added; the new interactions join the seen items that recommendations leave out.
        /// ALS re-solves the rows the new interactions touch (new rows twice, the second time against the updated other
        /// side; trained ones by a warm-started step); SVD, BPR and WARP run a few epochs of their own loss over the new
        /// interactions (<see cref="UpdateOptions"/>). When there are new items, BPR's and WARP's first epochs replay
        /// some of the model's own positives with negatives among the new items, and run on the managed CPU whatever
        /// the backend (the device kernels draw negatives from the whole catalogue only).
        /// The time follows the new interactions and the rows they touch, plus one copy of the model's factors and
        /// seen lists for the new model.
        /// </summary>
        /// <param name="interactions">(user, item, value) rows: ratings for SVD, positives (values &gt; 0; counts for ALS) for the others.</param>
        /// <param name="options">How to update (default <see cref="UpdateOptions.Defaults"/>).</param>
        /// <param name="backend">Where the epochs run (default null: the managed CPU with every core).</param>
        /// <exception cref="ArgumentException">The table is empty, holds a value the model cannot take, or repeats a pair under <see cref="DuplicatePolicy.Reject"/>.</exception>
        /// <exception cref="InvalidDataException">The options the model stores are not valid for its kind.</exception>
        public FactorModel Update(RatingTable interactions, UpdateOptions? options = null, ComputeBackend? backend = null)
        {
            ArgumentNullException.ThrowIfNull(interactions);
            options ??= UpdateOptions.Defaults;
            options.Validate();
            var host = backend ?? ComputeBackend.Create(BackendKind.Cpu);
            try
            {
                return ModelRegistry.Of(model.Kind).Update(model, interactions, options, host);
            }
            finally
            {
                if (backend is null)
                {
                    host.Dispose();
                }
            }
        }
    }
}
