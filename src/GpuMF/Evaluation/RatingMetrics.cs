using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Evaluation;

/// <summary>Error of predicted ratings on held-out ratings.</summary>
/// <param name="Rmse">Root mean squared error, predictions unclipped.</param>
/// <param name="Mae">Mean absolute error, predictions unclipped.</param>
/// <param name="ClippedRmse">RMSE with predictions clipped to [<paramref name="ClipMin"/>, <paramref name="ClipMax"/>].</param>
/// <param name="Count">Ratings scored.</param>
/// <param name="ClipMin">Lower clip bound of <paramref name="ClippedRmse"/> (−∞: none).</param>
/// <param name="ClipMax">Upper clip bound of <paramref name="ClippedRmse"/> (+∞: none).</param>
public sealed record RatingMetrics(double Rmse, double Mae, double ClippedRmse, long Count, float ClipMin, float ClipMax)
{
    /// <summary>
    /// The smallest and largest value of <paramref name="ratings"/>: the range to clip predictions to when the data
    /// declares none (pass the training matrix, never the test one, so that the clip learns nothing from the test).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ratings"/> is empty.</exception>
    public static (float Min, float Max) ObservedRange(InteractionMatrix ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (ratings.Count == 0)
        {
            throw new ArgumentException("The matrix holds no ratings, so it has no range.", nameof(ratings));
        }
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in ratings.UserValues.AsSpan(0, ratings.Count))
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }

    /// <summary>
    /// Scores every rating of <paramref name="test"/> (built with the training matrix's id maps). Test users or
    /// items the model never saw in training are predicted from what it has (biases and mean).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="test">Held-out ratings in the model's index space.</param>
    /// <param name="minRating">Lower clip bound for <see cref="ClippedRmse"/>: the data's declared smallest rating, or <see cref="ObservedRange"/> of the training matrix. Default −∞ (no clipping).</param>
    /// <param name="maxRating">Upper clip bound, at least <paramref name="minRating"/>. Default +∞ (no clipping).</param>
    /// <exception cref="ArgumentException"><paramref name="test"/> is empty, or the bounds are NaN or reversed.</exception>
    public static RatingMetrics Evaluate(FactorModel model, InteractionMatrix test, float minRating = float.NegativeInfinity, float maxRating = float.PositiveInfinity)
    {
        if (!(minRating <= maxRating))
        {
            throw new ArgumentException($"The clip range {minRating}..{maxRating} is empty or not a number.", nameof(minRating));
        }
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        if (test.Count == 0)
        {
            throw new ArgumentException("The test matrix holds no ratings.", nameof(test));
        }
        double sq = 0, abs = 0, clipped = 0;
        var lockObj = new object();
        Parallel.For(0, test.UserCount, () => (0.0, 0.0, 0.0), (u, _, acc) =>
        {
            var items = test.ItemsOf(u);
            var values = test.ValuesOf(u);
            bool knownUser = u < model.Users.Count;
            for (int k = 0; k < items.Length; k++)
            {
                int i = items[k];
                float r = knownUser && i < model.Items.Count
                    ? model.PredictIndex(u, i)
                    : model.Predict(test.Users.Text(u), test.Items.Text(i));
                double e = values[k] - r;
                double c = values[k] - Math.Clamp(r, minRating, maxRating);
                acc = (acc.Item1 + e * e, acc.Item2 + Math.Abs(e), acc.Item3 + c * c);
            }
            return acc;
        }, acc =>
        {
            lock (lockObj)
            {
                sq += acc.Item1;
                abs += acc.Item2;
                clipped += acc.Item3;
            }
        });
        return new RatingMetrics(Math.Sqrt(sq / test.Count), abs / test.Count, Math.Sqrt(clipped / test.Count), test.Count, minRating, maxRating);
    }
}
