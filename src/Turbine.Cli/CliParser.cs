using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using Turbine.Cli.Commands;

namespace Turbine.Cli;

/// <summary>
/// The <c>turbine</c> command tree and the parsing rules every command shares: a value that does not convert
/// (<c>--http-port abc</c>) or is not among the accepted ones is one line naming the option and the value, exit
/// code 2. The rules are applied to the whole tree once (<see cref="ApplyConventions"/>), so an option added to any
/// command later gets them without code of its own.
/// </summary>
internal static partial class CliParser
{
    /// <summary>Exit code of a usage error (bad flag, bad value), as for the parser's own errors.</summary>
    public const int UsageExitCode = 2;

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("Turbine: a model-serving platform for .NET (Open Inference Protocol / KServe v2, Triton-compatible).");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(SamplesCommand.Create());
        root.Subcommands.Add(InferCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(RegistryCommand.Create());
        root.Subcommands.Add(GatewayCommand.Create());
        root.Subcommands.Add(ControlCommand.Create());
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(BatchCommand.Create());
        root.Subcommands.Add(MonitorCommand.Create());
        ApplyConventions(root);
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/>. Response files (<c>@file</c>) are off: <c>@production</c> is a stage, not a file.
    /// </summary>
    public static ParseResult Parse(Command root, IReadOnlyList<string> args) =>
        root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    /// <summary>
    /// Applies the shared rules to <paramref name="command"/> and everything under it: numeric options and
    /// arguments parse with the invariant culture and report a bad value by name; validators never see a value
    /// that did not convert (reading it would throw out of the parser and crash the process).
    /// </summary>
    public static void ApplyConventions(Command command)
    {
        foreach (var option in command.Options)
        {
            SetNumericParser(option);
            WrapValidators(option.Validators);
        }

        foreach (var argument in command.Arguments)
        {
            SetNumericParser(argument);
            WrapValidators(argument.Validators);
        }

        WrapValidators(command.Validators);
        foreach (var sub in command.Subcommands)
        {
            ApplyConventions(sub);
        }
    }

    /// <summary>The one line printed for a parse that failed: the most specific error (a value's over a command's).</summary>
    public static string ErrorLine(ParseResult parsed, Command root)
    {
        // A value the user gave that is wrong names the problem best; then any error about an option or argument.
        var error = parsed.Errors.FirstOrDefault(e => e.SymbolResult is ArgumentResult or OptionResult && e.SymbolResult.Tokens.Count > 0)
            ?? parsed.Errors.FirstOrDefault(e => e.SymbolResult is ArgumentResult or OptionResult)
            ?? parsed.Errors[0];
        var message = Spaces().Replace(error.Message, " ").Trim();

        // The parser's "Argument 'x' not recognized. Must be one of…" does not say which option it was about.
        var owner = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (owner is not null && !message.Contains(owner.Option.Name, StringComparison.Ordinal))
        {
            message = $"{owner.Option.Name}: {message}";
        }

        var names = new List<string> { "turbine" };
        for (var r = parsed.CommandResult; r.Command != root && r.Parent is CommandResult parent; r = parent)
        {
            names.Insert(1, r.Command.Name);
        }

        return $"turbine: error: {message} (see '{string.Join(' ', names)} --help')";
    }

    private static void SetNumericParser(Symbol symbol)
    {
        switch (symbol)
        {
            case Option<int> o: o.CustomParser ??= r => Convert(r, o, v => (int)v); break;
            case Option<int?> o: o.CustomParser ??= r => Convert<int?>(r, o, v => (int)v); break;
            case Option<long> o: o.CustomParser ??= r => Convert(r, o, v => (long)v); break;
            case Option<long?> o: o.CustomParser ??= r => Convert<long?>(r, o, v => (long)v); break;
            case Option<double> o: o.CustomParser ??= r => Convert(r, o, v => v); break;
            case Argument<long> a: a.CustomParser ??= r => Convert(r, a, v => (long)v); break;
            case Argument<int> a: a.CustomParser ??= r => Convert(r, a, v => (int)v); break;
            default:
                // Another numeric type (uint, float…) keeps the parser's own conversion and message;
                // CliParserTests walks every option and fails until a case is added here.
                break;
        }
    }

    private static T Convert<T>(ArgumentResult result, Symbol symbol, Func<double, T> convert)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (NumericError(symbol, token, out var value) is { } error)
        {
            result.AddError(error);
            return default!;
        }

        return convert(value);
    }

    /// <summary>The value type of a numeric option or argument: int, long or double (nullable or not); null for others.</summary>
    private static Type? NumericKind(Symbol symbol)
    {
        var type = symbol switch { Option o => o.ValueType, Argument a => a.ValueType, _ => typeof(string) };
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) || type == typeof(double) ? type : null;
    }

    /// <summary>Why <paramref name="token"/> is not a value of <paramref name="symbol"/>'s numeric type; null when it is.</summary>
    internal static string? NumericError(Symbol symbol, string token, out double value)
    {
        value = 0;
        var name = symbol.Name;
        var kind = NumericKind(symbol);
        if (kind == typeof(double))
        {
            return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value)
                ? null
                : $"{name} '{token}': expected a number";
        }

        var (min, max) = kind == typeof(int) ? (int.MinValue, int.MaxValue) : (long.MinValue, long.MaxValue);
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) && whole >= min && whole <= max)
        {
            value = whole;
            return null;
        }

        return token.Length > 0 && token.TrimStart('-').Length > 0 && token.TrimStart('-').All(char.IsAsciiDigit)
            ? $"{name} '{token}': out of range; expected a whole number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}"
            : $"{name} '{token}': expected a whole number";
    }

    /// <summary>Whether every numeric option given on <paramref name="command"/> has a value that converts.</summary>
    private static bool NumericValuesConvert(CommandResult command) =>
        command.Children.OfType<OptionResult>().All(o => o.Implicit || NumericKind(o.Option) is null
            || o.Tokens.All(t => NumericError(o.Option, t.Value, out _) is null))
        && command.Children.OfType<ArgumentResult>().All(a => NumericKind(a.Argument) is null
            || a.Tokens.All(t => NumericError(a.Argument, t.Value, out _) is null));

    private static void WrapValidators<T>(List<Action<T>> validators)
        where T : SymbolResult
    {
        for (var i = 0; i < validators.Count; i++)
        {
            var inner = validators[i];
            if (inner.Target is GuardedValidator<T>)
            {
                continue;
            }

            validators[i] = new GuardedValidator<T>(inner).Validate;
        }
    }

    /// <summary>
    /// Runs a validator unless a value it reads did not convert: reading such a value throws
    /// <see cref="InvalidOperationException"/>, and the conversion error is already among the parse errors.
    /// </summary>
    private sealed class GuardedValidator<T>(Action<T> inner)
        where T : SymbolResult
    {
        public void Validate(T result)
        {
            // A command's validator runs before its options convert, and an error from it would hide theirs.
            if (result is CommandResult command && !NumericValuesConvert(command))
            {
                return;
            }

            try
            {
                inner(result);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
