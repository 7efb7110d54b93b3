using Turbine.Features.Definitions;
using Turbine.Features.Expressions;
using Turbine.Features.Values;

namespace Turbine.Features.Serving;

/// <summary>An input of an on-demand view: a feature of a regular view (<see cref="View"/> set) or a request data field.</summary>
public sealed record OnDemandInput(string? View, string Name, FeatureType Type);

/// <summary>An on-demand view compiled once: its inputs (slots) and one expression per feature. Used unchanged for serving and for training sets.</summary>
public sealed class CompiledOnDemandView
{
    internal CompiledOnDemandView(OnDemandFeatureViewDefinition definition, IReadOnlyList<OnDemandInput> inputs, IReadOnlyList<ExprNode> expressions)
    {
        Definition = definition;
        Inputs = inputs;
        Expressions = expressions;
    }

    public OnDemandFeatureViewDefinition Definition { get; }

    public IReadOnlyList<OnDemandInput> Inputs { get; }

    internal IReadOnlyList<ExprNode> Expressions { get; }

    /// <summary>Computes every feature of the view from the input values (in <see cref="Inputs"/> order) into <paramref name="output"/>.</summary>
    public void Evaluate(ReadOnlySpan<object?> inputs, Span<object?> output)
    {
        Span<double> vars = inputs.Length <= 64 ? stackalloc double[inputs.Length] : new double[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            vars[i] = FeatureValues.ToDouble(inputs[i]);
        }

        for (var f = 0; f < Expressions.Count; f++)
        {
            output[f] = FeatureValues.FromDouble(Expressions[f].Eval(vars), Definition.Features[f].Type);
        }
    }
}

/// <summary>Compiles on-demand views: names in expressions resolve to <c>view.feature</c>, a request field, or a feature of exactly one source view.</summary>
public static class OnDemandEvaluator
{
    public static CompiledOnDemandView Compile(FeatureRepo repo, OnDemandFeatureViewDefinition od)
    {
        var inputs = new List<OnDemandInput>();
        int Resolve(string name)
        {
            OnDemandInput input;
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0)
            {
                var view = name[..dot];
                var feature = name[(dot + 1)..];
                if (!od.Sources.Contains(view, StringComparer.Ordinal) || !repo.FeatureViews.TryGetValue(view, out var fv))
                {
                    throw new FormatException($"'{name}': '{view}' is not a source of this on-demand view (sources: {string.Join(", ", od.Sources)})");
                }

                var f = fv.Feature(feature) ?? throw new FormatException($"'{name}': feature view '{view}' has no feature '{feature}'");
                input = new OnDemandInput(view, f.Name, f.Type);
            }
            else if (od.RequestSchema.FirstOrDefault(r => r.Name == name) is { } r)
            {
                input = new OnDemandInput(null, r.Name, r.Type);
            }
            else
            {
                var matches = od.Sources.Select(s => repo.FeatureViews.GetValueOrDefault(s)).Where(v => v?.Feature(name) is not null).ToArray();
                input = matches.Length switch
                {
                    1 => new OnDemandInput(matches[0]!.Name, name, matches[0]!.Feature(name)!.Type),
                    0 => throw new FormatException($"unknown name '{name}' (not a request field nor a feature of {string.Join(", ", od.Sources)})"),
                    _ => throw new FormatException($"'{name}' is ambiguous: write view.{name}"),
                };
            }

            var i = inputs.FindIndex(x => x == input);
            if (i >= 0)
            {
                return i;
            }

            inputs.Add(input);
            return inputs.Count - 1;
        }

        var expressions = new List<ExprNode>();
        foreach (var f in od.Features)
        {
            try
            {
                expressions.Add(ExpressionParser.Parse(f.Expression, Resolve));
            }
            catch (FormatException e)
            {
                throw new FeatureRepoException($"on-demand feature view '{od.Name}' feature '{f.Name}': expression: {e.Message}", e);
            }
        }

        return new CompiledOnDemandView(od, inputs, expressions);
    }
}
