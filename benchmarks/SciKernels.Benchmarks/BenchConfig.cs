using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SciKernels.Benchmarks;

/// <summary>
/// Job for a shared 2-core VM: one launch, a few warm-ups, 15 measured iterations (ShortRun has 3,
/// too few for a stable mean when other processes compete for the cores). In-process toolchain:
/// building a separate boilerplate project per run is slow here and fragile when the repo is
/// mid-edit; pass <c>--outOfProcess</c> to Program to use BenchmarkDotNet's default toolchain instead.
/// </summary>
public sealed class SharedVmConfig : ManualConfig
{
    public SharedVmConfig()
    {
        var job = Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(4)
            .WithIterationCount(15)
            .WithId("SharedVm");
        if (!Program.OutOfProcess) job = job.WithToolchain(InProcessEmitToolchain.Instance);
        AddJob(job);
        AddColumn(new ThroughputColumn());
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}

/// <summary>Unit of the throughput figure a benchmark class reports (e.g. "GFLOP/s" with 1e9 per unit).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ThroughputUnitAttribute(string unit, double scale) : Attribute
{
    public string Unit { get; } = unit;
    public double Scale { get; } = scale;
}

/// <summary>
/// Derived-rate column: work per invocation (flops or bytes, from the benchmark class's static
/// <c>Work(string method, int param)</c>) divided by the mean time.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "Throughput";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Work per op / mean time (GFLOP/s for matmul, GB/s of memory traffic for element-wise and reductions)";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var type = benchmarkCase.Descriptor.Type;
        var unit = type.GetCustomAttribute<ThroughputUnitAttribute>();
        var work = type.GetMethod("Work", BindingFlags.Public | BindingFlags.Static);
        var report = summary[benchmarkCase];
        var stats = report?.ResultStatistics;
        if (unit is null || work is null || stats is null) return "-";
        int param = 0;
        foreach (var p in benchmarkCase.Parameters.Items)
            if (p.Value is int i) param = i;
        double amount = (double)work.Invoke(null, new object[] { benchmarkCase.Descriptor.WorkloadMethod.Name, param })!;
        if (amount <= 0) return "-";
        double seconds = stats.Mean * 1e-9;
        return $"{amount / seconds / unit.Scale:F1} {unit.Unit}";
    }
}
