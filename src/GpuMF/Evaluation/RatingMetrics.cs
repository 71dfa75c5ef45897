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
        // Per-user sums added up in user order afterwards, so that the figures do not depend on how the threads
        // happened to split the users (a sum's last bits do).
        var perUser = new (double Sq, double Abs, double Clipped)[test.UserCount];
        Parallel.For(0, test.UserCount, u =>
        {
            var items = test.ItemsOf(u);
            var values = test.ValuesOf(u);
            bool knownUser = u < model.Users.Count;
            double sqUser = 0, absUser = 0, clippedUser = 0;
            for (int k = 0; k < items.Length; k++)
            {
                int i = items[k];
                float r = knownUser && i < model.Items.Count
                    ? model.PredictIndex(u, i)
                    : model.Predict(test.Users.Text(u), test.Items.Text(i));
                double e = values[k] - r;
                double c = values[k] - Math.Clamp(r, minRating, maxRating);
                sqUser += e * e;
                absUser += Math.Abs(e);
                clippedUser += c * c;
            }
            perUser[u] = (sqUser, absUser, clippedUser);
        });
        double sq = 0, abs = 0, clipped = 0;
        foreach (var (s, a, c) in perUser)
        {
            sq += s;
            abs += a;
            clipped += c;
        }
        return new RatingMetrics(Math.Sqrt(sq / test.Count), abs / test.Count, Math.Sqrt(clipped / test.Count), test.Count, minRating, maxRating);
    }
}
