using System.Reflection;
using GpuMF.Backends;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace GpuMF.Tests.Support;

/// <summary>Marks a <see cref="BackendFixture"/> whose backend needs a device that a machine may lack.</summary>
/// <param name="kind">The backend, which needs a device of its kind.</param>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresDeviceAttribute(BackendKind kind) : Attribute
{
    public BackendKind Kind { get; } = kind;
}

/// <summary>
/// A fact of a backend suite. It is skipped, at discovery and for no other reason, when the suite's fixture
/// needs a device (<see cref="RequiresDeviceAttribute"/>) that this machine lacks; xunit 2 cannot skip a
/// running test, so the decision cannot wait for the test body.
/// </summary>
[XunitTestCaseDiscoverer("GpuMF.Tests.Support.BackendFactDiscoverer", "GpuMF.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendFactAttribute : FactAttribute;

/// <summary>A theory of a backend suite, skipped as <see cref="BackendFactAttribute"/> says.</summary>
[XunitTestCaseDiscoverer("GpuMF.Tests.Support.BackendTheoryDiscoverer", "GpuMF.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendTheoryAttribute : TheoryAttribute;

/// <summary>A fact outside the suites that runs where a device of <paramref name="kind"/> is present and is skipped elsewhere.</summary>
/// <param name="kind">The backend whose device the test needs.</param>
[XunitTestCaseDiscoverer("GpuMF.Tests.Support.BackendFactDiscoverer", "GpuMF.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DeviceFactAttribute(BackendKind kind) : FactAttribute
{
    public BackendKind Kind { get; } = kind;
}

public sealed class BackendFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        Devices.MissingFor(testMethod, factAttribute) is { } reason
            ? [Devices.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

public sealed class BackendTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        Devices.MissingFor(testMethod, theoryAttribute) is { } reason
            ? [Devices.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>Which devices this machine has, asked once per test run.</summary>
internal static class Devices
{
    private static readonly Lazy<HashSet<BackendKind>> Present = new(() => ComputeBackend.ListDevices().Select(d => d.Backend).ToHashSet());

    /// <summary>
    /// Why <paramref name="testMethod"/> cannot run here, or null when it can: the device named by the attribute
    /// (<see cref="DeviceFactAttribute"/>) or by the fixture its class takes is absent.
    /// </summary>
    public static string? MissingFor(ITestMethod testMethod, IAttributeInfo attribute)
    {
        var kind = attribute.GetConstructorArguments().OfType<BackendKind>().Cast<BackendKind?>().FirstOrDefault() ?? FixtureDevice(testMethod.TestClass.Class.ToRuntimeType());
        return kind is { } k && !Present.Value.Contains(k) ? $"no {k} device is present" : null;
    }

    public static IXunitTestCase Skipped(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, string reason) =>
        new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason);

    private static BackendKind? FixtureDevice(Type suite) =>
        suite.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType)
            .FirstOrDefault(t => t.IsAssignableTo(typeof(BackendFixture)))?.GetCustomAttribute<RequiresDeviceAttribute>()?.Kind;
}
