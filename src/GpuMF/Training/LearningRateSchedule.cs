using System.Text.Json.Serialization;

namespace GpuMF.Training;

/// <summary>How the SGD step size of the pairwise models (BPR, WARP) evolves.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
public enum LearningRateSchedule
{
    /// <summary>Every parameter moves by η·d^e in epoch e (0-based), d the decay option; d = 1 keeps η constant.</summary>
    ConstantWithDecay,

    /// <summary>
    /// Adagrad (Duchi, Hazan, Singer, JMLR 2011) as LightFM applies it: each parameter moves by η/√G, G
    /// its running sum of squared steps starting at 1; η still decays by d per epoch. LightFM's default.
    /// </summary>
    Adagrad,
}
