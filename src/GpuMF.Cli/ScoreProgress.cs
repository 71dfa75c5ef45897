using System.Diagnostics;

namespace GpuMF.Cli;

/// <summary>Progress of a scoring job on stderr: a redrawn line on a terminal, a line every few seconds when redirected.</summary>
internal sealed class ScoreProgress
{
    private readonly long _total;
    private readonly string _what;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastLine = TimeSpan.Zero;

    /// <param name="total">Queries expected (for a file, its line count, so the last figure may fall short); 0 when unknown.</param>
    /// <param name="what">What the queries are, plural (users, items).</param>
    public ScoreProgress(long total, string what)
    {
        _total = total;
        _what = what;
    }

    /// <summary>The elapsed time since the job started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Reports <paramref name="done"/> queries scored and <paramref name="rows"/> rows written so far.</summary>
    public void Report(long done, long rows)
    {
        var elapsed = _clock.Elapsed;
        double rate = done / Math.Max(elapsed.TotalSeconds, 1e-9);
        string share = _total > 0 ? $"/{_total:N0} {_what} ({100.0 * done / _total,5:F1}%)" : $" {_what}";
        string text = $"scored {done:N0}{share}, {rows:N0} rows, {rate:N0} {_what}/s, {elapsed.TotalSeconds:F1} s";
        if (!Console.IsErrorRedirected)
        {
            Console.Error.Write("\r" + text);
        }
        else if (elapsed - _lastLine >= TimeSpan.FromSeconds(5))
        {
            Console.Error.WriteLine(text);
            _lastLine = elapsed;
        }
    }

    /// <summary>Ends the progress line with the final figures.</summary>
    public void Finish(long done, long rows)
    {
        if (!Console.IsErrorRedirected)
        {
            Console.Error.WriteLine();
        }
        Console.Error.WriteLine($"scored {done:N0} {_what}, {rows:N0} rows in {_clock.Elapsed.TotalSeconds:F2} s");
    }
}
