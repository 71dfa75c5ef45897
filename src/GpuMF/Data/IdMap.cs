using System.Runtime.InteropServices;

namespace GpuMF.Data;

/// <summary>
/// Maps external ids (64-bit integers, as in MovieLens, Netflix and most exports) to dense indices
/// 0..<see cref="Count"/>-1 in order of first appearance, and back. A trained model keeps a read-only
/// copy (<see cref="ToReadOnly()"/>), so that data built later with the training maps, which may append
/// ids the model never saw, cannot change the model. Ids are hashed by <see cref="IdComparer"/>, so that no
/// choice of ids makes lookups slow.
/// </summary>
public sealed class IdMap
{
    private readonly Dictionary<long, int> _index;
    private readonly List<long> _ids;

    /// <summary>Creates an empty map.</summary>
    public IdMap()
    {
        _index = new Dictionary<long, int>(IdComparer.Instance);
        _ids = new List<long>();
    }

    /// <summary>Creates a map whose index i is <paramref name="ids"/>[i].</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    public IdMap(IEnumerable<long> ids)
        : this(new List<long>(ids ?? throw new ArgumentNullException(nameof(ids))), readOnly: false)
    {
    }

    /// <summary>A map whose list of ids is <paramref name="ids"/> itself, not a copy.</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    private IdMap(List<long> ids, bool readOnly)
    {
        _ids = ids;
        _index = new Dictionary<long, int>(_ids.Count, IdComparer.Instance);
        for (int i = 0; i < _ids.Count; i++)
        {
            if (!_index.TryAdd(_ids[i], i))
            {
                throw new ArgumentException($"Id {_ids[i]} occurs twice (at indices {_index[_ids[i]]} and {i}).", nameof(ids));
            }
        }
        IsReadOnly = readOnly;
    }

    private IdMap(IdMap source)
    {
        _index = new Dictionary<long, int>(source._index, IdComparer.Instance);
        _ids = new List<long>(source._ids);
        IsReadOnly = true;
    }

    /// <summary>
    /// A read-only map that takes <paramref name="ids"/> as its own, which the caller then leaves alone: a loaded
    /// model's, its ids read straight into the list. Built by the public constructor and then made read-only, the
    /// map would be held three times over while a model loads (the ids read, the map, its read-only copy), a
    /// quarter of the file again for a model of many users.
    /// </summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    internal static IdMap ReadOnlyOver(List<long> ids) => new(ids, readOnly: true);

    /// <summary>True for a map that refuses new ids: a model's (see <see cref="ToReadOnly()"/>).</summary>
    public bool IsReadOnly { get; }

    /// <summary>This map if it is read-only, else a read-only copy of it.</summary>
    public IdMap ToReadOnly() => IsReadOnly ? this : new IdMap(this);

    /// <summary>
    /// A read-only map of the first <paramref name="count"/> ids: what a matrix built with this map saw, even after
    /// data built later with the same map has appended ids. This map itself when it is read-only and holds exactly that many.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or above <see cref="Count"/>.</exception>
    public IdMap ToReadOnly(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        return count == Count ? ToReadOnly() : new IdMap(_ids.GetRange(0, count)).ToReadOnly();
    }

    /// <summary>Number of ids mapped.</summary>
    public int Count => _ids.Count;

    /// <summary>The external ids in index order.</summary>
    public IReadOnlyList<long> Ids => _ids;

    /// <summary>The comparer the ids are hashed by.</summary>
    internal IEqualityComparer<long> Comparer => _index.Comparer;

    /// <summary>The external ids in index order, without a copy; valid until the next id is added.</summary>
    internal ReadOnlySpan<long> IdSpan => CollectionsMarshal.AsSpan(_ids);

    /// <summary>The external id of dense index <paramref name="index"/> (0..Count-1).</summary>
    public long this[int index] => _ids[index];

    /// <summary>Returns the index of <paramref name="id"/>, adding it at the end when it is new.</summary>
    /// <exception cref="InvalidOperationException">The id is new and the map is read-only.</exception>
    public int GetOrAdd(long id)
    {
        if (IsReadOnly)
        {
            return _index.TryGetValue(id, out int known) ? known : throw new InvalidOperationException(
                $"Id {id} is not in this read-only id map, a trained model's: build new data with the training matrix's id maps, or with a copy (new IdMap(model.Users.Ids)).");
        }
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, id, out bool exists);
        if (!exists)
        {
            slot = _ids.Count;
            _ids.Add(id);
        }
        return slot;
    }

    /// <summary>Looks up the index of <paramref name="id"/>.</summary>
    public bool TryGetIndex(long id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>The index of <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the map; the message names it.</exception>
    public int IndexOf(long id, string what = "id") =>
        _index.TryGetValue(id, out int index) ? index : throw new KeyNotFoundException($"Unknown {what} {id}.");

    /// <summary>Copies the ids into a new array.</summary>
    public long[] ToArray() => _ids.ToArray();
}
