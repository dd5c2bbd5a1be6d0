using Microsoft.Extensions.DependencyInjection;
using Neutrino.Core.Tasks;

namespace Neutrino.Core.Workers;

/// <summary>A task this process can run: its catalog definition and how to get its handler.</summary>
public sealed record TaskRegistration(TaskDefinition Definition, Type HandlerType)
{
    public ITaskHandler CreateHandler(IServiceProvider services) => (ITaskHandler)services.GetRequiredService(HandlerType);

    /// <summary>
    /// The JSON Schema of the handler's args, as <see cref="TaskJson"/> reads them (snake_case, required
    /// members), made by System.Text.Json's schema exporter; null for a handler without typed args.
    /// </summary>
    public System.Text.Json.JsonElement? ArgsSchema()
    {
        for (var type = HandlerType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TaskHandler<,>))
            {
                var schema = System.Text.Json.Schema.JsonSchemaExporter.GetJsonSchemaAsNode(TaskJson.Options, type.GetGenericArguments()[0]);
                return System.Text.Json.JsonSerializer.SerializeToElement(schema);
            }
        }
        return null;
    }
}
