using SciKernels.Autograd;
using SciKernels.Data;
using SciKernels.NN;
using SciKernels.Operators;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Operators;

/// <summary>The PINO loss for Darcy: packing, the labelled-only data term, the physics term, and FNO training with it.</summary>
public class DarcyPhysicsLossTests
{
    private const int S = 9;

    private static (Tensor X, Tensor U, Tensor A, Tensor F) Data(int count, DType dtype = DType.Float32)
    {
        var data = DarcyDataset.Load(count, S, seed: 3);
        var (a, u) = data.Slice(0, count, dtype);
        var shape = new[] { count, S, S, 1 };
        Tensor x;
        using (GradMode.NoGrad()) x = a.Sub(7.5).Div(4.5).Reshape(shape);
        return (x, u.Reshape(shape), a.Reshape(shape), Tensor.Full(shape, 1.0, dtype));
    }

    private static Fno Model() => new(new FnoOptions(new[] { 2, 2 }, 4, Layers: 2, ProjectionWidth: 8, Padding: 2), new Generator(11));

    private static TrainingHistory Train(Func<Tensor, Tensor, Tensor> loss, Tensor x, Tensor y, int epochs, IReadOnlyDictionary<string, Func<Tensor, Tensor, Tensor>>? metrics = null)
    {
        var model = Model();
        var opt = new Adam(model.Parameters(), 5e-3);
        return new Trainer(model, opt, loss, new TrainerOptions
        {
            Epochs = epochs,
            BatchSize = 4,
            Seed = 5,
            Metrics = metrics ?? new Dictionary<string, Func<Tensor, Tensor, Tensor>>(),
        }).Fit(x, y);
    }

    [Fact]
    public void ZeroWeightWithAllLabelsReproducesTheSupervisedPathBitForBit()
    {
        var (x, u, a, f) = Data(12);
        var supervised = Train((p, t) => Losses.RelativeL2(p, t), x, u, 2);
        var pino = new DarcyPhysicsLoss(0);
        var packed = Train(pino.Loss, x, DarcyPhysicsLoss.PackTargets(u, a, f, 12), 2, pino.Metrics);
        Assert.Equal(supervised.BatchLosses.Count, packed.BatchLosses.Count);
        for (int i = 0; i < packed.BatchLosses.Count; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(supervised.BatchLosses[i]), BitConverter.DoubleToInt64Bits(packed.BatchLosses[i]));
        Assert.True(double.IsFinite(packed.Epochs[^1].TrainMetrics["physics"]));
    }

    [Fact]
    public void PhysicsTermTrainsOnUnlabelledSamplesAndIsReported()
    {
        var (x, u, a, f) = Data(12);
        var pino = new DarcyPhysicsLoss(1e-2);
        var history = Train(pino.Loss, x, DarcyPhysicsLoss.PackTargets(u, a, f, 3), 6, pino.Metrics);
        var first = history.Epochs[0];
        var last = history.Epochs[^1];
        Assert.True(last.TrainLoss < first.TrainLoss, $"loss {first.TrainLoss} → {last.TrainLoss}");
        Assert.True(last.TrainMetrics["physics"] < first.TrainMetrics["physics"], $"physics {first.TrainMetrics["physics"]} → {last.TrainMetrics["physics"]}");
        Assert.True(last.TrainMetrics["data"] > 0);
    }

    [Fact]
    public void DataTermSeesOnlyLabelledSamplesAndPhysicsTermSeesAll()
    {
        var (_, u, a, f) = Data(4, DType.Float64);
        var packed = DarcyPhysicsLoss.PackTargets(u, a, f, 2);
        // unlabelled solutions never enter the packed targets
        Assert.All(packed.Narrow(0, 2, 2).Narrow(3, 0, 1).ToArray<double>(), v => Assert.Equal(0.0, v));
        var loss = new DarcyPhysicsLoss(1);
        var gen = new Generator(8);
        var prediction = u.Add(Tensor.Randn(u.Shape, gen, DType.Float64).Mul(1e-3));
        var moved = Tensor.Concat(new[] { prediction.Narrow(0, 0, 3), prediction.Narrow(0, 3, 1).Mul(2.0) }, 0);
        Assert.Equal(loss.DataLoss(prediction, packed).Item(), loss.DataLoss(moved, packed).Item());
        Assert.NotEqual(loss.PhysicsLoss(prediction, packed).Item(), loss.PhysicsLoss(moved, packed).Item());
        Assert.Equal(Losses.RelativeL2(prediction.Narrow(0, 0, 2), u.Narrow(0, 0, 2)).Item(), loss.DataLoss(prediction, packed).Item(), 15);

        var p = prediction.Detach().RequiresGrad_();
        loss.DataLoss(p, packed).Backward();
        Assert.All(p.Grad!.Narrow(0, 2, 2).ToArray<double>(), g => Assert.Equal(0.0, g));
        var q = prediction.Detach().RequiresGrad_();
        loss.PhysicsLoss(q, packed).Backward();
        Assert.Contains(q.Grad!.Narrow(0, 2, 2).ToArray<double>(), g => g != 0);

        // no labelled sample in the batch: data term 0, still differentiable
        var none = DarcyPhysicsLoss.PackTargets(u, a, f, 0);
        var z = prediction.Detach().RequiresGrad_();
        var l = loss.Loss(z, none);
        l.Backward();
        Assert.Equal(0.0, loss.DataLoss(z, none).Item());
        Assert.True(l.Item() > 0);
    }

    [Fact]
    public void SolverSolutionsHaveNegligiblePhysicsLoss()
    {
        // the data set's solutions (PCG to 1e-10) satisfy the residual's discretization
        var (_, u, a, f) = Data(3, DType.Float64);
        var physics = new DarcyPhysicsLoss(1).PhysicsLoss(u, DarcyPhysicsLoss.PackTargets(u, a, f, 3)).Item();
        Assert.True(physics < 1e-18, $"physics loss of the solver's solution: {physics}");
    }

    [Fact]
    public void BadShapesAreRejected()
    {
        var (_, u, a, f) = Data(2);
        var packed = DarcyPhysicsLoss.PackTargets(u, a, f, 1);
        var loss = new DarcyPhysicsLoss(1);
        var e1 = Assert.Throws<TensorException>(() => loss.Loss(u, u));
        Assert.Contains("DarcyPhysicsLoss", e1.Message);
        Assert.Contains("PackTargets", e1.Message);
        Assert.Throws<TensorException>(() => loss.Loss(u.Reshape(2, S, S), packed));
        Assert.Throws<TensorException>(() => DarcyPhysicsLoss.PackTargets(u, a, f, 3));
        Assert.Throws<TensorException>(() => DarcyPhysicsLoss.PackTargets(u, a.Narrow(1, 0, 4), f, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DarcyPhysicsLoss(-1));
    }
}
