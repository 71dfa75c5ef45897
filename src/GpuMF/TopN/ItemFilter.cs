using GpuMF.Data;

namespace GpuMF.TopN;

/// <summary>
/// Restricts which items batch scoring may return: an allow-list (only these) or a deny-list (all but
/// these), by external item id: integers, or text (strings as they are for a model of string item ids,
/// integers in decimal for one of integer ids, so that a list read from a file serves either). Ids the model
/// does not know are ignored, since they could never be returned anyway. Applies on top of the filtering of
/// each user's already-seen items.
/// </summary>
public sealed class ItemFilter
{
    private readonly HashSet<long>? _items;
    private readonly HashSet<string>? _names;

    private ItemFilter(IEnumerable<long> items, bool allow)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = new HashSet<long>(items, IdComparer.Instance);
        IsAllowList = allow;
    }

    private ItemFilter(IEnumerable<string> items, bool allow)
    {
        ArgumentNullException.ThrowIfNull(items);
        _names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string item in items)
        {
            _names.Add(item ?? throw new ArgumentException("An item id of the list is null.", nameof(items)));
        }
        IsAllowList = allow;
    }

    /// <summary>True for an allow-list, false for a deny-list.</summary>
    public bool IsAllowList { get; }

    /// <summary>What the list was given as: integer ids or text.</summary>
    public IdKind Kind => _names is null ? IdKind.Numeric : IdKind.Text;

    /// <summary>The listed integer item ids.</summary>
    /// <exception cref="InvalidOperationException">The list was given as text (see <see cref="Names"/>).</exception>
    public IReadOnlyCollection<long> Items => _items ?? throw new InvalidOperationException("This filter lists item ids as text: read Names.");

    /// <summary>The listed item ids given as text.</summary>
    /// <exception cref="InvalidOperationException">The list was given as integers (see <see cref="Items"/>).</exception>
    public IReadOnlyCollection<string> Names => _names ?? throw new InvalidOperationException("This filter lists integer item ids: read Items.");

    /// <summary>Only <paramref name="items"/> may be returned.</summary>
    public static ItemFilter Allow(IEnumerable<long> items) => new(items, allow: true);

    /// <summary>Anything but <paramref name="items"/> may be returned.</summary>
    public static ItemFilter Deny(IEnumerable<long> items) => new(items, allow: false);

    /// <summary>Only <paramref name="items"/>, ids as text, may be returned.</summary>
    /// <exception cref="ArgumentException">An id is null.</exception>
    public static ItemFilter Allow(IEnumerable<string> items) => new(items, allow: true);

    /// <summary>Anything but <paramref name="items"/>, ids as text, may be returned.</summary>
    /// <exception cref="ArgumentException">An id is null.</exception>
    public static ItemFilter Deny(IEnumerable<string> items) => new(items, allow: false);

    /// <summary>How many of the listed ids <paramref name="items"/> does not hold.</summary>
    /// <exception cref="ArgumentException">The list holds integer ids and the map strings.</exception>
    public int CountUnknown(IdMap items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (_items is not null)
        {
            IdKinds.RequireIntegers(items, "item");
        }
        return _names is not null ? _names.Count(id => !items.TryFind(id, out _)) : _items!.Count(id => !items.TryGetIndex(id, out _));
    }

    /// <summary>One flag per dense item of <paramref name="items"/>: true where the item may be returned.</summary>
    /// <exception cref="ArgumentException">The list holds integer ids and the map strings, which no integer can name.</exception>
    internal bool[] Resolve(IdMap items)
    {
        if (_items is not null)
        {
            IdKinds.RequireIntegers(items, "item");
        }
        var allowed = new bool[items.Count];
        if (!IsAllowList)
        {
            Array.Fill(allowed, true);
        }
        if (_names is not null)
        {
            foreach (string id in _names)
            {
                if (items.TryFind(id, out int i))
                {
                    allowed[i] = IsAllowList;
                }
            }
            return allowed;
        }
        foreach (long id in _items!)
        {
            if (items.TryGetIndex(id, out int i))
            {
                allowed[i] = IsAllowList;
            }
        }
        return allowed;
    }
}
