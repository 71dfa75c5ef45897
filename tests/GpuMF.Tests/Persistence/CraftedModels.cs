using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using GpuMF.Models;
using GpuMF.Persistence;

namespace GpuMF.Tests.Persistence;

/// <summary>
/// Model files taken apart into their sections and put back together with a fresh checksum, so that a test
/// can hand the loader a file that only a hostile or buggy writer would make.
/// </summary>
internal static class CraftedModels
{
    public static byte[] Bytes(FactorModel model)
    {
        using var stream = new MemoryStream();
        ModelFile.WriteTo(model, stream);
        return stream.ToArray();
    }

    /// <summary>The 16-byte header and the sections before the checksum, in file order.</summary>
    public static (byte[] Header, List<(string Tag, byte[] Payload)> Sections) Split(byte[] file)
    {
        var sections = new List<(string, byte[])>();
        int pos = 16;
        while (pos < file.Length - 44)
        {
            string tag = Encoding.ASCII.GetString(file, pos, 4);
            int length = (int)BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(pos + 4));
            sections.Add((tag, file.AsSpan(pos + 12, length).ToArray()));
            pos += 12 + length;
        }
        return (file[..16], sections);
    }

    /// <summary>A file of <paramref name="header"/> and <paramref name="sections"/>, sealed with their SHA-256.</summary>
    public static byte[] Join(byte[] header, IEnumerable<(string Tag, byte[] Payload)> sections)
    {
        using var stream = new MemoryStream();
        stream.Write(header);
        foreach (var (tag, payload) in sections)
        {
            stream.Write(Encoding.ASCII.GetBytes(tag));
            stream.Write(BitConverter.GetBytes((long)payload.Length));
            stream.Write(payload);
        }
        byte[] hash = SHA256.HashData(stream.ToArray());
        stream.Write("END."u8);
        stream.Write(BitConverter.GetBytes(32L));
        stream.Write(hash);
        return stream.ToArray();
    }

    /// <summary><paramref name="file"/> with the bytes of section <paramref name="tag"/> changed by <paramref name="edit"/>, resealed.</summary>
    public static byte[] Patch(byte[] file, string tag, Action<byte[]> edit)
    {
        var (header, sections) = Split(file);
        edit(sections.Single(s => s.Tag == tag).Payload);
        return Join(header, sections);
    }

    /// <summary><paramref name="file"/> relabelled as a model of <paramref name="kind"/>, resealed.</summary>
    public static byte[] Relabel(byte[] file, ModelKind kind)
    {
        var (header, sections) = Split(file);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)kind);
        return Join(header, sections);
    }
}
