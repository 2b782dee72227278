// SciKernels build script (cake.tool 7.0.0, pinned in .config/dotnet-tools.json).
//   dotnet tool restore && dotnet cake --target=Test
// Targets: Deps, Build, GpuCheckSmoke, Net8Check, Test, Bench, Demo, KernelReport.
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var filter = Argument("filter", "");
var benchFilter = Argument("bench", "*");

Task("Deps")
    .Description("Installs what the tests need on a fresh Debian machine: PoCL (OpenCL on the CPU) and ptxas (into .cache/cuda).")
    .Does(() =>
{
    var code = StartProcess("bash", new ProcessSettings { Arguments = "tools/ci/install-deps.sh" });
    if (code != 0) throw new Exception($"tools/ci/install-deps.sh failed with exit code {code}");
});

Task("Build")
    .Does(() =>
{
    DotNetBuild("SciKernels.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("GpuCheckSmoke")
    .Description("Guards tools/gpu's harness (CI has no GPU): its in-process runner runs a slice of the device cases on OpenCL and one suite case on the CPU.")
    .IsDependentOn("Deps")
    .IsDependentOn("Build")
    .Does(() =>
{
    var dll = $"tools/gpu/SciKernels.GpuCheck/bin/{configuration}/net10.0/SciKernels.GpuCheck.dll";
    foreach (var args in new[] { "parity --backend opencl --filter Spectral", "bench --device cpu --case lap3d_f" })
    {
        var code = StartProcess("dotnet", new ProcessSettings { Arguments = $"{dll} {args}" });
        if (code != 0) throw new Exception($"SciKernels.GpuCheck {args} failed with exit code {code}");
    }
});

Task("Net8Check")
    .Description("The libraries' net8.0 build, published self-contained (the .NET 8 runtime pack comes from NuGet): property checks, and the same bits as net10.0 (tools/ci/check-net8.sh).")
    .IsDependentOn("Build")
    .Does(() =>
{
    var code = StartProcess("bash", new ProcessSettings { Arguments = "tools/ci/check-net8.sh" });
    if (code != 0) throw new Exception($"tools/ci/check-net8.sh failed with exit code {code}");
});

Task("Test")
    .IsDependentOn("Deps")
    .IsDependentOn("Build")
    .IsDependentOn("GpuCheckSmoke")
    .IsDependentOn("Net8Check")
    .Does(() =>
{
    DotNetTest("SciKernels.sln", new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        Filter = string.IsNullOrEmpty(filter) ? null : filter,
        Loggers = new[] { "console;verbosity=normal" },
    });
});

Task("Bench")
    .Description("BenchmarkDotNet suite (not timed tests). Side-by-side PyTorch: benchmarks/pytorch/run.sh")
    .Does(() =>
{
    DotNetRun("benchmarks/SciKernels.Benchmarks/SciKernels.Benchmarks.csproj",
        new ProcessArgumentBuilder().Append("--filter").AppendQuoted(benchFilter),
        new DotNetRunSettings { Configuration = "Release" });
});

Task("Demo")
    .Does(() =>
{
    DotNetRun("tools/SciKernels.Cli/SciKernels.Cli.csproj", new ProcessArgumentBuilder().Append("demo"),
        new DotNetRunSettings { Configuration = "Release" });
});

Task("KernelReport")
    .IsDependentOn("Deps")
    .Does(() =>
{
    DotNetRun("tools/SciKernels.Cli/SciKernels.Cli.csproj", new ProcessArgumentBuilder().Append("kernels report --arch sm_80,sm_90"),
        new DotNetRunSettings { Configuration = "Release" });
});

RunTarget(target);
