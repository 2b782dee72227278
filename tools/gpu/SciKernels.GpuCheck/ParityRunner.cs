using System.Diagnostics;
using System.Reflection;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SciKernels.GpuCheck;

/// <summary>One device test case's outcome.</summary>
/// <param name="Suite">"kernels" (kernel-level cases) or "ops" (op-level cases through tensors).</param>
/// <param name="Test">Class and method.</param>
/// <param name="Case">The theory row's arguments ("" for a fact).</param>
/// <param name="Outcome">passed, failed or skipped.</param>
/// <param name="Ms">Wall time of the case.</param>
/// <param name="Message">Failure or skip message ("" when passed).</param>
public sealed record CaseResult(string Suite, string Test, string Case, string Outcome, double Ms, string Message);

/// <summary>
/// Runs the device test cases of the two test assemblies on one backend, in process, so the same cases
/// that CI runs on ILGPU's simulator and PoCL run on a GPU machine that has no .NET SDK (hence no
/// <c>dotnet test</c>). It understands what those tests use of xunit: facts and theories (with the
/// Skippable variants), <c>InlineData</c>/<c>MemberData</c> rows, constructor-injected fixtures and
/// <see cref="ITestOutputHelper"/>, and <c>Skip.If</c>. Every device case compares the backend
/// with the CPU (the specification), so a pass is kernel-vs-CPU parity on that backend.
/// </summary>
public static class ParityRunner
{
    /// <summary>Runs every case for <paramref name="backend"/> ("cuda", "opencl" or "simulator").</summary>
    /// <param name="backend">Backend name.</param>
    /// <param name="filter">Only tests whose "Class.Method" contains this (null: all).</param>
    /// <param name="progress">Receives one line per failed case and one per class.</param>
    public static List<CaseResult> Run(string backend, string? filter, Action<string> progress)
    {
        var results = new List<CaseResult>();
        var fixtures = new Dictionary<Type, object>();
        // Kernel level: theories whose first argument names the backend (Backends.All rows).
        string kernelBackend = backend == "simulator" ? "cpu" : backend;
        foreach (var type in TestTypes(typeof(SciKernels.Kernels.Tests.Backends).Assembly))
            RunType("kernels", type, row => row.Length > 0 && row[0] is string b && b == kernelBackend, filter, fixtures, results, progress);
        // Op level: the concrete classes of the device collection ("device-cuda" lives in this assembly).
        foreach (var asm in new[] { typeof(SciKernels.Tests.Devices.DeviceFixture).Assembly, typeof(ParityRunner).Assembly })
            foreach (var type in TestTypes(asm).Where(t => CollectionName(t) == "device-" + backend))
                RunType("ops", type, _ => true, filter, fixtures, results, progress);
        foreach (var f in fixtures.Values.OfType<IDisposable>()) f.Dispose();
        return results;
    }

    private static IEnumerable<Type> TestTypes(Assembly asm) =>
        asm.GetTypes().Where(t => t.IsClass && !t.IsAbstract && t.IsPublic && t.GetMethods().Any(IsTest)).OrderBy(t => t.FullName, StringComparer.Ordinal);

    private static bool IsTest(MethodInfo m) => m.GetCustomAttribute<FactAttribute>() is not null;

    private static string? CollectionName(Type t) =>
        t.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments.FirstOrDefault().Value as string;

    private static void RunType(string suite, Type type, Func<object?[], bool> rowFilter, string? filter,
        Dictionary<Type, object> fixtures, List<CaseResult> results, Action<string> progress)
    {
        int before = results.Count;
        var sw = Stopwatch.StartNew();
        foreach (var method in type.GetMethods().Where(IsTest).OrderBy(m => m.MetadataToken))
        {
            string test = $"{type.Name}.{method.Name}";
            if (filter is not null && !test.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var fact = method.GetCustomAttribute<FactAttribute>()!;
            bool isTheory = fact is TheoryAttribute;
            var rows = isTheory
                ? method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method)).Select(r => (object?[])r).Where(rowFilter).ToList()
                : suite == "kernels" ? new List<object?[]>() : new List<object?[]> { Array.Empty<object?>() };
            foreach (var row in rows)
            {
                string args = string.Join(", ", row.Select(Show));
                if (fact.Skip is not null)
                {
                    results.Add(new CaseResult(suite, test, args, "skipped", 0, fact.Skip));
                    continue;
                }
                results.Add(RunCase(suite, type, method, test, row, args, fixtures));
                var last = results[^1];
                if (last.Outcome == "failed") progress($"  FAIL {test}({args}): {FirstLine(last.Message)}");
            }
        }
        var mine = results.Skip(before).ToList();
        if (mine.Count > 0)
            progress($"{suite,-7} {type.Name,-34} {mine.Count(r => r.Outcome == "passed"),4} passed {mine.Count(r => r.Outcome == "failed"),3} failed {mine.Count(r => r.Outcome == "skipped"),3} skipped  {sw.Elapsed.TotalSeconds,6:F1} s");
    }

    private static CaseResult RunCase(string suite, Type type, MethodInfo method, string test, object?[] row, string args, Dictionary<Type, object> fixtures)
    {
        var sw = Stopwatch.StartNew();
        object? instance = null;
        try
        {
            instance = Create(type, fixtures);
            var result = method.Invoke(instance, Convert(method, row));
            if (result is Task task) task.GetAwaiter().GetResult();
            return new CaseResult(suite, test, args, "passed", sw.Elapsed.TotalMilliseconds, "");
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: not null } ? e.InnerException! : e;
            bool skipped = inner.GetType().Name == "SkipException";
            return new CaseResult(suite, test, args, skipped ? "skipped" : "failed", sw.Elapsed.TotalMilliseconds,
                skipped ? inner.Message : $"{inner.GetType().Name}: {inner.Message}");
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    /// <summary>A fresh test-class instance per case (xunit's rule); fixtures are shared for the run.</summary>
    private static object Create(Type type, Dictionary<Type, object> fixtures)
    {
        var ctor = type.GetConstructors().Single();
        var args = ctor.GetParameters().Select(p =>
        {
            if (p.ParameterType == typeof(ITestOutputHelper)) return (object)new ConsoleOutput();
            if (!fixtures.TryGetValue(p.ParameterType, out var f))
                fixtures[p.ParameterType] = f = Activator.CreateInstance(p.ParameterType)!;
            return f;
        }).ToArray();
        return ctor.Invoke(args);
    }

    private static object?[] Convert(MethodInfo method, object?[] row)
    {
        var ps = method.GetParameters();
        var r = new object?[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            var v = i < row.Length ? row[i] : ps[i].DefaultValue;
            var t = Nullable.GetUnderlyingType(ps[i].ParameterType) ?? ps[i].ParameterType;
            if (v is not null && !t.IsInstanceOfType(v))
                v = t.IsEnum ? Enum.ToObject(t, v) : System.Convert.ChangeType(v, t, System.Globalization.CultureInfo.InvariantCulture);
            r[i] = v;
        }
        return r;
    }

    private static string Show(object? v) => v switch
    {
        null => "null",
        string s => s,
        Array a => "[" + string.Join(",", a.Cast<object?>().Select(Show)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string FirstLine(string s)
    {
        int i = s.IndexOf('\n');
        return i < 0 ? s : s[..i];
    }

    private sealed class ConsoleOutput : ITestOutputHelper
    {
        public void WriteLine(string message) { }

        public void WriteLine(string format, params object[] args) { }
    }
}
