using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Turbine.Hosting;

/// <summary>
/// Binds an immutable options record a caller built (the CLI from its flags, a test, an embedding process) as
/// <see cref="IOptions{TOptions}"/>: the options system starts from that instance instead of a new one, then the usual
/// configure, post-configure and <see cref="IValidateOptions{TOptions}"/> steps run, so the validation (and
/// <c>ValidateOnStart</c>) is the one every caller gets. Hosting plumbing shared by the server, gateway and
/// registry hosts (Turbine.Hosting), not part of any one host.
/// </summary>
public sealed class SuppliedOptionsFactory<TOptions>(
    TOptions supplied,
    IEnumerable<IConfigureOptions<TOptions>> setups,
    IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
    IEnumerable<IValidateOptions<TOptions>> validations)
    : OptionsFactory<TOptions>(setups, postConfigures, validations)
    where TOptions : class
{
    /// <summary>The caller's instance, whatever the options name.</summary>
    /// <param name="name">The options name (ignored: one instance per host).</param>
    protected override TOptions CreateInstance(string name) => supplied;

    /// <summary>
    /// Registers <paramref name="options"/> as the value of <see cref="IOptions{TOptions}"/> with
    /// <typeparamref name="TValidator"/> and <c>ValidateOnStart</c>; a factory registered before wins (TryAdd).
    /// </summary>
    public static OptionsBuilder<TOptions> Register<TValidator>(IServiceCollection services, TOptions options)
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = services.AddOptions<TOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.TryAdd(ServiceDescriptor.Transient<IOptionsFactory<TOptions>>(sp => new SuppliedOptionsFactory<TOptions>(
            options,
            sp.GetServices<IConfigureOptions<TOptions>>(),
            sp.GetServices<IPostConfigureOptions<TOptions>>(),
            sp.GetServices<IValidateOptions<TOptions>>())));
        return builder.ValidateOnStart();
    }
}
