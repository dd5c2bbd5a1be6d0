namespace Neutrino.AppHost.Hosting;

public interface IResource
{
    string Name { get; }
}
