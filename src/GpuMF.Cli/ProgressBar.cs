using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>Epoch progress on stderr: a redrawn bar on a terminal, one line per epoch when redirected or when a validation metric is shown.</summary>
internal sealed class ProgressBar : IProgress<EpochReport>
{
    private const int Width = 30;

    public void Report(EpochReport r)
    {
        int filled = r.Epoch * Width / r.Epochs;
        string bar = new string('#', filled) + new string('.', Width - filled);
        string valid = r.ValidationRmse is { } v ? $"  valid rmse {v:F4}"
            : r.ValidationPrecision is { } p ? $"  valid p@10 {p:F4} ndcg@10 {r.ValidationNdcg ?? double.NaN:F4}" : "";
        if (r.BestEpoch is { } best)
        {
            valid += $" (best {best})";
        }
        string loss = double.IsNaN(r.TrainLoss) ? "" : $"  loss {r.TrainLoss:F4}";
        string text = $"[{bar}] {r.Epoch,4}/{r.Epochs}{loss}{valid}  {r.UpdatesPerSecond / 1e6,7:F2} M/s  {r.Elapsed.TotalSeconds,6:F1} s";
        // With validation a line per epoch, so that the curve stays readable and early stopping leaves no bar unfinished.
        if (Console.IsErrorRedirected || r.BestEpoch is not null)
        {
            Console.Error.WriteLine(text);
        }
        else
        {
            Console.Error.Write("\r" + text);
            if (r.Epoch == r.Epochs)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
