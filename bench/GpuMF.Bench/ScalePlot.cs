using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GpuMF.Bench;

/// <summary>Draws the scale curve: seconds per epoch and peak training memory against interactions, both log-log.</summary>
internal static class ScalePlot
{
    private const int Width = 800;
    private const int Height = 500;

    public static void Save(IReadOnlyList<ScalePointResult> points, string timePath, string memoryPath, double boundBytesPerInteraction)
    {
        var time = NewPlot("Seconds per epoch after a warm-up epoch, CPU backend", "seconds per epoch");
        var memory = NewPlot("Peak resident memory while training", "peak MB");
        foreach (var group in points.GroupBy(p => p.Model))
        {
            var model = group.OrderBy(p => p.Interactions).ToList();
            double[] xs = model.Select(p => Math.Log10(p.Interactions)).ToArray();
            var t = time.Add.Scatter(xs, model.Select(p => Math.Log10(p.SteadySeconds)).ToArray());
            t.LegendText = group.Key;
            var m = memory.Add.Scatter(xs, model.Select(p => Math.Log10(p.TrainPeakBytes / 1e6)).ToArray(), t.Color);
            m.LegendText = group.Key;
        }
        // Every model runs on the same shapes, so the bound is drawn once from the first model's points; the
        // runtime's own footprint is added to it, as the table subtracts it from the peaks.
        var shapes = points.GroupBy(p => p.Interactions).Select(g => g.First()).OrderBy(p => p.Interactions).ToList();
        if (shapes.Count > 0)
        {
            double runtime = points.Select(p => (double)p.BaselineBytes).Order().ElementAt(points.Count / 2);
            var bound = memory.Add.Scatter(
                shapes.Select(p => Math.Log10(p.Interactions)).ToArray(),
                shapes.Select(p => Math.Log10((boundBytesPerInteraction * p.Interactions + FactorMatrixBytes(p) + runtime) / 1e6)).ToArray(),
                Colors.Gray);
            bound.LinePattern = LinePattern.Dashed;
            bound.MarkerSize = 0;
            bound.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"bound: {boundBytesPerInteraction:F0} B per interaction + factor matrices + {runtime / 1e6:F0} MB runtime at start-up");
        }
        time.SavePng(timePath, Width, Height);
        memory.SavePng(memoryPath, Width, Height);
    }

    /// <summary>The two float32 factor matrices alone, as bench/PEERS.md's bound counts them.</summary>
    private static double FactorMatrixBytes(ScalePointResult p) =>
        sizeof(float) * (double)(int)p.Json!["factors"]! * ((double)(int)p.Json!["users"]! + (int)p.Json!["items"]!);

    private static Plot NewPlot(string title, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("interactions");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(.15);
        plot.Grid.MinorLineColor = Colors.Black.WithOpacity(.05);
        plot.Grid.MinorLineWidth = 1;
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Ticks at whole powers of ten of log10-scaled data, labelled with the values themselves.</summary>
    private static NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = Label,
    };

    /// <summary>10^<paramref name="log10"/> written short: 0.01, 1, 100, 10K, 1M, 100M, 10G.</summary>
    private static string Label(double log10)
    {
        double value = Math.Pow(10, log10);
        var (scaled, suffix) = value switch
        {
            >= 1e9 => (value / 1e9, "G"),
            >= 1e6 => (value / 1e6, "M"),
            >= 1e3 => (value / 1e3, "K"),
            _ => (value, ""),
        };
        return scaled.ToString("G3", CultureInfo.InvariantCulture) + suffix;
    }
}
