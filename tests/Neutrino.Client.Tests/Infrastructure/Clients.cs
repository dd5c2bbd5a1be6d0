namespace Neutrino.Client.Tests.Infrastructure;

internal static class Clients
{
    public const string ApiKey = "nk_test_key";
    public static readonly Uri Gateway = new("http://gateway.test/");

    public static NeutrinoClient Over(StubHandler stub, TimeProvider? time = null, Uri? baseAddress = null) =>
        new(new HttpClient(stub), new NeutrinoClientOptions
        {
            BaseAddress = baseAddress ?? Gateway,
            ApiKey = ApiKey,
            TimeProvider = time ?? TimeProvider.System,
        });
}
