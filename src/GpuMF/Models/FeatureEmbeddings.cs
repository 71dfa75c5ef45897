using GpuMF.Data;

namespace GpuMF.Models;

/// <summary>
/// The learned embeddings of one side's named features in a hybrid model (BPR or WARP trained with features):
/// an entity described only by features (a new user, a new item) is represented by Σ weight · <see cref="Vectors"/>
/// row, plus Σ weight · <see cref="Biases"/> for an item's bias. Identity features are not kept: a trained entity's
/// own factors are already the model's rows, and a new entity has no identity to look up. When training multiplied
/// the named features' weights by a shared weight (<see cref="FeatureMatrix.NamedScale"/>), the vectors and biases
/// hold it, so that descriptions give the weights as they are.
/// </summary>
/// <remarks>Immutable after construction; arrays are taken, not copied.</remarks>
public sealed class FeatureEmbeddings
{
    /// <summary>Assembles the embeddings of one side.</summary>
    /// <param name="names">The named features, of string kind, row g of <paramref name="vectors"/> being <c>names</c>[g].</param>
    /// <param name="factors">Factors per embedding, the model's, 1..65536.</param>
    /// <param name="vectors">Row-major embeddings, names.Count × factors.</param>
    /// <param name="biases">Each feature's bias (items of a model with item biases), or null.</param>
    /// <param name="normalized">True when a description's weights are scaled to sum to 1 before use, as they were in training.</param>
    /// <exception cref="ArgumentException">An array's length does not match.</exception>
    public FeatureEmbeddings(IdMap names, int factors, float[] vectors, float[]? biases, bool normalized)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(factors, 1);
        if (names.Count > 0 && names.Kind != IdKind.Text)
        {
            throw new ArgumentException("Feature names are strings: pass a map of string kind.", nameof(names));
        }
        if (vectors.LongLength != (long)names.Count * factors)
        {
            throw new ArgumentException($"The feature embeddings hold {vectors.LongLength} values; {(long)names.Count * factors} were expected.", nameof(vectors));
        }
        if (biases is not null && biases.Length != names.Count)
        {
            throw new ArgumentException($"The feature biases hold {biases.Length} values; {names.Count} were expected.", nameof(biases));
        }
        Names = names.ToReadOnly();
        Factors = factors;
        Vectors = vectors;
        Biases = biases;
        Normalized = normalized;
    }

    /// <summary>The named features, read-only.</summary>
    public IdMap Names { get; }

    /// <summary>Factors per embedding.</summary>
    public int Factors { get; }

    /// <summary>Embedding of feature g at [g·Factors, (g+1)·Factors).</summary>
    public float[] Vectors { get; }

    /// <summary>Each feature's bias, or null.</summary>
    public float[]? Biases { get; }

    /// <summary>True when a description's weights are scaled to sum to 1 before use.</summary>
    public bool Normalized { get; }
}
