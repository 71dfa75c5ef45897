using System.Runtime.InteropServices;
using System.Text;

namespace GpuMF.Persistence;

/// <summary>Writes float32 matrices as NumPy <c>.npy</c> files (format 1.0), for use from Python.</summary>
public static class NpyWriter
{
    /// <summary>Writes a row-major <paramref name="rows"/> × <paramref name="cols"/> matrix atomically.</summary>
    public static void Write(string path, float[] values, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((long)rows * cols != values.Length)
        {
            throw new ArgumentException($"{values.Length} values do not make a {rows} × {cols} matrix.");
        }
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
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
            // In parts, since one span of the bytes of 2 GiB or more cannot be made.
            var rest = values.AsSpan();
            while (!rest.IsEmpty)
            {
                var part = rest[..Math.Min(rest.Length, 1 << 18)];
                stream.Write(MemoryMarshal.AsBytes(part));
                rest = rest[part.Length..];
            }
        });
    }
}
