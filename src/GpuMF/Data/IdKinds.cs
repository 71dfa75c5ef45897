using System.Globalization;

namespace GpuMF.Data;

/// <summary>The checks and lookups shared by every API that takes ids of a model's kind, so that all of them word a wrong kind alike.</summary>
internal static class IdKinds
{
    /// <summary>"integer" or "string", as messages name a kind.</summary>
    public static string Name(IdKind kind) => kind == IdKind.Text ? "string" : "integer";

    /// <summary>Throws unless <paramref name="map"/> holds integer ids: an integer overload called on a map of strings.</summary>
    /// <exception cref="ArgumentException">The map holds string ids.</exception>
    public static void RequireIntegers(IdMap map, string what)
    {
        if (map.Kind != IdKind.Numeric)
        {
            throw new ArgumentException($"The {what} ids are strings, and integer ids were given: pass the ids as strings (the string overloads).");
        }
    }

    /// <summary>The dense index of the id written <paramref name="text"/> (see <see cref="IdMap.TryFind"/>).</summary>
    /// <exception cref="KeyNotFoundException">No such id; the message names it and the map's kind.</exception>
    public static int Find(IdMap map, string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (map.TryFind(text, out int index))
        {
            return index;
        }
        // An integer that parses is named as integer ids always were; text that cannot be an id of the map's kind says why.
        throw new KeyNotFoundException(map.Kind == IdKind.Numeric && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id)
            ? $"Unknown {what} {id}."
            : $"Unknown {what} '{text}' (the {what} ids are {Name(map.Kind)}s).");
    }

    /// <summary>
    /// Throws unless the id columns of <paramref name="table"/> are of the kinds of <paramref name="users"/> and
    /// <paramref name="items"/>: new data for a model (an update, a partial fit), where ids of the other kind can
    /// only be a file read the wrong way.
    /// </summary>
    /// <exception cref="ArgumentException">A column is of the other kind; the message names both kinds.</exception>
    public static void RequireSame(RatingTable table, IdMap users, IdMap items, string use)
    {
        Require(table.UserKind, users.Kind, "user", use);
        Require(table.ItemKind, items.Kind, "item", use);
    }

    private static void Require(IdKind given, IdKind model, string what, string use)
    {
        if (given != model)
        {
            throw new ArgumentException($"The {use}'s {what} ids are {Name(given)}s, but the model's are {Name(model)}s: read the {use} with {what} ids of the model's kind.");
        }
    }

    /// <summary>
    /// The dense index in <paramref name="map"/> of a table column's 64-bit slot, <paramref name="names"/> being the
    /// column's strings (null for integer ids), added when new and the map is writable.
    /// </summary>
    public static int GetOrAdd(IdMap map, IdMap? names, long slot) =>
        names is not null ? map.GetOrAdd(names.Names[(int)slot])
        : map.Kind == IdKind.Text ? map.GetOrAdd(slot.ToString(CultureInfo.InvariantCulture))
        : map.GetOrAdd(slot);

    /// <summary>The lookup-only form of <see cref="GetOrAdd"/>.</summary>
    public static bool TryGetIndex(IdMap map, IdMap? names, long slot, out int index) =>
        names is not null ? map.TryGetIndex(names.Names[(int)slot], out index)
        : map.Kind == IdKind.Text ? map.TryGetIndex(slot.ToString(CultureInfo.InvariantCulture), out index)
        : map.TryGetIndex(slot, out index);

    /// <summary>A writable copy of <paramref name="map"/>, the strings of a string map shared, not copied.</summary>
    public static IdMap WritableCopy(IdMap map) => map.Kind == IdKind.Text ? new IdMap(map.Names) : new IdMap(map.Ids);
}
