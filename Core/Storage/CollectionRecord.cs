namespace Neutrino.Core.Storage;

/// <summary>
/// A named collection of embedded document chunks, one namespace per caller (<see cref="Tenant"/>).
/// Every vector in it comes from one model, so they can be compared; <see cref="Version"/> moves on
/// to a new value of one sequence with every write, so a search index cached elsewhere knows when it is stale.
/// </summary>
public sealed class CollectionRecord
{
    public required string Tenant { get; set; }

    public required string Name { get; set; }

    public required string Model { get; set; }

    public int Dimensions { get; set; }

    public long Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
