using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Turbine.Control.Api;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>: the same JSON spellings as the API and the bearer scheme.</summary>
internal static class ControlOpenApi
{
    public static IServiceCollection AddControlOpenApi(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(json =>
        {
            foreach (var converter in ControlJson.Options.Converters)
            {
                json.SerializerOptions.Converters.Add(converter);
            }
        }).AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Turbine control plane";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A registry token (reader: read; writer or admin: write) or a static token of this service.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // Apply reads its body itself (bounded, then parsed with positions), so the generator cannot see it.
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<SpecRequestBody>().Any())
                {
                    var text = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A KServe serving.kserve.io/v1beta1 InferenceService" };
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/yaml"] = new() { Schema = text },
                            ["text/yaml"] = new() { Schema = text },
                            ["application/json"] = new() { Schema = text },
                        },
                    };
                }

                return Task.CompletedTask;
            });
        });
}
