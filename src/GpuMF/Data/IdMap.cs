using System.Globalization;
using System.Runtime.InteropServices;

namespace GpuMF.Data;

/// <summary>
/// Maps external ids to dense indices 0..<see cref="Count"/>-1 in order of first appearance, and back. Ids are
/// of one <see cref="IdKind"/> per map: 64-bit integers (as in MovieLens, Netflix and most exports) or strings
/// (SKUs, UUIDs, hashed ids), each string held once. A trained model keeps a read-only copy
/// (<see cref="ToReadOnly()"/>), so that data built later with the training maps, which may append ids the model
/// never saw, cannot change the model. Integer ids are hashed by <see cref="IdComparer"/> and strings by .NET's
/// randomized ordinal hash, so that no choice of ids makes lookups slow.
/// </summary>
/// <remarks>
/// Memory: an integer id costs its 8 bytes in the list and a dictionary entry (about 16 bytes more, with the
/// table's slack). A string id costs the string once (about 22 bytes plus 2 a character) and the same list slot
/// and dictionary entry, which both refer to that one string; read-only copies, the model's map, a map read from a
/// model file and the string columns of a <see cref="RatingTable"/> share the strings rather than copy them, so that
/// string ids cost memory in proportion to the distinct ids, never to the interactions.
/// </remarks>
public sealed class IdMap
{
    private readonly Dictionary<long, int>? _index;
    private readonly List<long>? _ids;
    private readonly Dictionary<string, int>? _nameIndex;
    private readonly List<string>? _names;

    /// <summary>Creates an empty map of integer ids.</summary>
    public IdMap()
        : this(IdKind.Numeric)
    {
    }

    /// <summary>Creates an empty map of ids of <paramref name="kind"/>.</summary>
    public IdMap(IdKind kind)
    {
        Kind = kind;
        if (kind == IdKind.Numeric)
        {
            _index = new Dictionary<long, int>(IdComparer.Instance);
            _ids = [];
        }
        else
        {
            _nameIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            _names = [];
        }
    }

    /// <summary>Creates a map of integer ids whose index i is <paramref name="ids"/>[i].</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    public IdMap(IEnumerable<long> ids)
        : this(new List<long>(ids ?? throw new ArgumentNullException(nameof(ids))), readOnly: false)
    {
    }

    /// <summary>Creates a map of string ids whose index i is <paramref name="ids"/>[i].</summary>
    /// <exception cref="ArgumentException">An id occurs twice, or is null.</exception>
    public IdMap(IEnumerable<string> ids)
        : this(new List<string>(ids ?? throw new ArgumentNullException(nameof(ids))), readOnly: false)
    {
    }

    /// <summary>A map whose list of ids is <paramref name="ids"/> itself, not a copy.</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    private IdMap(List<long> ids, bool readOnly)
    {
        Kind = IdKind.Numeric;
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

    /// <summary>A map whose list of ids is <paramref name="names"/> itself, not a copy.</summary>
    /// <exception cref="ArgumentException">An id occurs twice, or is null.</exception>
    private IdMap(List<string> names, bool readOnly)
    {
        Kind = IdKind.Text;
        _names = names;
        _nameIndex = new Dictionary<string, int>(_names.Count, StringComparer.Ordinal);
        for (int i = 0; i < _names.Count; i++)
        {
            string name = _names[i] ?? throw new ArgumentException($"Id at index {i} is null.", nameof(names));
            if (!_nameIndex.TryAdd(name, i))
            {
                throw new ArgumentException($"Id '{name}' occurs twice (at indices {_nameIndex[name]} and {i}).", nameof(names));
            }
        }
        IsReadOnly = readOnly;
    }

    private IdMap(IdMap source)
    {
        Kind = source.Kind;
        if (source._index is not null)
        {
            _index = new Dictionary<long, int>(source._index, IdComparer.Instance);
            _ids = new List<long>(source._ids!);
        }
        else
        {
            _nameIndex = new Dictionary<string, int>(source._nameIndex!, StringComparer.Ordinal);
            _names = new List<string>(source._names!);
        }
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

    /// <summary>The string-id form of <see cref="ReadOnlyOver(List{long})"/>.</summary>
    /// <exception cref="ArgumentException">An id occurs twice, or is null.</exception>
    internal static IdMap ReadOnlyOver(List<string> ids) => new(ids, readOnly: true);

    /// <summary>What the ids are: integers or strings.</summary>
    public IdKind Kind { get; }

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
        if (count == Count)
        {
            return ToReadOnly();
        }
        return _ids is not null ? new IdMap(_ids.GetRange(0, count), readOnly: true) : new IdMap(_names!.GetRange(0, count), readOnly: true);
    }

    /// <summary>Number of ids mapped.</summary>
    public int Count => _ids?.Count ?? _names!.Count;

    /// <summary>The integer ids in index order.</summary>
    /// <exception cref="InvalidOperationException">The map holds string ids (see <see cref="Names"/>).</exception>
    public IReadOnlyList<long> Ids => _ids ?? throw StringMap();

    /// <summary>The string ids in index order.</summary>
    /// <exception cref="InvalidOperationException">The map holds integer ids (see <see cref="Ids"/>).</exception>
    public IReadOnlyList<string> Names => _names ?? throw IntegerMap();

    /// <summary>The comparer the integer ids are hashed by.</summary>
    internal IEqualityComparer<long> Comparer => (_index ?? throw StringMap()).Comparer;

    /// <summary>The integer ids in index order, without a copy; valid until the next id is added.</summary>
    internal ReadOnlySpan<long> IdSpan => CollectionsMarshal.AsSpan(_ids ?? throw StringMap());

    /// <summary>The string ids in index order, without a copy; valid until the next id is added.</summary>
    internal ReadOnlySpan<string> NameSpan => CollectionsMarshal.AsSpan(_names ?? throw IntegerMap());

    /// <summary>The integer id of dense index <paramref name="index"/> (0..Count-1).</summary>
    /// <exception cref="InvalidOperationException">The map holds string ids (see <see cref="Text"/>).</exception>
    public long this[int index] => (_ids ?? throw StringMap())[index];

    /// <summary>The id of dense index <paramref name="index"/> (0..Count-1) as text: the string, or the integer in invariant decimal.</summary>
    public string Text(int index) => _names is not null ? _names[index] : _ids![index].ToString(CultureInfo.InvariantCulture);

    /// <summary>Returns the index of integer id <paramref name="id"/>, adding it at the end when it is new.</summary>
    /// <exception cref="InvalidOperationException">The id is new and the map is read-only, or the map holds string ids.</exception>
    public int GetOrAdd(long id)
    {
        var index = _index ?? throw StringMap();
        if (IsReadOnly)
        {
            return index.TryGetValue(id, out int known) ? known : throw ReadOnly(id.ToString(CultureInfo.InvariantCulture));
        }
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, id, out bool exists);
        if (!exists)
        {
            slot = _ids!.Count;
            _ids.Add(id);
        }
        return slot;
    }

