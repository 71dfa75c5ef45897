using System.Runtime.InteropServices;
using System.Text;

namespace GpuMF.Persistence;

/// <summary>Writes arrays as NumPy <c>.npy</c> files (format 1.0, little-endian), for use from Python: float32 matrices and vectors, int64 vectors (ids) and unicode vectors (string ids).</summary>
public static class NpyWriter
{
    /// <summary>Writes a row-major <paramref name="rows"/> × <paramref name="cols"/> float32 matrix atomically.</summary>
    public static void Write(string path, float[] values, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((long)rows * cols != values.Length)
        {
            throw new ArgumentException($"{values.Length} values do not make a {rows} × {cols} matrix.");
        }
        Write(path, values, "<f4", $"({rows}, {cols})");
    }

    /// <summary>Writes a float32 vector (biases) atomically.</summary>
    public static void Write(string path, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Write(path, values, "<f4", $"({values.Length},)");
    }

    /// <summary>Writes an int64 vector (ids) atomically.</summary>
    public static void Write(string path, long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Write(path, values, "<i8", $"({values.Length},)");
    }

    /// <summary>
    /// Writes a vector of strings (string ids) atomically, as NumPy's fixed-width unicode (<c>&lt;U</c>n, n the
    /// most code points of any string, at least 1): 4 bytes a code point, every string padded to the longest, so
    /// that <c>np.load</c> reads it without pickles. NumPy drops trailing NUL characters from each string.
    /// </summary>
    /// <exception cref="ArgumentException">A string is null or holds a lone UTF-16 surrogate.</exception>
    public static void Write(string path, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int width = 1;
        for (int k = 0; k < values.Count; k++)
        {
            string value = values[k] ?? throw new ArgumentException($"The string at index {k} is null.", nameof(values));
            int length = 0;
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                if (Rune.DecodeFromUtf16(rest, out _, out int used) != System.Buffers.OperationStatus.Done)
                {
                    throw new ArgumentException($"The string at index {k} holds a lone UTF-16 surrogate.", nameof(values));
                }
                rest = rest[used..];
                length++;
            }
            width = Math.Max(width, length);
        }
        WriteHeaded(path, $"<U{width}", $"({values.Count},)", stream =>
        {
            var row = new int[width];
            foreach (string value in values)
            {
                Array.Clear(row);
                int at = 0;
                foreach (var rune in value.EnumerateRunes())
                {
                    row[at++] = rune.Value;
                }
                stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
        });
    }

    /// <summary>The values' bytes after the header.</summary>
    private static void Write<T>(string path, T[] values, string type, string shape)
        where T : unmanaged =>
        WriteHeaded(path, type, shape, stream =>
        {
            // In parts, since one span of the bytes of 2 GiB or more cannot be made.
            var rest = values.AsSpan();
            int part = (1 << 20) / Marshal.SizeOf<T>();
            while (!rest.IsEmpty)
            {
                var next = rest[..Math.Min(rest.Length, part)];
                stream.Write(MemoryMarshal.AsBytes(next));
                rest = rest[next.Length..];
            }
        });

    /// <summary>The header (magic, version, length, the dict padded to a multiple of 64 bytes), then what <paramref name="body"/> writes, through <see cref="AtomicFile"/>.</summary>
    private static void WriteHeaded(string path, string type, string shape, Action<Stream> body)
    {
        string dict = $"{{'descr': '{type}', 'fortran_order': False, 'shape': {shape}, }}";
        int unpadded = 10 + dict.Length + 1;
        string header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(0x93);
            stream.Write("NUMPY"u8);
            stream.WriteByte(1);
            stream.WriteByte(0);
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(Encoding.ASCII.GetBytes(header));
            body(stream);
        });
    }
}
