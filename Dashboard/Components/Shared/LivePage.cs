using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using Neutrino.Dashboard.Data;

namespace Neutrino.Dashboard.Components.Shared;

/// <summary>
/// A page that shows what is there now: rendered on the server first, then, once its circuit is
/// connected, read again every <see cref="DashboardOptions.RefreshInterval"/> and the changes pushed
/// to the browser. The reading stops when the circuit goes (the tab closed or navigated away), so a
/// dashboard nobody looks at costs nothing.
/// </summary>
public abstract class LivePage : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IOptions<DashboardOptions> Options { get; set; } = default!;

    protected Viewer Viewer { get; private set; } = default!;

    /// <summary>What went wrong at the last reading, shown above the page's content; null when it went well.</summary>
    protected string? LoadProblem { get; private set; }

    protected DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>
    /// Whether a reading has ended. The interactive render starts before its first reading returns (the
    /// prerendered page is replaced then): until it has, a page says it is reading, not that nothing is there.
    /// </summary>
    protected bool Loaded => LoadedAt is not null || LoadProblem is not null;

    /// <summary>False while an action waits for its confirmation, so the page does not move under the user.</summary>
    protected virtual bool Live => true;

    protected CancellationToken Stopping => _stopping.Token;

    protected abstract Task LoadAsync(CancellationToken cancellationToken);

    protected override async Task OnParametersSetAsync()
    {
        Viewer = Viewer.From((await AuthenticationState).User);
        await ReloadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _loop = RefreshAsync();
        }
    }

    protected async Task ReloadAsync()
    {
        try
        {
            await LoadAsync(_stopping.Token);
            LoadProblem = null;
            LoadedAt = DateTimeOffset.UtcNow;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            LoadProblem = ex is OperationCanceledException or TimeoutException
                ? $"Reading took longer than {DashboardQueries.QueryTimeout.TotalSeconds:0} s; narrow the filter."
                : $"Could not read: {ex.GetBaseException().Message}";
        }
    }

    private async Task RefreshAsync()
    {
        using var timer = new PeriodicTimer(Options.Value.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                if (Live)
                {
                    await InvokeAsync(async () =>
                    {
                        await ReloadAsync();
                        StateHasChanged();
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The circuit is gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
