#if !NET9_0_OR_GREATER
namespace System.Threading;

/// <summary>
/// net8.0 stand-in for .NET 9's <c>System.Threading.Lock</c>, visible to the SciKernels assemblies (InternalsVisibleTo),
/// so that <c>private readonly Lock gate = new();</c> and <c>lock (gate)</c> compile on both targets. The C# compiler
/// turns <c>lock</c> on a type of this name into <c>using (gate.EnterScope())</c>; here that is a <see cref="Monitor"/>
/// lock, which is what <c>lock</c> on any object gives on .NET 8.
/// </summary>
internal sealed class Lock
{
    // Monitor on a private object: the compiler warns (CS9216) when a Lock itself is used as a monitor.
    private readonly object monitor = new();

    /// <summary>Enters the lock; the returned scope exits it when disposed.</summary>
    public Scope EnterScope()
    {
        Monitor.Enter(monitor);
        return new Scope(this);
    }

    /// <summary>A held <see cref="Lock"/>.</summary>
    public ref struct Scope
    {
        private Lock? owner;

        internal Scope(Lock owner) => this.owner = owner;

        /// <summary>Exits the lock (once).</summary>
        public void Dispose()
        {
            var o = owner;
            owner = null;
            if (o is not null) Monitor.Exit(o.monitor);
        }
    }
}
#endif
