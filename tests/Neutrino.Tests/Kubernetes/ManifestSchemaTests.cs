using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>Every overlay renders, and every object it renders is valid by the Kubernetes and KEDA schemas.</summary>
public sealed class ManifestSchemaTests
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_object_of_the_overlay_validates_against_its_schema(string overlay)
    {
        var rendered = await OfAsync(overlay);

        Assert.True(rendered.SchemaErrors.Count == 0, $"{overlay}: objects that fail their schema:\n{string.Join('\n', rendered.SchemaErrors)}");
        Assert.All(rendered.Objects.Where(o => KindOf(o) != "Namespace"),
            o => Assert.True((string?)o["metadata"]!["namespace"] == Namespace, $"{KindOf(o)} {NameOf(o)} is not in the {Namespace} namespace"));
        Assert.Contains(rendered.Objects, o => KindOf(o) == "Namespace" && NameOf(o) == Namespace);
    }

    [Fact]
    public async Task The_validator_refuses_an_object_that_breaks_its_schema_and_a_kind_it_does_not_know()
    {
        const string Broken = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: two
              selector:
                matchLabels:
                  app: broken
              template:
                spec:
                  containers:
                    - name: broken
                      image: broken
                      ports:
                        - containerPort: http
            ---
            apiVersion: example.com/v1
            kind: Unknown
            metadata:
              name: unknown
            """;

        var rendered = await ValidateAsync("broken", Broken);

        Assert.Equal(2, rendered.SchemaErrors.Count);
        Assert.Contains(rendered.SchemaErrors, e => e.StartsWith("apps/v1/Deployment broken:", StringComparison.Ordinal) && e.Contains("/spec/replicas", StringComparison.Ordinal));
        Assert.Contains(rendered.SchemaErrors, e => e.StartsWith("example.com/v1/Unknown unknown:", StringComparison.Ordinal));
    }
}
