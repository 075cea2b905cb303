using System.Runtime.ExceptionServices;

namespace PaDeLLM.Model.Kernels;

/// <summary>
/// A parallel-for for kernels that run hundreds of times per decode step. Persistent workers
/// spin briefly between jobs, then sleep; the calling thread works too. A dispatch costs about
/// a microsecond, against tens for <see cref="Parallel.For(int, int, Action{int})"/>, which matters
/// when a step is 85 matrix-vector products of a few microseconds each.
/// </summary>
public static class KernelPool
{
    private static readonly int WorkerCount = Math.Max(0, Environment.ProcessorCount - 1);
    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly object Dispatch = new();
    private static Job? _current;
    private static int _sleeping;

    static KernelPool()
    {
        for (int i = 0; i < WorkerCount; i++)
        {
            new Thread(WorkerLoop) { IsBackground = true, Name = $"padellm-kernel-{i}" }.Start();
        }
    }

    /// <summary>
    /// Runs body(0 … count−1), each index once, across the workers and the caller; rethrows the first failure.
    /// </summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 0)
        {
            return;
        }

        if (count == 1 || WorkerCount == 0)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        var job = new Job(body, count);
        lock (Dispatch)
        {
            Volatile.Write(ref _current, job);
            int sleeping = Volatile.Read(ref _sleeping);
            if (sleeping > 0)
            {
                Wake.Release(Math.Min(sleeping, count - 1));
            }

            job.Work();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Remaining) > 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        if (job.Failure is not null)
        {
            ExceptionDispatchInfo.Capture(job.Failure).Throw();
        }
    }

    private static void WorkerLoop()
    {
        Job? seen = null;
        while (true)
        {
            // Spin for a while (a decode step dispatches every few microseconds), then sleep.
            Job? job = null;
            for (int spins = 0; spins < 20_000; spins++)
            {
                job = Volatile.Read(ref _current);
                if (!ReferenceEquals(job, seen))
                {
                    break;
                }

                Thread.SpinWait(8);
            }

            if (ReferenceEquals(job, seen))
            {
                Interlocked.Increment(ref _sleeping);
                job = Volatile.Read(ref _current);
                if (ReferenceEquals(job, seen))
                {
                    Wake.Wait(100);
                }

                Interlocked.Decrement(ref _sleeping);
                continue;
            }

            seen = job;
            job!.Work();
        }
    }

    private sealed class Job(Action<int> body, int count)
    {
        public int Remaining = count;
        private readonly int _count = count;
        private int _next = -1;

        public Exception? Failure { get; private set; }

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _count)
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    Failure ??= e;
                }
                finally
                {
                    Interlocked.Decrement(ref Remaining);
                }
            }
        }
    }
}
