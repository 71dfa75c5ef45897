using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using GpuMF.Kernels.Sampling;
using GpuMF.Kernels.Sparse;

namespace GpuMF.Pairwise;

/// <summary>
/// "Is item j observed for user u" for the CPU engines' negative sampling (<see cref="CpuPairwiseEngine"/>,
/// <see cref="HybridCpuEngine"/>), over each user's observed items as a CSR with ascending rows. One bit of a dense
/// user × item bitmap when that fits in <see cref="MaxBitmapBytes"/> (one cache miss instead of a binary search's
/// several); else a per-user hashed filter (2 bytes per observed pair and 8 per user) that settles all but a few
/// percent of the checks with one read, the rest going on to a binary search of the user's CSR row. The arrays are
/// pinned until <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class ObservedPairs : IDisposable
{
    /// <summary>Largest bitmap built (64 MiB: ML-20M's 138k × 27k would need 460 MiB).</summary>
    public const long MaxBitmapBytes = 64L << 20;

    private readonly PinnedArrays _pins = new();
    private readonly int _itemCount;
    private readonly int* _ptr;
    private readonly int* _items;

    /// <summary>Bit u·items + i is set when user u has item i; null when the bitmap would exceed <see cref="MaxBitmapBytes"/>.</summary>
    private readonly ulong* _bits;

    /// <summary>
    /// When there is no bitmap, each user's observed items hashed into words of their own (<see cref="FilterWord"/>,
    /// <see cref="FilterMask"/>): a clear bit proves that the user lacks the item with one memory read; null when there is a bitmap.
    /// </summary>
    private readonly ulong* _filter;

    /// <param name="userCount">Users: rows of the CSR.</param>
    /// <param name="itemCount">Items: every observed item is below it.</param>
    /// <param name="seenPtr">The CSR offsets, <paramref name="userCount"/> + 1 of them; pinned, not copied.</param>
    /// <param name="seenItems">Each user's observed items, ascending within a row; pinned, not copied.</param>
    public ObservedPairs(int userCount, int itemCount, int[] seenPtr, int[] seenItems)
    {
        _itemCount = itemCount;
        _ptr = _pins.Pin(seenPtr);
        _items = _pins.Pin(seenItems);
        var bitmap = Bitmap(userCount, itemCount, seenPtr, seenItems);
        _bits = _pins.Pin(bitmap);
        _filter = bitmap is null ? _pins.Pin(Filter(userCount, seenPtr, seenItems)) : null;
    }

    /// <summary>True when user <paramref name="u"/> has item <paramref name="item"/> among the observed ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(int u, int item)
    {
        if (_bits != null)
        {
            long bit = (long)u * _itemCount + item;
            return (_bits[bit >> 6] & (1UL << (int)(bit & 63))) != 0;
        }
        int start = _ptr[u];
        int end = _ptr[u + 1];
        ulong hash = XorShiftRandom.Mix((ulong)(uint)item);
        ulong mask = FilterMask(hash);
        return (_filter[FilterWord(u, start, end, hash)] & mask) == mask
            && SortedRange.Contains(new PointerValues(_items), start, end, item);
    }

    /// <summary>
    /// Asks for the bitmap or filter word that <see cref="Contains"/>(u, item) will read, so that its cache miss overlaps
    /// other work; the filter's needs user u's CSR offsets, which <see cref="PrefetchRow"/> asks for earlier.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int u, int item)
    {
        if (!Sse.IsSupported)
        {
            return;
        }
        if (_bits != null)
        {
            Sse.Prefetch0(_bits + (((long)u * _itemCount + item) >> 6));
        }
        else
        {
            Sse.Prefetch0(_filter + FilterWord(u, _ptr[u], _ptr[u + 1], XorShiftRandom.Mix((ulong)(uint)item)));
        }
    }

    /// <summary>Asks for user <paramref name="u"/>'s CSR offsets, which <see cref="Contains"/> reads when there is no bitmap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchRow(int u)
    {
        if (_bits == null && Sse.IsSupported)
        {
            Sse.Prefetch0(_ptr + u);
        }
    }

    public void Dispose() => _pins.Dispose();

    /// <summary>The dense user × item bitmap of the observed pairs (bit u·items + i), or null when it would exceed <see cref="MaxBitmapBytes"/>.</summary>
    internal static ulong[]? Bitmap(int userCount, int itemCount, int[] seenPtr, int[] seenItems)
    {
        long bits = (long)userCount * itemCount;
        if (bits > MaxBitmapBytes * 8)
        {
            return null;
        }
        var map = new ulong[(bits + 63) >> 6];
        for (int u = 0; u < userCount; u++)
        {
            for (int n = seenPtr[u]; n < seenPtr[u + 1]; n++)
            {
                long bit = (long)u * itemCount + seenItems[n];
                map[bit >> 6] |= 1UL << (int)(bit & 63);
            }
        }
        return map;
    }

    /// <summary>The words of the filter: each user's observed items set in its own range.</summary>
    private static ulong[] Filter(int userCount, int[] seenPtr, int[] seenItems)
    {
        var words = new ulong[(seenItems.Length >> 2) + userCount + 1];
        for (int u = 0; u < userCount; u++)
        {
            int start = seenPtr[u];
            int end = seenPtr[u + 1];
            for (int n = start; n < end; n++)
            {
                ulong hash = XorShiftRandom.Mix((ulong)(uint)seenItems[n]);
                words[FilterWord(u, start, end, hash)] |= FilterMask(hash);
            }
        }
        return words;
    }

    /// <summary>
    /// The filter word of user <paramref name="u"/>, whose items are [<paramref name="start"/>, <paramref name="end"/>)
    /// of the CSR, for an item hashed to <paramref name="hash"/>: the user owns ⌊(end − start)/4⌋ + 1 words from
    /// ⌊start/4⌋ + u on (no two users' ranges meet), about 16 bits per item, and the hash's top bits pick one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FilterWord(int u, int start, int end, ulong hash) =>
        (start >> 2) + (long)u + (long)(((hash >> 32) * (ulong)(uint)(((end - start) >> 2) + 1)) >> 32);

    /// <summary>
    /// The two bits an item hashed to <paramref name="hash"/> sets in its filter word: with at most four items a word on
    /// average (about 8 of its 64 bits set), a missing item finds both set with probability about (1 − e^(−8/64))² ≈ 1.4%.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FilterMask(ulong hash) => (1UL << (int)(hash & 63)) | (1UL << (int)((hash >> 6) & 63));

    /// <summary>The ints at a pointer into pinned memory, as <see cref="IIntValues"/>.</summary>
    private readonly struct PointerValues(int* values) : IIntValues
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int At(int position) => values[position];
    }
}
