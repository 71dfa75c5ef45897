using GpuMF.Als;

namespace GpuMF.Tests.Mpi;

public sealed class MpiAlsEngineTests
{
    /// <summary>Rows weigh their interactions plus k: every rank's share is within one row's weight of an equal share.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void RowRangesSplitTheWorkEvenly(int size)
    {
        var random = new Random(5);
        int rows = 1000, k = 16;
        var ptr = new int[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            ptr[r + 1] = ptr[r] + (random.Next(10) == 0 ? random.Next(200, 400) : random.Next(0, 20));
        }
        var bounds = MpiAlsEngine.Bounds(ptr, rows, k, size);
        Assert.Equal(size + 1, bounds.Length);
        Assert.Equal(0, bounds[0]);
        Assert.Equal(rows, bounds[size]);
        double total = ptr[rows] + (double)rows * k, heaviest = 400 + k;
        for (int r = 0; r < size; r++)
        {
            Assert.True(bounds[r] <= bounds[r + 1]);
            double weight = ptr[bounds[r + 1]] - ptr[bounds[r]] + (double)(bounds[r + 1] - bounds[r]) * k;
            Assert.InRange(weight, total / size - heaviest, total / size + heaviest);
        }
    }
}
