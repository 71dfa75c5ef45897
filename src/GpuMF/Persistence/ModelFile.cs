using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Persistence;

/// <summary>
/// The model file format. Little-endian throughout:
/// <code>
/// magic    8 bytes  "GPUMF\r\n\x1A"
/// version  u32      1 (the only version so far)
/// kind     u32      ModelKind
/// sections          { tag u32 (four ASCII bytes), length i64, payload }
///   OPTS  UTF-8 JSON of the training options
///   DIMS  users i32, items i32, factors i32, flags i32 (1 user bias, 2 item bias), global mean f32
///   UIDS  users × i64 external ids      IIDS  items × i64
///   UFAC  users·factors × f32           IFAC  items·factors × f32
///   UBIA  users × f32 (flag 1)          IBIA  items × f32 (flag 2)
///   SEEN  (users + 1) × i32 offsets, then offsets[users] × i32 item indices
///   EPOC  completed epochs i32 (optional: checkpoints only)
///   ADAG  adagrad sums, users·factors, then items·factors, then items × f32, each finite and &gt; 0
///         (optional: BPR and WARP checkpoints under adagrad only; older builds skip it)
///   END.  SHA-256 of every byte before this section's tag; always last
/// </code>
/// Every field is checked on load; anything amiss is an <see cref="InvalidDataException"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this build writes.</summary>
    public const uint CurrentVersion = 1;

    private static ReadOnlySpan<byte> Magic => "GPUMF\r\n\x1A"u8;

    private const int HeaderSize = 16;
    private const int TrailerSize = 4 + 8 + 32;

    /// <summary>Writes <paramref name="model"/> to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public static void Write(FactorModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => WriteTo(model, stream));
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static void WriteTo(FactorModel model, Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            hash.AppendData(bytes);
        }
        void Section(string tag, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default, ReadOnlySpan<byte> third = default)
        {
            Span<byte> head = stackalloc byte[12];
            Encoding.ASCII.GetBytes(tag, head);
            BinaryPrimitives.WriteInt64LittleEndian(head[4..], (long)first.Length + second.Length + third.Length);
            Put(head);
            Put(first);
            Put(second);
            Put(third);
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)model.Kind);
        Put(header);
        Section("OPTS", Encoding.UTF8.GetBytes(model.OptionsJson));
        Span<byte> dims = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(dims, model.Users.Count);
        BinaryPrimitives.WriteInt32LittleEndian(dims[4..], model.Items.Count);
        BinaryPrimitives.WriteInt32LittleEndian(dims[8..], model.Factors);
        BinaryPrimitives.WriteInt32LittleEndian(dims[12..], (model.UserBias is null ? 0 : 1) | (model.ItemBias is null ? 0 : 2));
        BinaryPrimitives.WriteSingleLittleEndian(dims[16..], model.GlobalMean);
        Section("DIMS", dims);
        Section("UIDS", Bytes(model.Users.ToArray()));
        Section("IIDS", Bytes(model.Items.ToArray()));
        Section("UFAC", Bytes(model.UserFactors));
        Section("IFAC", Bytes(model.ItemFactors));
        if (model.UserBias is not null)
        {
            Section("UBIA", Bytes(model.UserBias));
        }
        if (model.ItemBias is not null)
        {
            Section("IBIA", Bytes(model.ItemBias));
        }
        Section("SEEN", Bytes(model.SeenPtr), Bytes(model.SeenItems));
        if (model.CompletedEpochs > 0)
        {
            Span<byte> epochs = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(epochs, model.CompletedEpochs);
            Section("EPOC", epochs);
        }
        if (model.Adagrad is { } sums)
        {
            Section("ADAG", Bytes(sums.Users), Bytes(sums.Items), Bytes(sums.ItemBiases));
        }
        Span<byte> end = stackalloc byte[12];
        "END."u8.CopyTo(end);
        BinaryPrimitives.WriteInt64LittleEndian(end[4..], 32);
        stream.Write(end);
        stream.Write(hash.GetHashAndReset());
    }

    /// <summary>Reads and validates a model file.</summary>
    /// <exception cref="InvalidDataException">The file is not a GpuMF model, is of a version this build does not know, or is corrupt or truncated.</exception>
    public static FactorModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a model from the bytes of a file; <paramref name="name"/> appears in errors.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>.</exception>
    public static FactorModel Parse(ReadOnlySpan<byte> data, string name)
    {
        if (data.Length < HeaderSize || !data[..8].SequenceEqual(Magic))
        {
            throw Bad(name, "not a GpuMF model file (wrong magic bytes)");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (version == 0 || version > CurrentVersion)
        {
            throw Bad(name, $"format version {version} is not supported by this build (it reads versions 1..{CurrentVersion}); upgrade GpuMF");
        }
        uint kindValue = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        if (!Enum.IsDefined(typeof(ModelKind), (int)kindValue))
        {
            throw Bad(name, $"unknown model kind {kindValue}");
        }
        if (data.Length < HeaderSize + TrailerSize)
        {
            throw Bad(name, "truncated: too short to hold a checksum");
        }
        var trailer = data[^TrailerSize..];
        if (!trailer[..4].SequenceEqual("END."u8) || BinaryPrimitives.ReadInt64LittleEndian(trailer[4..]) != 32)
        {
            throw Bad(name, "truncated or corrupt: the checksum section is missing from the end");
        }
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(data[..^TrailerSize], actual);
        if (!actual.SequenceEqual(trailer[12..]))
        {
            throw Bad(name, "corrupt: the SHA-256 checksum does not match the contents");
        }
        var sections = new Dictionary<string, (int Start, int Length)>();
        int pos = HeaderSize;
        int end = data.Length - TrailerSize;
        while (pos < end)
        {
            if (end - pos < 12)
            {
                throw Bad(name, $"section header at byte {pos} is cut short");
            }
            string tag = Encoding.ASCII.GetString(data.Slice(pos, 4));
            long length = BinaryPrimitives.ReadInt64LittleEndian(data[(pos + 4)..]);
            pos += 12;
            if (length < 0 || length > end - pos)
            {
                throw Bad(name, $"section '{tag}' claims {length} bytes but {end - pos} remain");
            }
            if (!sections.TryAdd(tag, (pos, (int)length)))
            {
                throw Bad(name, $"section '{tag}' occurs twice");
            }
            pos += (int)length;
        }
        ReadOnlySpan<byte> Get(ReadOnlySpan<byte> all, string tag) =>
            sections.TryGetValue(tag, out var s) ? all.Slice(s.Start, s.Length) : throw Bad(name, $"required section '{tag}' is missing");
        var dims = Get(data, "DIMS");
        if (dims.Length != 20)
        {
            throw Bad(name, $"section 'DIMS' holds {dims.Length} bytes, 20 expected");
        }
        int users = BinaryPrimitives.ReadInt32LittleEndian(dims);
        int items = BinaryPrimitives.ReadInt32LittleEndian(dims[4..]);
        int factors = BinaryPrimitives.ReadInt32LittleEndian(dims[8..]);
        int flags = BinaryPrimitives.ReadInt32LittleEndian(dims[12..]);
        float mean = BinaryPrimitives.ReadSingleLittleEndian(dims[16..]);
        if (users < 0 || items < 0 || factors < 1 || factors > 65536 || (flags & ~3) != 0 || !float.IsFinite(mean))
        {
            throw Bad(name, $"invalid dimensions: {users} users, {items} items, {factors} factors, flags {flags}, mean {mean}");
        }
        string options;
        try
        {
            options = new UTF8Encoding(false, true).GetString(Get(data, "OPTS"));
        }
        catch (DecoderFallbackException)
        {
            throw Bad(name, "the options section is not valid UTF-8");
        }
        var userIds = Array<long>(Get(data, "UIDS"), users, "UIDS", name);
        var itemIds = Array<long>(Get(data, "IIDS"), items, "IIDS", name);
        var userFactors = Floats(Get(data, "UFAC"), (long)users * factors, "UFAC", name);
        var itemFactors = Floats(Get(data, "IFAC"), (long)items * factors, "IFAC", name);
        float[]? userBias = (flags & 1) != 0 ? Floats(Get(data, "UBIA"), users, "UBIA", name) : null;
        float[]? itemBias = (flags & 2) != 0 ? Floats(Get(data, "IBIA"), items, "IBIA", name) : null;
        var seen = Get(data, "SEEN");
        long ptrBytes = (long)(users + 1) * 4;
        if (seen.Length < ptrBytes)
        {
            throw Bad(name, "section 'SEEN' is shorter than its offsets");
        }
        var seenPtr = Array<int>(seen[..(int)ptrBytes], users + 1, "SEEN offsets", name);
        var seenItems = MemoryMarshal.Cast<byte, int>(seen[(int)ptrBytes..]).ToArray();
        if (seenPtr[0] != 0 || seenPtr[users] != seenItems.Length || (seen.Length - ptrBytes) % 4 != 0)
        {
            throw Bad(name, "section 'SEEN' offsets do not match its item count");
        }
        for (int u = 0; u < users; u++)
        {
            if (seenPtr[u + 1] < seenPtr[u])
            {
                throw Bad(name, $"section 'SEEN' offsets decrease at user {u}");
            }
            for (int k = seenPtr[u]; k < seenPtr[u + 1]; k++)
            {
                if ((uint)seenItems[k] >= (uint)items || (k > seenPtr[u] && seenItems[k] <= seenItems[k - 1]))
                {
                    throw Bad(name, $"section 'SEEN' has an invalid or unsorted item index {seenItems[k]} for user {u}");
                }
            }
        }
        int completed = 0;
        if (sections.ContainsKey("EPOC"))
        {
            var epochs = Get(data, "EPOC");
            completed = epochs.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(epochs) : -1;
            if (completed < 1)
            {
                throw Bad(name, "section 'EPOC' must hold one positive epoch count");
            }
        }
        AdagradSums? adagrad = null;
        if (sections.ContainsKey("ADAG"))
        {
            if (completed == 0)
            {
                throw Bad(name, "section 'ADAG' belongs to checkpoints only, and there is no 'EPOC' section");
            }
            var all = Get(data, "ADAG");
            long userBytes = (long)users * factors * 4;
            long itemBytes = (long)items * factors * 4;
            if (all.Length != userBytes + itemBytes + (long)items * 4)
            {
                throw Bad(name, $"section 'ADAG' holds {all.Length} bytes, {userBytes + itemBytes + (long)items * 4} expected");
            }
            adagrad = new AdagradSums(
                Sums(all[..(int)userBytes], "user sums", name),
                Sums(all.Slice((int)userBytes, (int)itemBytes), "item sums", name),
                Sums(all[(int)(userBytes + itemBytes)..], "item-bias sums", name));
        }
        try
        {
            return new FactorModel((ModelKind)kindValue, new IdMap(userIds), new IdMap(itemIds), factors, userFactors, itemFactors, userBias, itemBias, mean, seenPtr, seenItems, options)
            {
                CompletedEpochs = completed,
                Adagrad = adagrad,
            };
        }
        catch (ArgumentException e)
        {
            throw Bad(name, e.Message);
        }
    }

    private static T[] Array<T>(ReadOnlySpan<byte> bytes, long count, string tag, string name) where T : unmanaged
    {
        if (bytes.Length != count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
        {
            throw Bad(name, $"section '{tag}' holds {bytes.Length} bytes, {count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()} expected");
        }
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static float[] Floats(ReadOnlySpan<byte> bytes, long count, string tag, string name)
    {
        var values = Array<float>(bytes, count, tag, name);
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]))
            {
                throw Bad(name, $"section '{tag}' holds a non-finite value at index {k}");
            }
        }
        return values;
    }

    /// <summary>Adagrad sums: finite and positive, since they start at 1 and only grow.</summary>
    private static float[] Sums(ReadOnlySpan<byte> bytes, string what, string name)
    {
        var values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]) || values[k] <= 0)
            {
                throw Bad(name, $"section 'ADAG' holds {values[k]} at index {k} of the {what}; adagrad sums are finite and positive");
            }
        }
        return values;
    }

    private static ReadOnlySpan<byte> Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan());

    private static InvalidDataException Bad(string name, string problem) => new($"Model file '{name}': {problem}.");
}
