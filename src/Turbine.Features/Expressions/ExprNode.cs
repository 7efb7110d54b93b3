namespace Turbine.Features.Expressions;

/// <summary>A compiled expression node; evaluates over the input slots (NaN is null).</summary>
internal abstract class ExprNode
{
    public abstract double Eval(ReadOnlySpan<double> vars);
}

internal sealed class ConstantNode(double value) : ExprNode
{
    public override double Eval(ReadOnlySpan<double> vars) => value;
}

internal sealed class VariableNode(int slot) : ExprNode
{
    public override double Eval(ReadOnlySpan<double> vars) => vars[slot];
}

internal sealed class ConditionalNode(ExprNode cond, ExprNode a, ExprNode b) : ExprNode
{
    public override double Eval(ReadOnlySpan<double> vars)
    {
        var c = cond.Eval(vars);
        return double.IsNaN(c) ? double.NaN : c != 0 ? a.Eval(vars) : b.Eval(vars);
    }
}

internal sealed class BinaryNode(char op, ExprNode left, ExprNode right) : ExprNode
{
    public override double Eval(ReadOnlySpan<double> vars)
    {
        var x = left.Eval(vars);
        var y = right.Eval(vars);
        return op switch
        {
            '+' => x + y,
            '-' => x - y,
            '*' => x * y,
            '/' => y == 0 ? double.NaN : x / y,
            '%' => y == 0 ? double.NaN : x % y,
            _ when double.IsNaN(x) || double.IsNaN(y) => double.NaN,
            '<' => x < y ? 1 : 0,
            '>' => x > y ? 1 : 0,
            'l' => x <= y ? 1 : 0,
            'g' => x >= y ? 1 : 0,
            'e' => x == y ? 1 : 0,
            'n' => x != y ? 1 : 0,
            '&' => x != 0 && y != 0 ? 1 : 0,
            _ => x != 0 || y != 0 ? 1 : 0,
        };
    }
}

internal sealed class FunctionNode(string name, ExprNode[] args) : ExprNode
{
    public static FunctionNode? Create(string name, List<ExprNode> args)
    {
        int? arity = name switch
        {
            "abs" or "log" or "log1p" or "exp" or "sqrt" or "floor" or "ceil" or "round" or "is_null" => 1,
            "min" or "max" or "pow" or "coalesce" => 2,
            "clamp" => 3,
            _ => null,
        };
        return arity == args.Count ? new FunctionNode(name, [.. args]) : null;
    }

    public override double Eval(ReadOnlySpan<double> vars)
    {
        var a = args[0].Eval(vars);
        return name switch
        {
            "abs" => Math.Abs(a),
            "log" => a > 0 ? Math.Log(a) : double.NaN,
            "log1p" => a > -1 ? Math.Log(1 + a) : double.NaN,
            "exp" => Math.Exp(a),
            "sqrt" => a >= 0 ? Math.Sqrt(a) : double.NaN,
            "floor" => Math.Floor(a),
            "ceil" => Math.Ceiling(a),
            "round" => Math.Round(a, MidpointRounding.AwayFromZero),
            "is_null" => double.IsNaN(a) ? 1 : 0,
            "coalesce" => double.IsNaN(a) ? args[1].Eval(vars) : a,
            "min" => Math.Min(a, args[1].Eval(vars)),
            "max" => Math.Max(a, args[1].Eval(vars)),
            "pow" => Math.Pow(a, args[1].Eval(vars)),
            _ => Math.Clamp(a, args[1].Eval(vars), Math.Max(args[1].Eval(vars), args[2].Eval(vars))),
        };
    }
}
