using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Domain;
using Turbine.Registry.Security;

namespace Turbine.Registry.Api;

internal sealed partial class RegistryApi
{
    private void MapModels(RouteGroupBuilder api)
    {
        api.MapPost("/models", (Func<HttpContext, Task<IResult>>)CreateModelAsync).WithMetadata(new JsonRequestBody(typeof(CreateModelRequest))).Produces<RegisteredModel>(StatusCodes.Status201Created)
            .WithSummary("Register a model");
        api.MapGet("/models", (Func<HttpContext, Task<IResult>>)SearchModelsAsync).Produces<ModelListResponse>()
            .WithSummary("Search models: tag=k=v (repeatable), stage, dataset, metric=auc>=0.9, q=text; filters AND-ed");
        api.MapGet("/models/{name}", async (string name, HttpContext context) =>
        {
            if (context.GetCaller().Require(TokenRole.Reader, name) is { } denied)
            {
                return ApiHttp.Error(denied);
            }

            var model = await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
            return model.IsOk ? ApiHttp.Json(model.Value) : ApiHttp.Error(model.Error);
        }).Produces<RegisteredModel>().WithSummary("Get a model");
        api.MapPatch("/models/{name}", UpdateModelAsync).WithMetadata(new JsonRequestBody(typeof(UpdateModelRequest))).Produces<RegisteredModel>()
            .WithSummary("Change a model's description, owner or tags");
        api.MapGet("/models/{name}/card", (string name, HttpContext context) => GetCardAsync(name, null, context)).Produces<string>(contentType: "text/markdown");
        api.MapPut("/models/{name}/card", (string name, HttpContext context) => SetCardAsync(name, null, context));
    }

    private async Task<IResult> CreateModelAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        var body = await ReadJsonAsAsync<CreateModelRequest>(context, caller, TokenRole.Writer).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return ApiHttp.Error(body.Error);
        }

        var request = body.Value;
        if (RegistryError.First(
                RegistryValidation.ModelName(request.Name),
                caller.Require(TokenRole.Writer, request.Name),
                RegistryValidation.Description(request.Description),
                RegistryValidation.Text(request.Owner, "owner"),
                RegistryValidation.Entries(request.Tags, "tags")) is { } invalid)
        {
            return ApiHttp.Error(invalid);
        }

        var model = await store.CreateModelAsync(request.Name!, request.Description ?? "", request.Owner ?? caller.Name,
            request.Tags ?? [], caller.Name, context.RequestAborted).ConfigureAwait(false);
        return model.IsOk ? ApiHttp.Json(model.Value, StatusCodes.Status201Created) : ApiHttp.Error(model.Error);
    }

    private async Task<IResult> UpdateModelAsync(string name, HttpContext context)
    {
        var caller = context.GetCaller();
        var body = await ReadJsonAsAsync<UpdateModelRequest>(context, caller, TokenRole.Writer, name).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return ApiHttp.Error(body.Error);
        }

        var request = body.Value;
        if (RegistryError.First(
                RegistryValidation.Description(request.Description),
                RegistryValidation.Text(request.Owner, "owner"),
                RegistryValidation.Entries(request.Tags, "tags")) is { } invalid)
        {
            return ApiHttp.Error(invalid);
        }

        var model = await store.UpdateModelAsync(name, request.Description, request.Owner, request.Tags, caller.Name, context.RequestAborted).ConfigureAwait(false);
        return model.IsOk ? ApiHttp.Json(model.Value) : ApiHttp.Error(model.Error);
    }

    private async Task<IResult> SearchModelsAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        if (caller.Require(TokenRole.Reader) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var q = context.Request.Query;
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in q["tag"])
        {
            var eq = tag?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (eq <= 0)
            {
                return ApiHttp.Error(RegistryError.Invalid("invalid_filter", $"tag filter '{tag}' is not of the form KEY=VALUE"));
            }

            tags.Add(KeyValuePair.Create(tag![..eq], tag[(eq + 1)..]));
        }

        ModelStage? stage = null;
        if (q["stage"].ToString() is { Length: > 0 } s)
        {
            var parsed = RegistryValidation.Stage(s);
            if (!parsed.IsOk)
            {
                return ApiHttp.Error(parsed.Error);
            }

            stage = parsed.Value;
        }

        MetricFilter? metric = null;
        if (q["metric"].ToString() is { Length: > 0 } m)
        {
            var parsed = MetricFilter.Parse(m);
            if (!parsed.IsOk)
            {
                return ApiHttp.Error(parsed.Error);
            }

            metric = parsed.Value;
        }

        var query = new ModelQuery(tags, stage, NullIfEmpty(q["dataset"].ToString()), metric, NullIfEmpty(q["q"].ToString()));
        var models = await store.SearchModelsAsync(query, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new ModelListResponse(models.Where(model => caller.CanSee(model.Name)).ToArray()));
    }

    private async Task<IResult> GetCardAsync(string name, long? version, HttpContext context)
    {
        if (context.GetCaller().Require(TokenRole.Reader, name) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var card = await store.GetCardAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        return card.IsOk ? Results.Text(card.Value, "text/markdown; charset=utf-8") : ApiHttp.Error(card.Error);
    }

    private async Task<IResult> SetCardAsync(string name, long? version, HttpContext context)
    {
        var caller = context.GetCaller();
        if (caller.Require(TokenRole.Writer, name) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var card = await ApiHttp.ReadTextAsync(context).ConfigureAwait(false);
        if (!card.IsOk)
        {
            return ApiHttp.Error(card.Error);
        }

        return await store.SetCardAsync(name, version, card.Value, caller.Name, context.RequestAborted).ConfigureAwait(false) is { } error
            ? ApiHttp.Error(error)
            : Results.NoContent();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
