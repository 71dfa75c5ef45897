namespace GpuMF.Cli;

/// <summary>A command line that cannot be run as given; the message says why, naming the option. Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
