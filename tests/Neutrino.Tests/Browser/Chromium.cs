using Microsoft.Playwright;

namespace Neutrino.Tests.Browser;

/// <summary>Debian's chromium, headless, for Playwright: no browser is ever downloaded.</summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static BrowserTypeLaunchOptions LaunchOptions()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install it with sudo apt-get install -y chromium");
        return new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // The machines' network is closed: the background services chromium starts would only fail.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        };
    }
}
