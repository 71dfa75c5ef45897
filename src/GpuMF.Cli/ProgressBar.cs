using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>Epoch progress on stderr: a redrawn bar on a terminal, one line per epoch when redirected.</summary>
internal sealed class ProgressBar : IProgress<EpochReport>
{
    private const int Width = 30;

    public void Report(EpochReport r)
    {
        int filled = r.Epoch * Width / r.Epochs;
        string bar = new string('#', filled) + new string('.', Width - filled);
        string valid = r.ValidationRmse is { } v ? $"  valid {v:F4}" : "";
        string loss = double.IsNaN(r.TrainLoss) ? "" : $"  loss {r.TrainLoss:F4}";
        string text = $"[{bar}] {r.Epoch,4}/{r.Epochs}{loss}{valid}  {r.UpdatesPerSecond / 1e6,7:F2} M/s  {r.Elapsed.TotalSeconds,6:F1} s";
        if (Console.IsErrorRedirected)
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
