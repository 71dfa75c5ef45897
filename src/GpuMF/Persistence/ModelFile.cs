using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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
/// version  u32      1: integer ids only; 2: string ids too (UNAM, INAM); 3: feature embeddings too (UFNM, UFEM, IFNM, IFEM)
/// kind     u32      ModelKind
/// sections          { tag u32 (four ASCII bytes), length i64, payload }
///   OPTS  UTF-8 JSON of the training options
///   DIMS  users i32, items i32, factors i32, flags i32 (1 user bias, 2 item bias), global mean f32;
///         before every section below
///   UIDS  users × i64 external ids      IIDS  items × i64
///   UNAM  (version 2, in place of UIDS for string user ids) count i32 (= users), then per id in index
///         order its UTF-8 byte length i32 and its bytes; valid UTF-8, no id twice
///   INAM  (version 2, in place of IIDS) the same for string item ids
///   UFAC  users·factors × f32           IFAC  items·factors × f32
///   UBIA  users × f32 (flag 1; SVD only)  IBIA  items × f32 (flag 2; SVD, BPR and WARP)
///   SEEN  (users + 1) × i32 offsets, then offsets[users] × i32 item indices
///   UFNM  (version 3: BPR and WARP models trained with user features) the named user features, as UNAM:
///         count i32, then per name its UTF-8 byte length i32 and its bytes; valid UTF-8, no name twice
///   UFEM  (version 3, after UFNM, with it) flags i32 (1 descriptions scaled to sum 1, 2 biases follow), then
///         names·factors × f32 embeddings (row g = name g), then names × f32 feature biases (flag 2)
///   IFNM, IFEM  (version 3: BPR and WARP models trained with item features) the same for items, the biases
///         those of a model trained with item biases
///   EPOC  completed epochs i32 (optional: checkpoints only)
///   DATA  SHA-256 of the training data (32 bytes; optional: checkpoints only; older builds skip it)
///   ADAG  adagrad sums, users·factors, then items·factors, then items × f32, each finite and &gt; 0
///         (optional: BPR and WARP checkpoints under adagrad only; older builds skip it)
///   END.  SHA-256 of every byte before this section's tag; always last
/// </code>
/// A model whose user and item ids are both integers is written as version 1, byte for byte as builds that
/// predate string ids write it, so that those builds keep reading it; a model with string ids is written as
/// version 2, which such builds refuse by naming the version. A model with feature embeddings (a hybrid BPR or
/// WARP model) is written as version 3, whatever its ids: builds of versions 1..2 skip sections they do not know,
/// and would load such a file as a model without its features, so the version makes them refuse it instead. A
/// model without features is written as before, byte for byte. This build reads all three.
/// Files are written and read section by section through a stream, hashed as they go, so that neither
/// holds the file in memory: a model of any size the arrays can hold (factor matrices beyond 2 GiB
/// included) is saved and loaded in about the memory of its arrays. A string id costs its UTF-8 bytes
/// and a 4-byte length on disk; loaded, it is one string, which the model's <see cref="IdMap"/> both lists
/// and hashes (never a second copy).
/// Every field is checked on load; anything amiss is an <see cref="InvalidDataException"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The newest format version this build writes and reads (see <see cref="VersionOf"/> for which one a model gets).</summary>
    public const uint CurrentVersion = 3;

    /// <summary>The format version <paramref name="model"/> is written in: 3 when it has user or item feature embeddings, else 1 when its user and item ids are integers, else 2.</summary>
    public static uint VersionOf(FactorModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.UserFeatures is not null || model.ItemFeatures is not null)
        {
            return 3u;
        }
        return model.Users.Kind == IdKind.Numeric && model.Items.Kind == IdKind.Numeric ? 1u : 2u;
    }

    /// <summary>
    /// The largest magnitude a factor, a bias or the global mean may have on load. A score adds at most
    /// 65,536 products of two factors and a few biases: at 1e15 each, the sum stays below 7e34, far from
    /// float's 3.4e38, so no score of a loaded model is infinite. Trained models hold values near 1.
    /// </summary>
    public const float MaxMagnitude = 1e15f;

    private static ReadOnlySpan<byte> Magic => "GPUMF\r\n\x1A"u8;

    /// <summary>UTF-8 that throws on invalid bytes rather than replace them, and writes no byte-order mark.</summary>
    private static readonly UTF8Encoding Utf8 = new(false, true);

    private const int HeaderSize = 16;
    private const int SectionHeadSize = 12;
    private const int HashSize = 32;
    private const int MaxFactors = 65536;
    private const int MaxOptionsBytes = 16 << 20;

    /// <summary>Bytes hashed and copied at a time: large enough to keep I/O efficient, small beside any array.</summary>
    private const int ChunkBytes = 1 << 20;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> through <see cref="AtomicFile"/>: a temporary file beside it, renamed into place.</summary>
    /// <exception cref="ArgumentException">A string id or a feature name holds a lone UTF-16 surrogate; nothing is written.</exception>
    public static void Write(FactorModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => WriteTo(model, stream));
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>, front to back (the stream need not seek), in format version <see cref="VersionOf"/>.</summary>
    /// <exception cref="ArgumentException">A string id or a feature name holds a lone UTF-16 surrogate (found before its section is written).</exception>
    public static void WriteTo(FactorModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var output = new HashingWriter(stream);
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], VersionOf(model));
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)model.Kind);
        output.Write(header);
        byte[] options = Encoding.UTF8.GetBytes(model.OptionsJson);
        output.Head("OPTS", options.Length);
        output.Write(options);
        Span<byte> dims = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(dims, model.Users.Count);
        BinaryPrimitives.WriteInt32LittleEndian(dims[4..], model.Items.Count);
        BinaryPrimitives.WriteInt32LittleEndian(dims[8..], model.Factors);
        BinaryPrimitives.WriteInt32LittleEndian(dims[12..], (model.UserBias is null ? 0 : 1) | (model.ItemBias is null ? 0 : 2));
        BinaryPrimitives.WriteSingleLittleEndian(dims[16..], model.GlobalMean);
        output.Head("DIMS", dims.Length);
        output.Write(dims);
        WriteIds(output, model.Users, "UIDS", "UNAM");
        WriteIds(output, model.Items, "IIDS", "INAM");
        output.Section<float>("UFAC", model.UserFactors);
        output.Section<float>("IFAC", model.ItemFactors);
        if (model.UserBias is not null)
        {
            output.Section<float>("UBIA", model.UserBias);
        }
        if (model.ItemBias is not null)
        {
            output.Section<float>("IBIA", model.ItemBias);
        }
        output.Head("SEEN", Bytes<int>(model.SeenPtr) + Bytes<int>(model.SeenItems));
        output.Values<int>(model.SeenPtr);
        output.Values<int>(model.SeenItems);
        if (model.UserFeatures is { } userFeatures)
        {
            WriteFeatures(output, userFeatures, "UFNM", "UFEM", "user");
        }
        if (model.ItemFeatures is { } itemFeatures)
        {
            WriteFeatures(output, itemFeatures, "IFNM", "IFEM", "item");
        }
        if (model.CompletedEpochs > 0)
        {
            Span<byte> epochs = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(epochs, model.CompletedEpochs);
            output.Head("EPOC", epochs.Length);
            output.Write(epochs);
        }
        if (model.DataFingerprint is { } fingerprint)
        {
            output.Head("DATA", fingerprint.Length);
            output.Write(fingerprint);
        }
        if (model.Adagrad is { } sums)
        {
            output.Head("ADAG", Bytes<float>(sums.Users) + Bytes<float>(sums.Items) + Bytes<float>(sums.ItemBiases));
            output.Values<float>(sums.Users);
            output.Values<float>(sums.Items);
            output.Values<float>(sums.ItemBiases);
        }
        output.Seal();
    }

    private static void WriteIds(HashingWriter output, IdMap map, string integers, string strings)
    {
        if (map.Kind == IdKind.Numeric)
        {
            output.Section(integers, map.IdSpan);
            return;
        }
        WriteStrings(output, strings, map.NameSpan, $"{(strings == "UNAM" ? "user" : "item")} id");
    }

    /// <summary>A section of strings (UNAM, INAM, UFNM, IFNM), each string checked before the section's header is written.</summary>
    private static void WriteStrings(HashingWriter output, string tag, ReadOnlySpan<string> names, string what)
    {
        long length = 4;
        for (int k = 0; k < names.Length; k++)
        {
            try
            {
                length += 4 + Utf8.GetByteCount(names[k]);
            }
            catch (EncoderFallbackException)
            {
                throw new ArgumentException($"The {what} at index {k} holds a lone UTF-16 surrogate, which UTF-8 cannot write.", nameof(names));
            }
        }
        output.Head(tag, length);
        output.Names(names);
    }

    /// <summary>One side's feature sections: the names, then the flags, embeddings and biases.</summary>
    private static void WriteFeatures(HashingWriter output, FeatureEmbeddings features, string namesTag, string vectorsTag, string side)
    {
        WriteStrings(output, namesTag, features.Names.Count == 0 ? [] : features.Names.NameSpan, $"{side} feature name");
        Span<byte> flags = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(flags, (features.Normalized ? 1 : 0) | (features.Biases is null ? 0 : 2));
        output.Head(vectorsTag, flags.Length + Bytes<float>(features.Vectors) + Bytes<float>(features.Biases));
        output.Write(flags);
        output.Values<float>(features.Vectors);
        if (features.Biases is not null)
        {
            output.Values<float>(features.Biases);
        }
    }

    /// <summary>Reads and validates a model file.</summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The path is a directory or not a regular file (a device, a pipe), or the file is not a GpuMF model, is of a version this build does not know, or is corrupt or truncated.</exception>
    public static FactorModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }
        if (kind != FileKind.Regular)
        {
            throw Bad(path, $"is {FileKinds.Describe(kind)}, not a regular file: give the path of a saved model");
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return ReadFrom(stream, path);
    }

    /// <summary>Parses a model from the bytes of a file (copied first); <paramref name="name"/> appears in errors.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="ReadFrom"/>.</exception>
    public static FactorModel Parse(ReadOnlySpan<byte> data, string name)
    {
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        return ReadFrom(stream, name);
    }

    /// <summary>
    /// Reads and validates a model from <paramref name="stream"/>, front to back, to its end; <paramref name="name"/>
    /// appears in errors. Each array is read straight from the stream, so the peak memory is about the model's.
    /// Section lengths are checked against the bytes left where the stream can seek; from one that cannot,
    /// a corrupt length is caught only when the stream ends short of it.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream does not hold a GpuMF model, holds one of a version this build does not know, or is corrupt or truncated.</exception>
    public static FactorModel ReadFrom(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        using var input = new HashingReader(stream, name);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (input.ReadRaw(header) < HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            throw Bad(name, "not a GpuMF model file (wrong magic bytes)");
        }
        input.Hash(header);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version == 0 || version > CurrentVersion)
        {
            throw Bad(name, $"format version {version} is not supported by this build (it reads versions 1..{CurrentVersion}); upgrade GpuMF");
        }
        uint kindValue = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (!Enum.IsDefined(typeof(ModelKind), (int)kindValue))
        {
            throw Bad(name, $"unknown model kind {kindValue}");
        }
        var parts = ReadSections(input, version, name);
        return Build((ModelKind)kindValue, parts, name);
    }

    /// <summary>The sections up to and including the checksum, each checked against the dimensions as it comes; the checksum is verified before anything else is.</summary>
    private static Parts ReadSections(HashingReader input, uint version, string name)
    {
        var parts = new Parts { Version = version };
        var tags = new HashSet<string>(StringComparer.Ordinal);
        Span<byte> head = stackalloc byte[SectionHeadSize];
        while (true)
        {
            long at = input.Position;
            int got = input.ReadRaw(head);
            if (got == 0)
            {
                throw Bad(name, "truncated: the checksum section is missing from the end");
            }
            if (got < SectionHeadSize)
            {
                throw Bad(name, $"section header at byte {at} is cut short");
            }
            string tag = Encoding.ASCII.GetString(head[..4]);
            long length = BinaryPrimitives.ReadInt64LittleEndian(head[4..]);
            if (tag == "END.")
            {
                Verify(input, length, name);
                return parts;
            }
            input.Hash(head);
            if (length < 0 || length > input.Remaining)
            {
                throw Bad(name, $"section '{tag}' claims {length} bytes but {input.Remaining} remain");
            }
            if (!tags.Add(tag))
            {
                throw Bad(name, $"section '{tag}' occurs twice");
            }
            ReadSection(input, tag, length, parts, name);
        }
    }

    private static void ReadSection(HashingReader input, string tag, long length, Parts parts, string name)
    {
        if (tag == "OPTS")
        {
            if (length > MaxOptionsBytes)
            {
                throw Bad(name, $"section 'OPTS' holds {length} bytes, more than the {MaxOptionsBytes} options may take");
            }
            parts.Options = input.Values<byte>(length, tag);
            return;
        }
        if (tag == "DIMS")
        {
            parts.Dims = ReadDims(input, length, name);
            return;
        }
        if (tag is not ("UIDS" or "IIDS" or "UNAM" or "INAM" or "UFAC" or "IFAC" or "UBIA" or "IBIA" or "SEEN" or "EPOC" or "DATA" or "ADAG" or "UFNM" or "UFEM" or "IFNM" or "IFEM"))
        {
            // A section of a later build: skipped, as the format promises.
            input.Skip(length, tag);
            return;
        }
        var dims = parts.Dims ?? throw Bad(name, $"section '{tag}' comes before section 'DIMS'");
        long userFactors = (long)dims.Users * dims.Factors;
        long itemFactors = (long)dims.Items * dims.Factors;
        switch (tag)
        {
            case "UIDS":
                parts.Users = OneMap(parts.Users, "user", tag, name, () => IdMap.ReadOnlyOver(input.Ids(Expect(length, dims.Users, 8, tag, name), tag)));
                break;
            case "IIDS":
                parts.Items = OneMap(parts.Items, "item", tag, name, () => IdMap.ReadOnlyOver(input.Ids(Expect(length, dims.Items, 8, tag, name), tag)));
                break;
            case "UNAM":
                parts.Users = OneMap(parts.Users, "user", tag, name, () => IdMap.ReadOnlyOver(StringIds(input, parts.Version, length, dims.Users, tag, name)));
                break;
            case "INAM":
                parts.Items = OneMap(parts.Items, "item", tag, name, () => IdMap.ReadOnlyOver(StringIds(input, parts.Version, length, dims.Items, tag, name)));
                break;
            case "UFAC":
                parts.UserFactors = input.Values<float>(Expect(length, userFactors, 4, tag, name), tag);
                break;
            case "IFAC":
                parts.ItemFactors = input.Values<float>(Expect(length, itemFactors, 4, tag, name), tag);
                break;
            case "UBIA":
                parts.UserBias = input.Values<float>(Expect(length, dims.Users, 4, tag, name), tag);
                break;
            case "IBIA":
                parts.ItemBias = input.Values<float>(Expect(length, dims.Items, 4, tag, name), tag);
                break;
            case "SEEN":
                long ptrBytes = (dims.Users + 1L) * 4;
                if (length < ptrBytes || (length - ptrBytes) % 4 != 0)
                {
                    throw Bad(name, $"section 'SEEN' holds {length} bytes: not {ptrBytes} bytes of offsets and whole item indices");
                }
                parts.SeenPtr = input.Values<int>(dims.Users + 1L, tag);
                parts.SeenItems = input.Values<int>((length - ptrBytes) / 4, tag);
                break;
            case "EPOC":
                parts.Epochs = input.Values<int>(Expect(length, 1, 4, tag, name), tag)[0];
                break;
            case "DATA":
                parts.DataFingerprint = input.Values<byte>(Expect(length, 32, 1, tag, name), tag);
                break;
            case "ADAG":
                long count = userFactors + itemFactors + dims.Items;
                Expect(length, count, 4, tag, name);
                parts.Adagrad = new AdagradSums(input.Values<float>(userFactors, tag), input.Values<float>(itemFactors, tag), input.Values<float>(dims.Items, tag));
                break;
            case "UFNM":
                parts.UserFeatureNames = FeatureNames(input, parts.Version, length, tag, name);
                break;
            case "IFNM":
                parts.ItemFeatureNames = FeatureNames(input, parts.Version, length, tag, name);
                break;
            case "UFEM":
                parts.UserFeatures = FeatureVectors(input, parts.UserFeatureNames, "UFNM", dims.Factors, length, tag, name);
                break;
            case "IFEM":
                parts.ItemFeatures = FeatureVectors(input, parts.ItemFeatureNames, "IFNM", dims.Factors, length, tag, name);
                break;
        }
    }

    /// <summary>
    /// The read-only map of the ids <paramref name="read"/> reads, refused when a map of that side is already
    /// read (both UIDS and UNAM, say) or when an id occurs twice.
    /// </summary>
    private static IdMap OneMap(IdMap? before, string side, string tag, string name, Func<IdMap> read)
    {
        if (before is not null)
        {
            throw Bad(name, $"section '{tag}' holds {side} ids, but another section already did");
        }
        try
        {
            return read();
        }
        catch (ArgumentException e)
        {
            throw Bad(name, $"section '{tag}': {e.Message.TrimEnd('.')}");
        }
    }

    /// <summary>
    /// A section of string ids (UNAM, INAM), each read and decoded as it comes: the count, then per id its
    /// length and UTF-8 bytes, every length checked against what is left of the section.
    /// </summary>
    private static List<string> StringIds(HashingReader input, uint version, long length, int expected, string tag, string name) =>
        Strings(input, version, 2, "string ids", "id", length, expected, tag, name);

    /// <summary>A section of feature names (UFNM, IFNM), as a read-only map of string kind.</summary>
    private static IdMap FeatureNames(HashingReader input, uint version, long length, string tag, string name)
    {
        var names = Strings(input, version, 3, "feature names", "name", length, null, tag, name);
        try
        {
            return IdMap.ReadOnlyOver(names);
        }
        catch (ArgumentException e)
        {
            throw Bad(name, $"section '{tag}': {e.Message.TrimEnd('.')}");
        }
    }

    /// <summary>
    /// A section of feature embeddings (UFEM, IFEM): the flags, then one embedding per name of the section
    /// <paramref name="namesTag"/> read before it, then one bias per name when the flags say so.
    /// </summary>
    private static FeatureParts FeatureVectors(HashingReader input, IdMap? names, string namesTag, int factors, long length, string tag, string name)
    {
        if (names is null)
        {
            throw Bad(name, $"section '{tag}' holds feature embeddings, but no section '{namesTag}' of their names comes before it");
        }
        if (length < 4)
        {
            throw Bad(name, $"section '{tag}' holds {length} bytes, too few for its flags");
        }
        Span<byte> word = stackalloc byte[4];
        input.Read(word, tag);
        int flags = BinaryPrimitives.ReadInt32LittleEndian(word);
        if ((flags & ~3) != 0)
        {
            throw Bad(name, $"section '{tag}' has the unknown flags {flags}");
        }
        long vectors = (long)names.Count * factors;
        long biases = (flags & 2) != 0 ? names.Count : 0;
        if (length - 4 != (vectors + biases) * 4)
        {
            throw Bad(name, $"section '{tag}' holds {length} bytes, {4 + (vectors + biases) * 4} expected for {names.Count} features of {factors} factors{(biases > 0 ? " and their biases" : "")}");
        }
        return new FeatureParts(names, input.Values<float>(vectors, tag), biases > 0 ? input.Values<float>(biases, tag) : null, (flags & 1) != 0);
    }

    /// <summary>
    /// A section of strings (ids, feature names), each read and decoded as it comes: the count, then per string its
    /// length and UTF-8 bytes, every length checked against what is left of the section. The count must be
    /// <paramref name="expected"/> where that is known.
    /// </summary>
    private static List<string> Strings(HashingReader input, uint version, uint since, string what, string noun, long length, int? expected, string tag, string name)
    {
        if (version < since)
        {
            throw Bad(name, $"section '{tag}' ({what}) needs format version {since}, but the file says version {version}");
        }
        if (length < 4)
        {
            throw Bad(name, $"section '{tag}' holds {length} bytes, too few for its {noun} count");
        }
        Span<byte> word = stackalloc byte[4];
        input.Read(word, tag);
        int count = BinaryPrimitives.ReadInt32LittleEndian(word);
        if (expected is { } wanted && count != wanted)
        {
            throw Bad(name, $"section '{tag}' holds {count} {noun}s, but the dimensions say {wanted}");
        }
        // Each string takes at least its 4-byte length: a count beyond that is corrupt, and would size the list.
        if (count < 0 || count > (length - 4) / 4)
        {
            throw Bad(name, $"section '{tag}' claims {count} {noun}s, but its {length} bytes hold at most {(length - 4) / 4}");
        }
        long left = length - 4;
        var names = new List<string>(count);
        byte[] buffer = new byte[256];
        for (int k = 0; k < count; k++)
        {
            if (left < 4)
            {
                throw Bad(name, $"section '{tag}' ends before the length of {noun} {k}");
            }
            input.Read(word, tag);
            left -= 4;
            int bytes = BinaryPrimitives.ReadInt32LittleEndian(word);
            if (bytes < 0 || bytes > left)
            {
                throw Bad(name, $"section '{tag}' gives {noun} {k} a length of {bytes} bytes, but {left} remain in the section");
            }
            if (bytes > buffer.Length)
            {
                buffer = new byte[bytes];
            }
            var span = buffer.AsSpan(0, bytes);
            input.Read(span, tag);
            left -= bytes;
            try
            {
                names.Add(Utf8.GetString(span));
            }
            catch (DecoderFallbackException)
            {
                throw Bad(name, $"section '{tag}' holds {noun} {k}, which is not valid UTF-8");
            }
        }
        if (left != 0)
        {
            throw Bad(name, $"section '{tag}' holds {left} bytes after its last {noun}");
        }
        return names;
    }

    private static Dims ReadDims(HashingReader input, long length, string name)
    {
        if (length != 20)
        {
            throw Bad(name, $"section 'DIMS' holds {length} bytes, 20 expected");
        }
        Span<byte> bytes = stackalloc byte[20];
        input.Read(bytes, "DIMS");
        var dims = new Dims(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadSingleLittleEndian(bytes[16..]));
        if (dims.Users < 0 || dims.Items < 0 || dims.Factors < 1 || dims.Factors > MaxFactors || (dims.Flags & ~3) != 0 || !float.IsFinite(dims.Mean))
        {
            throw Bad(name, $"invalid dimensions: {dims.Users} users, {dims.Items} items, {dims.Factors} factors, flags {dims.Flags}, mean {dims.Mean}");
        }
        return dims;
    }

    /// <summary>The element count, after checking that a section of <paramref name="length"/> bytes holds exactly <paramref name="count"/> elements.</summary>
    private static long Expect(long length, long count, int size, string tag, string name) =>
        length == count * size ? count : throw Bad(name, $"section '{tag}' holds {length} bytes, {count * size} expected");

    /// <summary>Reads the checksum section (its tag already read) and checks it, and that nothing follows it.</summary>
    private static void Verify(HashingReader input, long length, string name)
    {
        if (length != HashSize)
        {
            throw Bad(name, $"truncated or corrupt: the checksum section claims {length} bytes, {HashSize} expected");
        }
        Span<byte> stored = stackalloc byte[HashSize];
        if (input.ReadRaw(stored) < HashSize)
        {
            throw Bad(name, "truncated: the checksum is cut short");
        }
        if (!input.HashMatches(stored))
        {
            throw Bad(name, "corrupt: the SHA-256 checksum does not match the contents");
        }
        if (input.ReadRaw(stackalloc byte[1]) != 0)
        {
            throw Bad(name, "corrupt: bytes follow the checksum section, which must be last");
        }
    }

    /// <summary>Checks the sections against one another and the model kind, then assembles the model.</summary>
    private static FactorModel Build(ModelKind kind, Parts p, string name)
    {
        var dims = p.Dims ?? throw Missing(name, "DIMS");
        var optionBytes = p.Options ?? throw Missing(name, "OPTS");
        var users = p.Users ?? throw Missing(name, p.Version >= 2 ? "UIDS' or 'UNAM" : "UIDS");
        var items = p.Items ?? throw Missing(name, p.Version >= 2 ? "IIDS' or 'INAM" : "IIDS");
        var userFactors = p.UserFactors ?? throw Missing(name, "UFAC");
        var itemFactors = p.ItemFactors ?? throw Missing(name, "IFAC");
        var seenPtr = p.SeenPtr ?? throw Missing(name, "SEEN");
        var seenItems = p.SeenItems!;
        string options;
        try
        {
            options = Utf8.GetString(optionBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad(name, "the options section is not valid UTF-8");
        }
        CheckBias(p.UserBias, (dims.Flags & 1) != 0, "UBIA", "user", name);
        CheckBias(p.ItemBias, (dims.Flags & 2) != 0, "IBIA", "item", name);
        // Biases as the trainers make them: ALS has none, BPR and WARP at most item biases.
        if (kind == ModelKind.Als && (p.UserBias is not null || p.ItemBias is not null))
        {
            throw Bad(name, $"an ALS model has no biases, but this file holds {(p.UserBias is not null ? "user" : "item")} biases");
        }
        if ((kind is ModelKind.Bpr or ModelKind.Warp) && p.UserBias is not null)
        {
            throw Bad(name, $"a {kind.ToString().ToUpperInvariant()} model has no user biases, but this file holds them");
        }
        // Features as the trainers make them: BPR and WARP only.
        if (kind is not (ModelKind.Bpr or ModelKind.Warp) && (p.UserFeatureNames is not null || p.ItemFeatureNames is not null))
        {
            throw Bad(name, $"an {kind.ToString().ToUpperInvariant()} model has no feature embeddings, but this file holds {(p.UserFeatureNames is not null ? "user" : "item")} features");
        }
        if (Math.Abs(dims.Mean) > MaxMagnitude)
        {
            throw Bad(name, $"the global mean {dims.Mean} is beyond ±{MaxMagnitude}, where scores overflow");
        }
        CheckValues(userFactors, "UFAC", name);
        CheckValues(itemFactors, "IFAC", name);
        CheckValues(p.UserBias, "UBIA", name);
        CheckValues(p.ItemBias, "IBIA", name);
        CheckSeen(seenPtr, seenItems, dims.Items, name);
        var userFeatures = Features(p.UserFeatureNames, p.UserFeatures, "UFNM", "UFEM", dims.Factors, name);
        var itemFeatures = Features(p.ItemFeatureNames, p.ItemFeatures, "IFNM", "IFEM", dims.Factors, name);
        if (p.Epochs is < 1)
        {
            throw Bad(name, "section 'EPOC' must hold one positive epoch count");
        }
        if (p.DataFingerprint is not null && p.Epochs is null)
        {
            throw Bad(name, "section 'DATA' belongs to checkpoints only, and there is no 'EPOC' section");
        }
        if (p.Adagrad is { } sums)
        {
            if (p.Epochs is null)
            {
                throw Bad(name, "section 'ADAG' belongs to checkpoints only, and there is no 'EPOC' section");
            }
            CheckSums(sums.Users, "user sums", name);
            CheckSums(sums.Items, "item sums", name);
            CheckSums(sums.ItemBiases, "item-bias sums", name);
        }
        try
        {
            return new FactorModel(kind, users, items, dims.Factors, userFactors, itemFactors, p.UserBias, p.ItemBias, dims.Mean, seenPtr, seenItems, options)
            {
                CompletedEpochs = p.Epochs ?? 0,
                Adagrad = p.Adagrad,
                DataFingerprint = p.DataFingerprint,
                UserFeatures = userFeatures,
                ItemFeatures = itemFeatures,
            };
        }
        catch (ArgumentException e)
        {
            throw Bad(name, e.Message);
        }
    }

    /// <summary>One side's feature embeddings from its two sections, both present or both absent, every value within <see cref="MaxMagnitude"/>; null when absent.</summary>
    private static FeatureEmbeddings? Features(IdMap? names, FeatureParts? parts, string namesTag, string vectorsTag, int factors, string name)
    {
        if (parts is null)
        {
            return names is null ? null : throw Bad(name, $"section '{namesTag}' names features, but section '{vectorsTag}' of their embeddings is missing");
        }
        CheckValues(parts.Vectors, vectorsTag, name);
        CheckValues(parts.Biases, vectorsTag, name);
        return new FeatureEmbeddings(parts.Names, factors, parts.Vectors, parts.Biases, parts.Normalized);
    }

    private static void CheckBias(float[]? bias, bool flagged, string tag, string what, string name)
    {
        if (flagged && bias is null)
        {
            throw Missing(name, tag);
        }
        if (!flagged && bias is not null)
        {
            throw Bad(name, $"section '{tag}' is present, but the dimensions' flags say there are no {what} biases");
        }
    }

    /// <summary>Factors and biases: finite and within <see cref="MaxMagnitude"/>; the vectorised maximum finds whether any is not, a scan where.</summary>
    private static void CheckValues(float[]? values, string tag, string name)
    {
        if (values is not { Length: > 0 } || Math.Abs(TensorPrimitives.MaxMagnitude<float>(values)) <= MaxMagnitude)
        {
            return;
        }
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]))
            {
                throw Bad(name, $"section '{tag}' holds a non-finite value at index {k}");
            }
            if (Math.Abs(values[k]) > MaxMagnitude)
            {
                throw Bad(name, $"section '{tag}' holds {values[k]} at index {k}, beyond ±{MaxMagnitude}, where scores overflow");
            }
        }
    }

    private static void CheckSeen(int[] seenPtr, int[] seenItems, int items, string name)
    {
        int users = seenPtr.Length - 1;
        if (seenPtr[0] != 0 || seenPtr[users] != seenItems.Length)
        {
            throw Bad(name, "section 'SEEN' offsets do not match its item count");
        }
        for (int u = 0; u < users; u++)
        {
            if (seenPtr[u + 1] < seenPtr[u])
            {
                throw Bad(name, $"section 'SEEN' offsets decrease at user {u}");
            }
            if (seenPtr[u + 1] > seenItems.Length)
            {
                throw Bad(name, $"section 'SEEN' gives user {u} items up to offset {seenPtr[u + 1]}, beyond its {seenItems.Length} item indices");
            }
            for (int k = seenPtr[u]; k < seenPtr[u + 1]; k++)
            {
                if ((uint)seenItems[k] >= (uint)items || (k > seenPtr[u] && seenItems[k] <= seenItems[k - 1]))
                {
                    throw Bad(name, $"section 'SEEN' has an invalid or unsorted item index {seenItems[k]} for user {u}");
                }
            }
        }
    }

    /// <summary>Adagrad sums: finite and positive, since they start at 1 and only grow.</summary>
    private static void CheckSums(float[] values, string what, string name)
    {
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]) || values[k] <= 0)
            {
                throw Bad(name, $"section 'ADAG' holds {values[k]} at index {k} of the {what}; adagrad sums are finite and positive");
            }
        }
    }

    private static long Bytes<T>(ReadOnlySpan<T> values) where T : unmanaged => (long)values.Length * Unsafe.SizeOf<T>();

    private static InvalidDataException Missing(string name, string tag) => Bad(name, $"required section '{tag}' is missing");

    private static InvalidDataException Bad(string name, string problem) => new($"Model file '{name}': {problem}.");

    private readonly record struct Dims(int Users, int Items, int Factors, int Flags, float Mean);

    /// <summary>One side's feature sections as read: the names, the embeddings, the biases if any, and whether descriptions are scaled.</summary>
    private sealed record FeatureParts(IdMap Names, float[] Vectors, float[]? Biases, bool Normalized);

    /// <summary>The sections read so far; null where absent.</summary>
    private sealed class Parts
    {
        public uint Version;
        public byte[]? Options;
        public Dims? Dims;
        public IdMap? Users;
        public IdMap? Items;
        public float[]? UserFactors;
        public float[]? ItemFactors;
        public float[]? UserBias;
        public float[]? ItemBias;
        public int[]? SeenPtr;
        public int[]? SeenItems;
        public int? Epochs;
        public AdagradSums? Adagrad;
        public byte[]? DataFingerprint;
        public IdMap? UserFeatureNames;
        public IdMap? ItemFeatureNames;
        public FeatureParts? UserFeatures;
        public FeatureParts? ItemFeatures;
    }

    /// <summary>Writes to a stream and hashes what it writes, an array at most <see cref="ChunkBytes"/> at a time.</summary>
    private sealed class HashingWriter(Stream stream) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            _hash.AppendData(bytes);
        }

        public void Head(string tag, long length)
        {
            Span<byte> head = stackalloc byte[SectionHeadSize];
            Encoding.ASCII.GetBytes(tag, head);
            BinaryPrimitives.WriteInt64LittleEndian(head[4..], length);
            Write(head);
        }

        public void Section<T>(string tag, ReadOnlySpan<T> values) where T : unmanaged
        {
            Head(tag, Bytes(values));
            Values(values);
        }

        /// <summary>In chunks, since one span of the bytes of 2 GiB or more cannot be made.</summary>
        public void Values<T>(ReadOnlySpan<T> values) where T : unmanaged
        {
            int chunk = ChunkBytes / Unsafe.SizeOf<T>();
            while (!values.IsEmpty)
            {
                var part = values[..Math.Min(chunk, values.Length)];
                Write(MemoryMarshal.AsBytes(part));
                values = values[part.Length..];
            }
        }

        /// <summary>Each string as its UTF-8 byte length and bytes, through one buffer that grows to the longest.</summary>
        public void Names(ReadOnlySpan<string> names)
        {
            Span<byte> count = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(count, names.Length);
            Write(count);
            byte[] buffer = new byte[260];
            foreach (string name in names)
            {
                int bytes = Utf8.GetByteCount(name);
                if (bytes + 4 > buffer.Length)
                {
                    buffer = new byte[bytes + 4];
                }
                BinaryPrimitives.WriteInt32LittleEndian(buffer, bytes);
                Utf8.GetBytes(name, buffer.AsSpan(4));
                Write(buffer.AsSpan(0, bytes + 4));
            }
        }

        /// <summary>The checksum section, itself not hashed.</summary>
        public void Seal()
        {
            Span<byte> end = stackalloc byte[SectionHeadSize + HashSize];
            "END."u8.CopyTo(end);
            BinaryPrimitives.WriteInt64LittleEndian(end[4..], HashSize);
            _hash.GetHashAndReset(end[SectionHeadSize..]);
            stream.Write(end);
        }

        public void Dispose() => _hash.Dispose();
    }

    /// <summary>Reads from a stream, counting and (on request) hashing what it reads; arrays come straight into place, a chunk at a time.</summary>
    private sealed class HashingReader(Stream stream, string name) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly long _length = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;

        /// <summary>Bytes read so far.</summary>
        public long Position { get; private set; }

        /// <summary>Bytes left; <see cref="long.MaxValue"/> where the stream cannot tell.</summary>
        public long Remaining => _length == long.MaxValue ? long.MaxValue : _length - Position;

        /// <summary>Fills <paramref name="buffer"/> unless the stream ends first; returns the bytes read, unhashed.</summary>
        public int ReadRaw(Span<byte> buffer)
        {
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            Position += read;
            return read;
        }

        public void Hash(ReadOnlySpan<byte> bytes) => _hash.AppendData(bytes);

        public bool HashMatches(ReadOnlySpan<byte> stored)
        {
            Span<byte> actual = stackalloc byte[HashSize];
            _hash.GetHashAndReset(actual);
            return actual.SequenceEqual(stored);
        }

        /// <summary>Fills and hashes <paramref name="buffer"/>, part of section <paramref name="tag"/>.</summary>
        public void Read(Span<byte> buffer, string tag)
        {
            if (ReadRaw(buffer) < buffer.Length)
            {
                throw Bad(name, $"truncated inside section '{tag}'");
            }
            Hash(buffer);
        }

        public T[] Values<T>(long count, string tag) where T : unmanaged
        {
            var values = GC.AllocateUninitializedArray<T>(Fits(count, tag));
            ReadInto<T>(values, tag);
            return values;
        }

        /// <summary>Ids read straight into the list that the model's read-only <see cref="IdMap"/> then takes as its own, so that they are held once.</summary>
        public List<long> Ids(long count, string tag)
        {
            var ids = new List<long>(Fits(count, tag));
            CollectionsMarshal.SetCount(ids, (int)count);
            ReadInto(CollectionsMarshal.AsSpan(ids), tag);
            return ids;
        }

        private int Fits(long count, string tag) =>
            count <= Array.MaxLength ? (int)count : throw Bad(name, $"section '{tag}' holds {count} values, more than an array can");

        private void ReadInto<T>(Span<T> values, string tag) where T : unmanaged
        {
            int chunk = ChunkBytes / Unsafe.SizeOf<T>();
            while (!values.IsEmpty)
            {
                var part = values[..Math.Min(chunk, values.Length)];
                Read(MemoryMarshal.AsBytes(part), tag);
                values = values[part.Length..];
            }
        }

        public void Skip(long length, string tag)
        {
            var scratch = new byte[(int)Math.Min(length, ChunkBytes)];
            while (length > 0)
            {
                var part = scratch.AsSpan(0, (int)Math.Min(length, scratch.Length));
                Read(part, tag);
                length -= part.Length;
            }
        }

        public void Dispose() => _hash.Dispose();
    }
}
