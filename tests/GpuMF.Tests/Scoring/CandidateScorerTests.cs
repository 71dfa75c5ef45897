using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.TopN;

namespace GpuMF.Tests.Scoring;

/// <summary>Candidate scoring in the library: <c>model.RankItems</c> and <see cref="CandidateScorer"/> on the managed CPU.</summary>
public sealed class CandidateScorerTests
{
    private readonly FactorModel _model = RandomModels.Create(17, 43, 6, seed: 29, integral: true);

    [Fact]
    public void RankItemsOrdersByScoreThenLowerIndexEachItemOnce()
    {
        var rng = new XorShiftRandom(3, 1);
        for (int u = 0; u < _model.Users.Count; u++)
        {
            var items = Enumerable.Range(0, 30).Select(_ => _model.Items[rng.NextInt(_model.Items.Count)]).ToArray();
            var ranked = _model.RankItems(_model.Users[u], items);
            var expected = items.Distinct().Select(id => _model.Items.IndexOf(id))
                .OrderByDescending(i => RandomModels.FullSort(_model, u, _model.Items.Count, false).Single(x => x.Index == i).Score).ThenBy(i => i).ToArray();
            Assert.Equal(expected.Select(i => _model.Items[i]), ranked.Select(r => r.Id));
            Assert.Equal(expected.Select(i => _model.Score(u, i)), ranked.Select(r => r.Score));
        }
    }

    [Fact]
    public void IntegerFactorsMakeTiesThatGoToTheLowerIndex()
    {
        var ties = 0;
        for (int u = 0; u < _model.Users.Count; u++)
        {
            var ranked = _model.RankItemsIndex(u, [.. Enumerable.Range(0, _model.Items.Count).Reverse()]);
            for (int c = 1; c < ranked.Length; c++)
            {
                Assert.True(ranked[c - 1].Score > ranked[c].Score || (ranked[c - 1].Score == ranked[c].Score && ranked[c - 1].Index < ranked[c].Index), $"user {u}, entries {c - 1} and {c}");
                ties += ranked[c - 1].Score == ranked[c].Score ? 1 : 0;
            }
        }
        Assert.True(ties > 10, $"only {ties} ties: the test would not see their order");
    }

    [Fact]
    public void SeenCandidatesAreKeptUnlessFiltered()
    {
        int u = Enumerable.Range(0, _model.Users.Count).First(x => _model.SeenPtr[x + 1] - _model.SeenPtr[x] >= 2);
        var seen = _model.SeenItems[_model.SeenPtr[u].._model.SeenPtr[u + 1]];
        var items = Enumerable.Range(0, _model.Items.Count).Select(i => _model.Items[i]).ToArray();
        var kept = _model.RankItems(_model.Users[u], items);
        var filtered = _model.RankItems(_model.Users[u], items, filterSeen: true);
        Assert.Equal(_model.Items.Count, kept.Count);
        Assert.Equal(_model.Items.Count - seen.Length, filtered.Count);
        Assert.Equal(kept.Where(r => !seen.Contains(_model.Items.IndexOf(r.Id))), filtered);
    }

    [Fact]
    public void UnknownIdsFailNamingThemOrAreSkipped()
    {
        long user = _model.Users[4];
        var error = Assert.Throws<KeyNotFoundException>(() => _model.RankItems(user, [5001, 77, 5002]));
        Assert.Contains("77", error.Message);
        Assert.Contains("candidate 2 of 3", error.Message);
        Assert.Equal([5001L, 5002L], _model.RankItems(user, [5001, 77, 5002], skipUnknown: true).Select(r => r.Id).Order());
        Assert.Contains("Unknown user 9", Assert.Throws<KeyNotFoundException>(() => _model.RankItems(9, [5001])).Message);
    }

    [Fact]
    public void StringIdsRankAsTheirDenseIndices()
    {
        var model = new FactorModel(_model.Kind, new IdMap(Enumerable.Range(0, _model.Users.Count).Select(u => $"user-{u}")), new IdMap(Enumerable.Range(0, _model.Items.Count).Select(i => $"sku-{i}")),
            _model.Factors, _model.UserFactors, _model.ItemFactors, null, _model.ItemBias, 0f, _model.SeenPtr, _model.SeenItems, "{}");
        var ranked = model.RankItems("user-3", ["sku-9", "sku-2", "nope", "sku-9", "sku-30"], skipUnknown: true);
        var expected = model.RankItemsIndex(3, [9, 2, 30]);
        Assert.Equal(expected.Select(x => $"sku-{x.Index}"), ranked.Select(r => r.Item));
        Assert.Equal(expected.Select(x => x.Score), ranked.Select(r => r.Score));
        Assert.Throws<KeyNotFoundException>(() => model.RankItems("user-3", ["nope"]));
    }

