namespace Turbine.Samples;

/// <summary>
/// Multinomial logistic regression (softmax regression) on Fisher's Iris data set, trained deterministically
/// in C#: features are standardized, weights start at zero and full-batch gradient descent runs a fixed number
/// of iterations. The exported ONNX graph computes exactly <see cref="PredictProbabilities"/>.
/// </summary>
public sealed class IrisModel
{
    public const int DefaultIterations = 1000;
    public const double DefaultLearningRate = 0.5;

    internal IrisModel(string[] classNames, float[] mean, float[] std, float[] weights, float[] bias)
    {
        ClassNames = classNames;
        Mean = mean;
        Std = std;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>Class names in class-index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public int FeatureCount => Mean.Length;

    public int ClassCount => Bias.Length;

    /// <summary>Per-feature mean used for standardization.</summary>
    public float[] Mean { get; }

    /// <summary>Per-feature (population) standard deviation used for standardization.</summary>
    public float[] Std { get; }

    /// <summary>Weights, row-major [feature, class] (the MatMul operand).</summary>
    public float[] Weights { get; }

    /// <summary>Bias per class.</summary>
    public float[] Bias { get; }

    /// <summary>Fraction of the training set classified correctly.</summary>
    public double TrainingAccuracy { get; internal set; }

    /// <summary>Class probabilities for one sample: softmax((x - mean) / std · W + b).</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"expected {FeatureCount} features, got {features.Length}", nameof(features));
        }

        var logits = new double[ClassCount];
        for (var k = 0; k < ClassCount; k++)
        {
            double sum = Bias[k];
            for (var j = 0; j < FeatureCount; j++)
            {
                sum += (features[j] - Mean[j]) / Std[j] * (double)Weights[(j * ClassCount) + k];
            }

            logits[k] = sum;
        }

        var max = logits.Max();
        var total = 0.0;
        for (var k = 0; k < ClassCount; k++)
        {
            logits[k] = Math.Exp(logits[k] - max);
            total += logits[k];
        }

        return logits.Select(value => (float)(value / total)).ToArray();
    }

    /// <summary>The most probable class index for one sample.</summary>
    public int Predict(ReadOnlySpan<float> features)
    {
        var probabilities = PredictProbabilities(features);
        return Array.IndexOf(probabilities, probabilities.Max());
    }

    internal static IrisModel Train(IrisDataSet data, int iterations = DefaultIterations, double learningRate = DefaultLearningRate) =>
        Train(data.Features, data.Labels, data.ClassNames, iterations, learningRate);

    /// <summary>
    /// Softmax regression on any labelled feature vectors (the iris sample and the image_classifier's head). A feature
    /// that is constant over the training set gets a standard deviation of 1, so it neither divides by zero nor
    /// contributes.
    /// </summary>
    internal static IrisModel Train(float[][] features, int[] labels, string[] classNames, int iterations = DefaultIterations, double learningRate = DefaultLearningRate)
    {
        int n = features.Length, d = features[0].Length, c = classNames.Length;
        var mean = new float[d];
        var std = new float[d];
        for (var j = 0; j < d; j++)
        {
            var m = features.Average(row => (double)row[j]);
            mean[j] = (float)m;
            var s = Math.Sqrt(features.Average(row => (row[j] - m) * (row[j] - m)));
            std[j] = s > 1e-6 ? (float)s : 1f;
        }

        // Standardize with the float parameters the ONNX graph uses, so training and inference agree.
        var x = features.Select(row => Enumerable.Range(0, d).Select(j => (double)((row[j] - mean[j]) / std[j])).ToArray()).ToArray();
        var w = new double[d * c];
        var b = new double[c];
        var probabilities = new double[c];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var gradW = new double[d * c];
            var gradB = new double[c];
            for (var i = 0; i < n; i++)
            {
                Softmax(x[i], w, b, probabilities);
                for (var k = 0; k < c; k++)
                {
                    var error = probabilities[k] - (labels[i] == k ? 1.0 : 0.0);
                    gradB[k] += error;
                    for (var j = 0; j < d; j++)
                    {
                        gradW[(j * c) + k] += error * x[i][j];
                    }
                }
            }

            for (var k = 0; k < w.Length; k++)
            {
                w[k] -= learningRate * gradW[k] / n;
            }

            for (var k = 0; k < c; k++)
            {
                b[k] -= learningRate * gradB[k] / n;
            }
        }

        var model = new IrisModel(classNames, mean, std, w.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray());
        var correct = Enumerable.Range(0, n).Count(i => model.Predict(features[i]) == labels[i]);
        model.TrainingAccuracy = (double)correct / n;
        return model;
    }

    private static void Softmax(double[] x, double[] w, double[] b, double[] probabilities)
    {
        int d = x.Length, c = b.Length;
        var max = double.NegativeInfinity;
        for (var k = 0; k < c; k++)
        {
            var sum = b[k];
            for (var j = 0; j < d; j++)
            {
                sum += x[j] * w[(j * c) + k];
            }

            probabilities[k] = sum;
            max = Math.Max(max, sum);
        }

        var total = 0.0;
        for (var k = 0; k < c; k++)
        {
            probabilities[k] = Math.Exp(probabilities[k] - max);
            total += probabilities[k];
        }

        for (var k = 0; k < c; k++)
        {
            probabilities[k] /= total;
        }
    }
}
