using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Turbine.Registry.Api;

/// <summary>
/// OpenAPI extras: the JSON request bodies (the handlers read their bodies themselves, so the generator cannot see
/// them; <see cref="JsonRequestBody"/> metadata names the type) and the bearer-token security scheme.
/// </summary>
internal static class OpenApiDocs
{
    public static IServiceCollection AddRegistryOpenApi(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(json =>
        {
            // The document describes what the API writes: the same enum spellings as ApiJson (stages by name, packing and roles lowercase).
            foreach (var converter in ApiJson.Options.Converters)
            {
                json.SerializerOptions.Converters.Add(converter);
            }
        }).AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Turbine model registry";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API token (trb_…) from 'turbine registry token create' or POST /api/v1/tokens.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonRequestBody>().FirstOrDefault() is { } body)
                {
                    var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken).ConfigureAwait(false);
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            [body.ContentType] = new() { Schema = schema },
                        },
                    };
                }
            });
        });
}
