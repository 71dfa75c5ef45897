namespace GpuMF.Kernels;

/// <summary>The scalar arguments of one BPR launch, passed to the kernel by value.</summary>
public struct BprStep
{
    /// <summary>
    /// First sample of this launch: a position in the epoch's order (random mode) or an index of the given
    /// samples. In random mode a multiple of the warps launched, so that an epoch cut into launches gives
    /// every warp the positions, and the stream, that one launch would.
    /// </summary>
    public int First;

    /// <summary>One past the last sample of this launch.</summary>
    public int End;

    /// <summary>Observed (user, item) pairs in the positive arrays.</summary>
    public int Positives;

    /// <summary>Items in the catalogue, the range j is drawn from.</summary>
    public int ItemCount;

    /// <summary>Latent factors per user and item.</summary>
    public int Factors;

    /// <summary>Seed of the random streams.</summary>
    public ulong Seed;

    /// <summary>0-based epoch, which selects the streams.</summary>
    public int Epoch;

    /// <summary>Affine order multiplier of this epoch's visit of the pairs.</summary>
    public long OrderA;

    /// <summary>Affine order offset of this epoch's visit of the pairs.</summary>
    public long OrderB;

    /// <summary>1: sample s is (users[s], items[s], negatives[s]) as given; 0: the pairs in the affine order, j from the warp's stream.</summary>
    public int Given;

    /// <summary>1: redraw j while it is one of the user's observed items (random mode only).</summary>
    public int RejectObserved;

    /// <summary>1: the score includes a learned item bias.</summary>
    public int UseBias;

    /// <summary>1: adagrad step sizes η/√G; 0: plain SGD with step size η.</summary>
    public int Adagrad;

    /// <summary>Step size η for this epoch.</summary>
    public float LearningRate;

    /// <summary>L2 weight λ on the factors and biases touched by a sample.</summary>
    public float Regularization;
}
