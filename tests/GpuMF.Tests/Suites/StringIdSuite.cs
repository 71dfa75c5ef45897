using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Suites;

/// <summary>
/// String ids through the library: every model family trained on a table of string ids ("u123", "m456") made from
/// an integer table, in the same dense order, learns exactly the factors of the integer run with the same seed,
/// and every query by text (recommendations, batch lists, similar items and users, predictions, explanations,
/// fold-in) answers as the integer model does for the same ids; saved, the string model is a version 2 file and
/// reads back as it was, while the integer one stays version 1.
/// </summary>
public abstract class StringIdSuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    public static TheoryData<string> Models() => TrainingCases.Models();

    private static string U(long id) => "u" + id;

    private static string M(long id) => "m" + id;

    /// <summary>The matrix with each id renamed, through a table of string ids, in the same dense order.</summary>
    internal static InteractionMatrix Renamed(InteractionMatrix data)
    {
        var table = new RatingTable(IdKind.Text, IdKind.Text, data.Count);
        for (int u = 0; u < data.UserCount; u++)
        {
            var items = data.ItemsOf(u);
            var values = data.ValuesOf(u);
            for (int n = 0; n < items.Length; n++)
            {
                table.Add(U(data.Users[u]), M(data.Items[items[n]]), values[n]);
            }
        }
        var users = new IdMap(data.Users.Ids.Take(data.UserCount).Select(U));
        var itemMap = new IdMap(data.Items.Ids.Take(data.ItemCount).Select(M));
        return InteractionMatrix.Build(table, DuplicatePolicy.Reject, users, itemMap);
    }

    [BackendTheory]
    [MemberData(nameof(Models))]
    public void StringIdsTrainAndAnswerAsIntegerIdsDo(string model)
    {
        var data = TrainingCases.Data(model, fixture);
        var named = Renamed(data);
        Assert.Equal(IdKind.Text, named.Users.Kind);
        Assert.Equal(data.UserItems, named.UserItems);
        int factors = TrainingCases.Factors(fixture);
        var integers = TrainingCases.Fit(model, Backend, data, epochs: 2, factors: factors);
        var strings = TrainingCases.Fit(model, Backend, named, epochs: 2, factors: factors);

        Assert.Equal(IdKind.Text, strings.Users.Kind);
        Assert.Equal(IdKind.Text, strings.Items.Kind);
        Assert.Equal(integers.UserFactors, strings.UserFactors);
        Assert.Equal(integers.ItemFactors, strings.ItemFactors);
        Assert.Equal(integers.ItemBias, strings.ItemBias);
        Assert.Equal(integers.SeenItems, strings.SeenItems);

        var users = integers.Users.Ids.Take(12).ToList();
        var byInteger = integers.RecommendAll(users, n: 8, backend: Backend);
        var byText = strings.RecommendAll(users.Select(U).ToList(), n: 8, backend: Backend);
        for (int q = 0; q < users.Count; q++)
        {
            Assert.Equal(U(byInteger.QueryId(q)), byText.QueryText(q));
            Assert.Equal(byInteger.Ids(q).ToArray().Select(M), Enumerable.Range(0, byText.Indices(q).Length).Select(c => byText.Text(q, c)));
            Assert.Equal(byInteger.Scores(q).ToArray(), byText.Scores(q).ToArray());
            Assert.Equal(byInteger[q].Select(r => M(r.Id)), byText[q].Select(r => r.Name));
            Assert.Equal(integers.Recommend(users[q], 8).Select(r => M(r.Id)), strings.Recommend(U(users[q]), 8).Select(r => r.Text));
        }
        var all = strings.RecommendAll(n: 3, backend: Backend);
        Assert.Equal(strings.Users.Count, all.Count);
        Assert.Equal(strings.Users.Names[^1], all.QueryText(all.Count - 1));

        long item = integers.Items[0];
        Assert.Equal(integers.SimilarItems(item, 5).Select(r => M(r.Id)), strings.SimilarItems(M(item), 5).Select(r => r.Name));
        var similar = strings.SimilarItems([M(item)], n: 5, backend: Backend);
        Assert.Equal(integers.SimilarItems([item], n: 5, backend: Backend).Ids(0).ToArray().Select(M), similar[0].Select(r => r.Name));
        Assert.Equal(integers.SimilarUsers(users[0], 4).Select(r => U(r.Id)), strings.SimilarUsers(U(users[0]), 4).Select(r => r.Name));
        Assert.Equal(integers.SimilarUsers(users.Take(3).ToList(), 4).Ids(2).ToArray().Select(U), strings.SimilarUsers(users.Take(3).Select(U).ToList(), 4)[2].Select(r => r.Name));

        Assert.Equal(integers.Predict(users[1], item), strings.Predict(U(users[1]), M(item)));
        Assert.Equal(integers.Predict(-5, item), strings.Predict("nobody", M(item)));
        var why = integers.Explain(users[1], item, top: 2);
        var whyText = strings.Explain(U(users[1]), M(item), top: 2);
        Assert.Equal(why.Reasons.Select(r => M(r.Id)), whyText.Reasons.Select(r => r.Name));
        Assert.Equal(why.Reasons.Select(r => r.Score), whyText.Reasons.Select(r => r.Score));

        var history = data.ItemsOf(0).ToArray().Select((i, n) => (data.Items[i], data.ValuesOf(0)[n])).ToList();
        var folded = integers.RecalculateUser(history);
        var foldedText = strings.RecalculateUser(history.Select(h => (M(h.Item1), h.Item2)).Append(("never-seen", 1f)));
        Assert.Equal(folded.Factors, foldedText.Factors);
        Assert.Equal(integers.Recommend(folded, 5).Select(r => M(r.Id)), strings.Recommend(foldedText, 5).Select(r => r.Name));
        Assert.Equal(integers.Explain(folded, item).Reasons.Select(r => M(r.Id)), strings.Explain(foldedText, M(item)).Reasons.Select(r => r.Name));
    }

    [BackendTheory]
    [MemberData(nameof(Models))]
    public void AStringIdModelIsAVersion2FileAndReadsBackAsItWasWritten(string model)
    {
        var data = TrainingCases.Data(model, fixture);
        int factors = TrainingCases.Factors(fixture);
        var strings = TrainingCases.Fit(model, Backend, Renamed(data), epochs: 1, factors: factors);
        var integers = TrainingCases.Fit(model, Backend, data, epochs: 1, factors: factors);
        Assert.Equal(2u, ModelFile.VersionOf(strings));
        Assert.Equal(1u, ModelFile.VersionOf(integers));
        using var stringFile = new MemoryStream();
        ModelFile.WriteTo(strings, stringFile);
        using var integerFile = new MemoryStream();
        ModelFile.WriteTo(integers, integerFile);
        Assert.Equal(2u, BitConverter.ToUInt32(stringFile.GetBuffer(), 8));
        Assert.Equal(1u, BitConverter.ToUInt32(integerFile.GetBuffer(), 8));

        var loaded = ModelFile.Parse(stringFile.ToArray(), "strings");
        Assert.Equal(strings.Users.Names, loaded.Users.Names);
        Assert.Equal(strings.Items.Names, loaded.Items.Names);
        Assert.Equal(strings.UserFactors, loaded.UserFactors);
        Assert.Equal(strings.ItemFactors, loaded.ItemFactors);
        Assert.Equal(strings.SeenItems, loaded.SeenItems);
        var queries = strings.Users.Names.Take(10).ToList();
        var before = strings.RecommendAll(queries, n: 6, backend: Backend);
        var after = loaded.RecommendAll(queries, n: 6, backend: Backend);
        for (int q = 0; q < queries.Count; q++)
        {
            Assert.Equal(before[q], after[q]);
        }
        var integersLoaded = ModelFile.Parse(integerFile.ToArray(), "integers");
        Assert.Equal(integers.Users.Ids, integersLoaded.Users.Ids);
    }
}

public sealed class CpuStringIdSuite(CpuFixture fixture) : StringIdSuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuStringIdSuite(IlgpuCpuFixture fixture) : StringIdSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaStringIdSuite(CudaFixture fixture) : StringIdSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClStringIdSuite(OpenClFixture fixture) : StringIdSuite(fixture);
