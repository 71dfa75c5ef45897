namespace GpuMF.Kernels.Pairwise;

/// <summary>The scalar arguments of one BPR or WARP launch (<see cref="BprKernels.Epoch"/>, <see cref="WarpLossKernels.Epoch"/>), passed to the kernel by value.</summary>
public struct PairwiseStep
{
    /// <summary>
    /// First sample of this launch: a position in the epoch's order (random mode) or an index of the given
    /// samples. In random mode a multiple of the warps launched, so that an epoch cut into launches gives
    /// every warp the positions, and the stream, that one launch would.
    /// </summary>
    public int First;

    /// <summary>One past the last sample of this launch.</summary>
    public int End;

    /// <summary>Observed (user, item) pairs (positives) in the positive arrays.</summary>
    public int Positives;

    /// <summary>Items in the catalogue: the range negatives are drawn from, and WARP's n in its rank estimate ⌊(n − 1)/trials⌋ unless <see cref="Catalogue"/> is larger.</summary>
    public int ItemCount;

    /// <summary>
    /// WARP's n in its rank estimate when the items drawn from are one block of a larger catalogue (a cell of a
    /// stratified-SGD grid); 0 or anything below <see cref="ItemCount"/> takes <see cref="ItemCount"/>.
    /// </summary>
    public int Catalogue;

    /// <summary>Latent factors per user and item.</summary>
    public int Factors;

    /// <summary>WARP: most candidate negatives scored per positive (BPR ignores it).</summary>
    public int MaxSampled;

    /// <summary>Seed of the random streams.</summary>
    public ulong Seed;

    /// <summary>0-based epoch, which selects the streams.</summary>
    public int Epoch;

    /// <summary>Affine order multiplier of this epoch's visit of the positives.</summary>
    public long OrderA;

    /// <summary>Affine order offset of this epoch's visit of the positives.</summary>
    public long OrderB;

    /// <summary>
    /// 1: sample s is (users[s], items[s]) with its negatives given (BPR: negatives[s]; WARP: the candidates
    /// negatives[s·MaxSampled …]); 0: the positives in the affine order, negatives from the warp's stream.
    /// </summary>
    public int Given;

    /// <summary>BPR: 1 redraws j while it is one of the user's observed items (random mode only; WARP ignores it).</summary>
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