    [Fact]
    public void RankRanksEachListAndCountsWhatItLeavesOut()
    {
        int[] users = [2, 5, 2, 0];
        int[] offsets = [0, 4, 4, 9, 12];
        int[] items = [7, 3, 7, 40, 1, 2, 3, 4, 5, 6, 6, 6];
        using var scorer = CandidateScorer.Create(_model, filter: ItemFilter.Deny([_model.Items[3]]));
        var lists = scorer.Rank(users, offsets, items);
        Assert.Equal(4, lists.Count);
        Assert.Equal(users, Enumerable.Range(0, 4).Select(lists.User));
        Assert.Equal(2, lists.FilteredOut);
        Assert.Equal(3, lists.Duplicates);
        Assert.Equal(0, lists.SeenLeftOut);
        Assert.Empty(lists.Items(1).ToArray());
        Assert.Equal(_model.RankItemsIndex(2, [7, 40]).Select(x => x.Index), lists.Items(0).ToArray());
        Assert.Equal(_model.RankItemsIndex(2, [1, 2, 4, 5]).Select(x => x.Index), lists.Items(2).ToArray());
        Assert.Equal([6], lists.Items(3).ToArray());
        Assert.Equal(_model.Score(0, 6), lists.Scores(3)[0]);
        Assert.Equal(2 + 0 + 4 + 1, lists.TotalEntries);
        Assert.Equal(4, lists.LongestList);
    }

    [Fact]
    public void RankCandidatesRanksAsOneScorerDoes()
    {
        int[] users = [16, 0, 16];
        int[] offsets = [0, 3, 3, 8];
        int[] items = [42, 0, 21, 5, 6, 7, 8, 5];
        var lists = _model.RankCandidates(users, offsets, items, filterSeen: true);
        for (int l = 0; l < users.Length; l++)
        {
            var expected = _model.RankItemsIndex(users[l], items[offsets[l]..offsets[l + 1]], filterSeen: true);
            Assert.Equal(expected.Select(x => x.Index), lists.Items(l).ToArray());
            Assert.Equal(expected.Select(x => x.Score), lists.Scores(l).ToArray());
        }
        Assert.Equal(1, lists.Duplicates);
    }

    [Fact]
    public void PairScoresEqualTheModelsScore()
    {
        var rng = new XorShiftRandom(8, 2);
        var u = Enumerable.Range(0, 5000).Select(_ => rng.NextInt(_model.Users.Count)).ToArray();
        var i = Enumerable.Range(0, 5000).Select(_ => rng.NextInt(_model.Items.Count)).ToArray();
        var scores = new float[u.Length];
        using var scorer = CandidateScorer.Create(_model);
        scorer.ScorePairs(u, i, scores);
        Assert.Equal(Enumerable.Range(0, u.Length).Select(p => _model.Score(u[p], i[p])), scores);
    }

    [Fact]
    public void MalformedBatchesAreRefusedNamingTheEntry()
    {
        using var scorer = CandidateScorer.Create(_model);
        int[] first = [0];
        int[] two = [0, 1];
        int[] item = [1];
        int[] items = [1, 2];
        int[] outOfRange = [1, 43];
        int[] unordered = [0, 2, 1];
        int[] pastTheEnd = [0, 3];
        int[] allOf2 = [0, 2];
        int[] noUser = [-1];
        Assert.Contains("offsets[2] = 1", Assert.Throws<ArgumentException>(() => scorer.Rank(two, unordered, item)).Message);
        Assert.Throws<ArgumentException>(() => scorer.Rank(first, pastTheEnd, items));
        Assert.Contains("items[1] = 43", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Rank(first, allOf2, outOfRange)).Message);
        Assert.Contains("users[0] = -1", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.ScorePairs(noUser, item, new float[1])).Message);
        Assert.Throws<ArgumentException>(() => scorer.ScorePairs(item, items, new float[1]));
    }
}
