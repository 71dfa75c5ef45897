using GpuMF.Backends;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Suites;

/// <summary>
/// Every model trained on one backend and written with <c>Save</c> reads back with <c>Load</c> as the same
/// model: every field, the options it was trained with, the lists it recommends on the backend, and its
/// family's fold-in rule (ALS solves its own confidence-weighted system, the others least squares).
/// </summary>
public abstract class SaveLoadSuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    public static TheoryData<string> Models() => TrainingCases.Models();

    [BackendTheory]
    [MemberData(nameof(Models))]
    public void ATrainedModelReadsBackAsItWasWritten(string model)
    {
        var data = TrainingCases.Data(model, fixture);
        var trained = TrainingCases.Fit(model, Backend, data, epochs: 2, factors: TrainingCases.Factors(fixture));
        string path = TestData.TempPath(".gpumf");
        try
        {
            trained.Save(path);
            var loaded = FactorModel.Load(path);
            Assert.Equal(trained.Kind, loaded.Kind);
            Assert.Equal(trained.Factors, loaded.Factors);
            Assert.Equal(trained.Users.Ids, loaded.Users.Ids);
            Assert.Equal(trained.Items.Ids, loaded.Items.Ids);
            Assert.Equal(trained.UserFactors, loaded.UserFactors);
            Assert.Equal(trained.ItemFactors, loaded.ItemFactors);
            Assert.Equal(trained.UserBias, loaded.UserBias);
            Assert.Equal(trained.ItemBias, loaded.ItemBias);
            Assert.Equal(trained.GlobalMean, loaded.GlobalMean);
            Assert.Equal(data.UserPtr, loaded.SeenPtr);
            Assert.Equal(data.UserItems, loaded.SeenItems);
            Assert.Equal(0, loaded.CompletedEpochs);
            Assert.Null(loaded.Adagrad);
            Assert.Equal(trained.OptionsJson, loaded.OptionsJson);
            Assert.Contains($"\"Factors\":{trained.Factors},", loaded.OptionsJson, StringComparison.Ordinal);

            var users = trained.Users.Ids.Take(20).ToList();
            var before = trained.RecommendAll(users, n: 10, backend: Backend);
            var after = loaded.RecommendAll(users, n: 10, backend: Backend);
            for (int q = 0; q < users.Count; q++)
            {
                Assert.Equal(before[q], after[q]);
            }
            int heaviest = Enumerable.Range(0, data.UserCount).MaxBy(u => data.ItemsOf(u).Length);
            var history = data.ItemsOf(heaviest).ToArray().Select((i, n) => (data.Items[i], data.ValuesOf(heaviest)[n])).ToList();
            Assert.Equal(trained.RecalculateUser(history).Factors, loaded.RecalculateUser(history).Factors);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class CpuSaveLoadSuite(CpuFixture fixture) : SaveLoadSuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuSaveLoadSuite(IlgpuCpuFixture fixture) : SaveLoadSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaSaveLoadSuite(CudaFixture fixture) : SaveLoadSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClSaveLoadSuite(OpenClFixture fixture) : SaveLoadSuite(fixture);
