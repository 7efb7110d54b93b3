using Turbine.Core.Backends;

namespace Turbine.Core.Scheduling;

/// <summary>
/// An instance with its own thread, for the batching schedulers: it runs each batch it is assigned the moment it
/// is assigned, through the owner's callback.
/// </summary>
#pragma warning disable CA1001 // _signal is a SemaphoreSlim whose AvailableWaitHandle is never read, so it holds nothing to free; disposing it would race the thread's last Wait
internal sealed class InstanceThread<TBatch>
#pragma warning restore CA1001
    where TBatch : class
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Thread _thread;
    private readonly Action<TBatch> _run;
    private TBatch? _batch;
    private volatile bool _stopping;

    public InstanceThread(IModelInstance instance, string role, Action<TBatch> run)
    {
        Instance = instance;
        _run = run;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"turbine-{role} {instance.Name}" };
    }

    public IModelInstance Instance { get; }

    public void Start() => _thread.Start();

    public void Assign(TBatch batch)
    {
        Volatile.Write(ref _batch, batch);
        _signal.Release();
    }

    public void Stop()
    {
        _stopping = true;
        _signal.Release();
    }

    public void Join()
    {
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Loop()
    {
        while (true)
        {
            _signal.Wait();
            if (Interlocked.Exchange(ref _batch, null) is { } batch)
            {
                _run(batch);
            }
            else if (_stopping)
            {
                return;
            }
        }
    }
}
