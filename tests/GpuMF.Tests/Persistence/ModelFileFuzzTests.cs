using System.Buffers.Binary;
using System.Security.Cryptography;
using GpuMF.Kernels.Sampling;
using GpuMF.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Persistence;

/// <summary>
/// Seeded mutations of valid model files. Half keep the stored checksum (so the checksum must catch them);
/// half re-seal the file with a fresh checksum, so that the section and field validation behind it is what
/// must catch them. Every case must either load or fail with InvalidDataException: no other exception, no hang.
/// </summary>
public sealed class ModelFileFuzzTests
{
    public const int Cases = 4000;

    private static byte[] Valid(ulong seed)
    {
        var model = TestModels.Random(7 + (int)(seed % 5), 11, 3, seed, seenPerUser: 3, kind: seed % 2 == 0 ? GpuMF.Models.ModelKind.Svd : GpuMF.Models.ModelKind.Bpr);
        using var stream = new MemoryStream();
        ModelFile.WriteTo(model, stream);
        return stream.ToArray();
    }

    /// <summary>A checkpoint, so that the optional sections (epochs, adagrad sums) are mutated too.</summary>
    private static byte[] Checkpoint()
    {
        using var stream = new MemoryStream();
        ModelFile.WriteTo(ModelFileTests.Checkpoint(3), stream);
        return stream.ToArray();
    }

    private static void Reseal(byte[] data)
    {
        if (data.Length >= 16 + 44)
        {
            SHA256.HashData(data.AsSpan(0, data.Length - 44), data.AsSpan(data.Length - 32));
        }
    }

    /// <summary>A hybrid model, so that the feature sections (names, embeddings, biases) are mutated too.</summary>
    private static byte[] Hybrid()
    {
        using var stream = new MemoryStream();
        ModelFile.WriteTo(FeatureModelFileTests.FixtureModel(), stream);
        return stream.ToArray();
    }

    [Fact]
    public void MutatedFilesLoadOrFailWithInvalidData()
    {
        var valid = new[] { Valid(1), Valid(2), Checkpoint(), Hybrid() };
        int loaded = 0, rejected = 0;
        for (int c = 0; c < Cases; c++)
        {
            var rng = new XorShiftRandom(2024, (ulong)c);
            var data = Mutate(valid[c % valid.Length], ref rng);
            bool reseal = c % 4 >= 2;
            if (reseal)
            {
                Reseal(data);
            }
            try
            {
                ModelFile.Parse(data, "fuzz.gpumf");
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("Model file 'fuzz.gpumf': ", e.Message);
                rejected++;
            }
        }
        Assert.Equal(Cases, loaded + rejected);
        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} mutations were rejected");
    }

    private static byte[] Mutate(byte[] source, ref XorShiftRandom rng)
    {
        var data = (byte[])source.Clone();
        switch (rng.NextInt(5))
        {
            case 0:
                for (int n = 1 + rng.NextInt(4); n > 0; n--)
                {
                    data[rng.NextInt(data.Length)] ^= (byte)(1 << rng.NextInt(8));
                }
                return data;
            case 1:
                return data.AsSpan(0, rng.NextInt(data.Length)).ToArray();
            case 2:
            {
                // A section length or a dimension rewritten to a large or negative value.
                int at = 16 + rng.NextInt(Math.Max(1, data.Length - 60));
                long value = rng.NextInt(3) switch { 0 => long.MaxValue, 1 => -1, _ => rng.NextInt(1 << 20) };
                if (at + 8 <= data.Length)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(at), value);
                }
                return data;
            }
            case 3:
            {
                var longer = new byte[data.Length + 1 + rng.NextInt(64)];
                data.CopyTo(longer, 0);
                for (int n = data.Length; n < longer.Length; n++)
                {
                    longer[n] = (byte)rng.NextInt(256);
                }
                return longer;
            }
            default:
            {
                int at = rng.NextInt(data.Length);
                int len = Math.Min(data.Length - at, 1 + rng.NextInt(32));
                for (int n = 0; n < len; n++)
                {
                    data[at + n] = (byte)rng.NextInt(256);
                }
                return data;
            }
        }
    }
}
