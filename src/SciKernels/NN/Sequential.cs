using System.Collections;

namespace SciKernels.NN;

/// <summary>Applies its children in order; they are named "0", "1", … (like <c>torch.nn.Sequential</c>).</summary>
public sealed class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> layers = new();

    /// <summary>Creates the container from <paramref name="modules"/>.</summary>
    public Sequential(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Creates the container from <paramref name="modules"/>.</summary>
    public Sequential(IEnumerable<Module> modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends <paramref name="module"/> under the next index.</summary>
    /// <returns>This container (fluent).</returns>
    public Sequential Add(Module module)
    {
        RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    /// <summary>Number of children.</summary>
    public int Count => layers.Count;

    /// <summary>The child at <paramref name="index"/>.</summary>
    public Module this[int index] => layers[index];

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var m in layers) x = m.Forward(x);
        return x;
    }

    /// <inheritdoc/>
    public IEnumerator<Module> GetEnumerator() => layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
