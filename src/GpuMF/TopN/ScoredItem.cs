using System.Globalization;
using GpuMF.Data;

namespace GpuMF.TopN;

/// <summary>
/// An item (or user) by external id with its score: a predicted preference, or a cosine similarity. The id is
/// of the model's <see cref="IdKind"/>: read <see cref="Text"/> for either kind, <see cref="Id"/> for integer
/// ids (it throws for a string id rather than make one up) and <see cref="Name"/> for string ids. A string id is
/// the model's own string, not a copy.
/// </summary>
public readonly record struct ScoredItem
{
    private readonly long _id;
    private readonly string? _name;

    /// <summary>An entry of integer id <paramref name="id"/>.</summary>
    public ScoredItem(long id, float score)
    {
        _id = id;
        Score = score;
    }

    /// <summary>An entry of string id <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public ScoredItem(string name, float score)
    {
        _name = name ?? throw new ArgumentNullException(nameof(name));
        Score = score;
    }

    /// <summary>The entry of dense index <paramref name="index"/> of <paramref name="map"/>, of the map's kind.</summary>
    internal static ScoredItem Of(IdMap map, int index, float score) =>
        map.Kind == IdKind.Text ? new ScoredItem(map.Names[index], score) : new ScoredItem(map[index], score);

    /// <summary>What the id is: an integer or a string.</summary>
    public IdKind Kind => _name is null ? IdKind.Numeric : IdKind.Text;

    /// <summary>The integer id.</summary>
    /// <exception cref="InvalidOperationException">The id is a string (see <see cref="Name"/> or <see cref="Text"/>).</exception>
    public long Id => _name is null ? _id : throw new InvalidOperationException($"The id '{_name}' is a string, not an integer: read Name or Text.");

    /// <summary>The string id.</summary>
    /// <exception cref="InvalidOperationException">The id is an integer (see <see cref="Id"/> or <see cref="Text"/>).</exception>
    public string Name => _name ?? throw new InvalidOperationException($"The id {_id} is an integer, not a string: read Id or Text.");

    /// <summary>The id as text: the string, or the integer in invariant decimal.</summary>
    public string Text => _name ?? _id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Higher is better.</summary>
    public float Score { get; }

    /// <summary>The integer id and the score, as integer-id code has always taken an entry apart.</summary>
    /// <exception cref="InvalidOperationException">The id is a string.</exception>
    public void Deconstruct(out long id, out float score)
    {
        id = Id;
        score = Score;
    }

    /// <summary>The id as text and the score, as in <c>m42: 4.5</c>.</summary>
    public override string ToString() => $"{Text}: {Score.ToString(CultureInfo.InvariantCulture)}";
}
