using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Catalog;

namespace Neutrino.Gateway.Apis;

/// <summary>
/// The OpenAPI document's task operations, from the live catalog: <c>POST /api/{name}</c> for each
/// task a pool has registered, with its args' JSON Schema and Neutrino's <c>x-neutrino-*</c>
/// extensions. The document is made per request, so a task a pool registers is in it at once.
/// </summary>
internal sealed class CatalogOpenApi(TaskCatalog catalog) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Neutrino",
            Version = "v1",
            Description = "Run named tasks: sync ones answer in the request, queued ones (async, gpu) answer 202 with a task id to poll.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key: 'Authorization: Bearer <key>' (or 'X-Api-Key: <key>').",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
        document.Paths ??= [];
        foreach (var task in catalog.All)
        {
            document.Paths[$"/api/{task.Name}"] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = Operation(task, document) },
            };
        }
        return Task.CompletedTask;
    }

    private OpenApiOperation Operation(TaskDefinition task, OpenApiDocument document)
    {
        var sync = task.Mode == TaskMode.Sync;
        var operation = new OpenApiOperation
        {
            OperationId = $"run_{task.Name}",
            Summary = sync ? $"Run {task.Name} and answer with its result" : $"Queue {task.Name}; poll GET /tasks/{{id}} for its outcome",
            Tags = new HashSet<OpenApiTagReference> { new("tasks", document) },
            Parameters =
            [
                new OpenApiParameter
                {
                    Name = "Idempotency-Key",
                    In = ParameterLocation.Header,
                    Description = "A repeat with the same key answers with the first request's task instead of running it again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                },
            ],
            RequestBody = new OpenApiRequestBody
            {
                Required = false,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = Body(task, document) } },
            },
            Responses = new OpenApiResponses
            {
                [sync ? "200" : "202"] = new OpenApiResponse { Description = sync ? "The task ran; its result." : "Queued durably; poll the task." },
                ["400"] = Problem("The body or its args are malformed, or cannot be stored."),
                ["401"] = Problem("No valid API key."),
                ["404"] = Problem("No such task."),
                ["413"] = Problem("The body is over the limit."),
                ["429"] = Problem("Over the key's rate or the tenant's quota; see Retry-After."),
                ["503"] = Problem("A dependency is unavailable; see Retry-After."),
            },
            Extensions = new Dictionary<string, IOpenApiExtension>
            {
                ["x-neutrino-mode"] = new JsonNodeExtension(WireNames.Of(task.Mode)),
                ["x-neutrino-pool"] = new JsonNodeExtension(task.Pool),
                ["x-neutrino-timeout"] = new JsonNodeExtension((long)task.Timeout.TotalMilliseconds),
                ["x-neutrino-max-attempts"] = new JsonNodeExtension(task.MaxAttempts),
            },
        };
        if (sync)
        {
            operation.Responses["500"] = Problem("The task failed.");
            operation.Responses["504"] = Problem("The task timed out.");
        }
        return operation;
    }

    /// <summary>The body: <c>{"args": …, "priority"?: …}</c>, args as the task's own schema says.</summary>
    private OpenApiSchema Body(TaskDefinition task, OpenApiDocument document)
    {
        IOpenApiSchema args = new OpenApiSchema { Description = "The task's args: any JSON." };
        if (catalog.ArgsSchema(task.Name) is { } schema
            && OpenApiModelFactory.Parse<OpenApiSchema>(schema.GetRawText(), OpenApiSpecVersion.OpenApi3_1, document, out _, OpenApiConstants.Json) is { } parsed)
        {
            args = parsed;
        }
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["args"] = args,
                ["priority"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [JsonValue.Create("high"), JsonValue.Create("normal"), JsonValue.Create("low")],
                    Default = JsonValue.Create("normal"),
                },
            },
        };
    }

    private static OpenApiResponse Problem(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
        },
    };
}
