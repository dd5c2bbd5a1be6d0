using Neutrino.AppHost.Hosting;

#pragma warning disable CA1812, CA1852 // Instantiated through AddProject<T>.

// Aspire generates these from the AppHost's project references; here they are written out.
namespace Projects
{
    internal sealed class Gateway : IProjectMetadata
    {
        public string Directory => "Gateway";

        public string AssemblyName => "Neutrino.Gateway";
    }

    internal sealed class FastPool : IProjectMetadata
    {
        public string Directory => "FastPool";

        public string AssemblyName => "Neutrino.FastPool";
    }

    internal sealed class AsyncPool : IProjectMetadata
    {
        public string Directory => "AsyncPool";

        public string AssemblyName => "Neutrino.AsyncPool";
    }

    internal sealed class GpuPool : IProjectMetadata
    {
        public string Directory => "GpuPool";

        public string AssemblyName => "Neutrino.GpuPool";
    }

    internal sealed class Dashboard : IProjectMetadata
    {
        public string Directory => "Dashboard";

        public string AssemblyName => "Neutrino.Dashboard";
    }
}
