using GpuMF.Data;

namespace GpuMF.TopN;

/// <summary>
/// Restricts which items batch scoring may return: an allow-list (only these) or a deny-list (all but
/// these), by external item id. Ids the model does not know are ignored, since they could never be
/// returned anyway. Applies on top of the filtering of each user's already-seen items.
/// </summary>
public sealed class ItemFilter
{
    private readonly HashSet<long> _items;

    private ItemFilter(IEnumerable<long> items, bool allow)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = new HashSet<long>(items, IdComparer.Instance);
        IsAllowList = allow;
    }

    /// <summary>True for an allow-list, false for a deny-list.</summary>
    public bool IsAllowList { get; }

    /// <summary>The listed external item ids.</summary>
    public IReadOnlyCollection<long> Items => _items;

    /// <summary>Only <paramref name="items"/> may be returned.</summary>
    public static ItemFilter Allow(IEnumerable<long> items) => new(items, allow: true);

    /// <summary>Anything but <paramref name="items"/> may be returned.</summary>
    public static ItemFilter Deny(IEnumerable<long> items) => new(items, allow: false);

    /// <summary>How many of the listed ids <paramref name="items"/> does not hold.</summary>
    public int CountUnknown(IdMap items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return _items.Count(id => !items.TryGetIndex(id, out _));
    }

    /// <summary>One flag per dense item of <paramref name="items"/>: true where the item may be returned.</summary>
    internal bool[] Resolve(IdMap items)
    {
        var allowed = new bool[items.Count];
        if (!IsAllowList)
        {
            Array.Fill(allowed, true);
        }
        foreach (long id in _items)
        {
            if (items.TryGetIndex(id, out int i))
            {
                allowed[i] = IsAllowList;
            }
        }
        return allowed;
    }
}
