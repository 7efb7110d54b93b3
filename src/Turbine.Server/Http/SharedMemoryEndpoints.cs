using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Server.Security;

namespace Turbine.Server.Http;

/// <summary>
/// Triton's shared memory extension over REST: <c>/v2/systemsharedmemory[/region/{name}]/status|register|unregister</c>
/// (management operations), and <c>/v2/cudasharedmemory/...</c> answered as <see cref="CudaSharedMemory"/> says (no CUDA region can exist).
/// </summary>
internal static class SharedMemoryEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SharedMemoryManager manager)
    {
        const string System = "/v2/systemsharedmemory";
        app.MapGet(System + "/status", ctx => Status(ctx, manager, "")).WithMetadata(ManagementOperationAttribute.Instance);
        app.MapGet(System + "/region/{name}/status", ctx => Status(ctx, manager, Name(ctx))).WithMetadata(ManagementOperationAttribute.Instance);
        app.MapPost(System + "/region/{name}/register", ctx => Register(ctx, manager)).WithMetadata(ManagementOperationAttribute.Instance);
        app.MapPost(System + "/unregister", ctx => Done(ctx, () => manager.UnregisterAll())).WithMetadata(ManagementOperationAttribute.Instance);
        app.MapPost(System + "/region/{name}/unregister", ctx => Done(ctx, () => manager.Unregister(Name(ctx)))).WithMetadata(ManagementOperationAttribute.Instance);

        // No CUDA region can exist (either build): status lists none (a named one is not found), unregister has nothing
        // to do, register fails (CudaSharedMemory says how, per build).
        const string Cuda = "/v2/cudasharedmemory";
        app.MapGet(Cuda + "/status", ctx => JsonResults.WriteAsync(ctx, w =>
        {
            w.WriteStartArray();
            w.WriteEndArray();
        }));
        app.MapGet(Cuda + "/region/{name}/status", ctx => Fail(ctx, CudaSharedMemory.NotFound(Name(ctx))));
        app.MapPost(Cuda + "/region/{name}/register", ctx => Fail(ctx, CudaSharedMemory.RegisterRefused(Name(ctx))));
        app.MapPost(Cuda + "/unregister", ctx => Done(ctx, () => { }));
        app.MapPost(Cuda + "/region/{name}/unregister", ctx => Done(ctx, () => { }));
    }

    private static string Name(HttpContext ctx) => (string)ctx.GetRouteValue("name")!;

    private static Task Status(HttpContext ctx, SharedMemoryManager manager, string name)
    {
        var status = manager.Status(name);
        if (!status.IsOk)
        {
            return Fail(ctx, status.Error);
        }

        return JsonResults.WriteAsync(ctx, w =>
        {
            w.WriteStartArray();
            foreach (var region in status.Value)
            {
                w.WriteStartObject();
                w.WriteString("name", region.Name);
                w.WriteString("key", region.Key);
                w.WriteNumber("offset", region.Offset);
                w.WriteNumber("byte_size", region.ByteSize);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task Register(HttpContext ctx, SharedMemoryManager manager)
    {
        var body = await HttpEndpoints.ReadSmallJsonAsync(ctx).ConfigureAwait(false);
        if (!body.IsOk)
        {
            await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(body.Error), body.Error.Message).ConfigureAwait(false);
            return;
        }

        using var document = body.Value;
        var root = document.RootElement;
        if (!root.TryGetProperty("key", out var keyJson))
        {
            await Fail(ctx, InferenceError.InvalidArgument("Shared memory register request has no 'key' field")).ConfigureAwait(false);
            return;
        }

        if (keyJson.ValueKind != JsonValueKind.String)
        {
            await Fail(ctx, InferenceError.InvalidArgument($"Shared memory register request: 'key' must be a string, got a JSON {keyJson.ValueKind}")).ConfigureAwait(false);
            return;
        }

        ulong offset = 0;
        if (root.TryGetProperty("offset", out var offsetJson) && (offsetJson.ValueKind != JsonValueKind.Number || !offsetJson.TryGetUInt64(out offset)))
        {
            await Fail(ctx, InferenceError.InvalidArgument($"Shared memory register request: 'offset' must be a non-negative integer, got {offsetJson.GetRawText()}")).ConfigureAwait(false);
            return;
        }

        if (!root.TryGetProperty("byte_size", out var sizeJson))
        {
            await Fail(ctx, InferenceError.InvalidArgument("Shared memory register request has no 'byte_size' field")).ConfigureAwait(false);
            return;
        }

        if (sizeJson.ValueKind != JsonValueKind.Number || !sizeJson.TryGetUInt64(out var byteSize))
        {
            await Fail(ctx, InferenceError.InvalidArgument($"Shared memory register request: 'byte_size' must be a non-negative integer, got {sizeJson.GetRawText()}")).ConfigureAwait(false);
            return;
        }

        var name = Name(ctx);
        var error = offset > long.MaxValue || byteSize > long.MaxValue
            ? InferenceError.InvalidArgument($"failed to register shared memory region '{name}': invalid args: offset {offset} and byte_size {byteSize} must each be below 2^63")
            : manager.Register(name, keyJson.GetString()!, (long)offset, (long)byteSize);
        await (error is null ? Done(ctx, () => { }) : Fail(ctx, error)).ConfigureAwait(false);
    }

    private static Task Done(HttpContext ctx, Action action)
    {
        action();
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>Triton's codes for these endpoints: as everywhere, except that ALREADY_EXISTS is a 400.</summary>
    private static Task Fail(HttpContext ctx, InferenceError error) =>
        HttpErrors.WriteAsync(ctx, error.Code == StatusCode.AlreadyExists ? StatusCodes.Status400BadRequest : HttpErrors.ToHttpStatus(error.Code), error.Message);
}
