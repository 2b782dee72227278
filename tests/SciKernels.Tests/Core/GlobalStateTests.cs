using System.Reflection;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>The library keeps no settable process-wide state and no hidden default generator.</summary>
public sealed class GlobalStateTests
{
    private static readonly Assembly Library = typeof(Tensor).Assembly;

    private static IEnumerable<Type> PublicTypes => Library.GetExportedTypes();

    [Fact]
    public void NoPublicStaticSetters()
    {
        var settable = PublicTypes
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{t.FullName}.{p.Name}"))
            .Concat(PublicTypes.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsInitOnly && !f.IsLiteral)
                .Select(f => $"{t.FullName}.{f.Name}")))
            .ToList();
        Assert.Empty(settable);
    }

    [Fact]
    public void GeneratorHasNoSharedDefault() =>
        Assert.Empty(typeof(Generator).GetProperties(BindingFlags.Public | BindingFlags.Static));

    [Fact]
    public void EveryGeneratorParameterIsRequired()
    {
        var nullability = new NullabilityInfoContext();
        var optional = PublicTypes
            .SelectMany(t => t.GetConstructors().Cast<MethodBase>().Concat(t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
            .SelectMany(m => m.GetParameters().Select(p => (m, p)))
            .Where(x => x.p.ParameterType == typeof(Generator)
                && (x.p.IsOptional || nullability.Create(x.p).WriteState == NullabilityState.Nullable))
            .Select(x => $"{x.m.DeclaringType!.FullName}.{x.m.Name}({x.p.Name})")
            .ToList();
        Assert.Empty(optional);
    }
}