    /// <summary>Returns the index of string id <paramref name="id"/>, adding it at the end when it is new.</summary>
    /// <exception cref="InvalidOperationException">The id is new and the map is read-only, or the map holds integer ids.</exception>
    public int GetOrAdd(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var index = _nameIndex ?? throw IntegerMap();
        if (IsReadOnly)
        {
            return index.TryGetValue(id, out int known) ? known : throw ReadOnly($"'{id}'");
        }
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, id, out bool exists);
        if (!exists)
        {
            slot = _names!.Count;
            _names.Add(id);
        }
        return slot;
    }

    /// <summary>
    /// Looks up string id <paramref name="id"/> given as characters, without making a string of it: for readers that
    /// parse ids from a buffer, which make a string only for an id not yet mapped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The map holds integer ids.</exception>
    internal bool TryGetIndex(ReadOnlySpan<char> id, out int index) =>
        (_nameIndex ?? throw IntegerMap()).GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(id, out index);

    /// <summary>Looks up the index of integer id <paramref name="id"/>; false on a string map.</summary>
    public bool TryGetIndex(long id, out int index)
    {
        if (_index is null)
        {
            index = -1;
            return false;
        }
        return _index.TryGetValue(id, out index);
    }

    /// <summary>Looks up the index of string id <paramref name="id"/>; false on an integer map.</summary>
    public bool TryGetIndex(string id, out int index)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_nameIndex is null)
        {
            index = -1;
            return false;
        }
        return _nameIndex.TryGetValue(id, out index);
    }

    /// <summary>
    /// Looks up an id given as text (typed on a command line, read from a list of ids): taken as it is by a
    /// string map, parsed as a 64-bit integer (surrounding blanks allowed) by an integer map, which knows no text
    /// that does not parse.
    /// </summary>
    public bool TryFind(string text, out int index)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_nameIndex is not null)
        {
            return _nameIndex.TryGetValue(text, out index);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out long id))
        {
            return _index!.TryGetValue(id, out index);
        }
        index = -1;
        return false;
    }

    /// <summary>The index of integer id <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the map (or the map holds string ids); the message names it.</exception>
    public int IndexOf(long id, string what = "id") =>
        TryGetIndex(id, out int index) ? index : throw new KeyNotFoundException($"Unknown {what} {id}{KindHint(IdKind.Numeric)}.");

    /// <summary>The index of string id <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the map (or the map holds integer ids); the message names it.</exception>
    public int IndexOf(string id, string what = "id") =>
        TryGetIndex(id, out int index) ? index : throw new KeyNotFoundException($"Unknown {what} '{id}'{KindHint(IdKind.Text)}.");

    /// <summary>Copies the integer ids into a new array.</summary>
    /// <exception cref="InvalidOperationException">The map holds string ids.</exception>
    public long[] ToArray() => (_ids ?? throw StringMap()).ToArray();

    private string KindHint(IdKind asked) => asked == Kind ? "" : $" (this map holds {(Kind == IdKind.Text ? "string" : "integer")} ids)";

    private static InvalidOperationException StringMap() => new("This id map holds string ids: use Names, Text(index) or the string overloads.");

    private static InvalidOperationException IntegerMap() => new("This id map holds integer ids: use Ids, this[index] or the integer overloads.");

    private static InvalidOperationException ReadOnly(string id) => new(
        $"Id {id} is not in this read-only id map, a trained model's: build new data with the training matrix's id maps, or with a copy (new IdMap(model.Users.Ids), or model.Users.Names for string ids).");
}
